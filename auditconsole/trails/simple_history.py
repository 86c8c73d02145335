"""``SimpleHistoryTrail``: django-simple-history's historical tables.

Every model registered with simple-history is read from its own historical table; its
``+ ~ -`` become addition, change and deletion, ``history_user`` the user and
``history_change_reason`` the entry's message. Before and after values come from
consecutive records of one object, through the package's own ``diff_against``; an
addition shows the values it was created with. Deleted objects keep their records, so
they appear like any other. Imported only when the trail is configured (or the package
installed): this module is the only one that imports ``simple_history``.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote as url_quote

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import quote
from django.core import checks
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS
from simple_history.models import HistoricalChanges

from auditconsole.changes import FieldChange
from auditconsole.redaction import Redactor
from auditconsole.trails.base import ACTION, DATE, MODEL, OBJECT, USER, TrailQuery
from auditconsole.trails.entries import ADDITION, CHANGE, DELETION, TrailEntry
from auditconsole.trails.snapshots import previous_rows
from auditconsole.trails.tables import PerModelTableTrail
from auditconsole.trails.users import user_names
from auditconsole.trails.values import json_value, labels_of

#: Stand-ins for the object's key and the record's in a reversed link (digits: quoted as is).
LINK_OBJECT, LINK_RECORD = "9081726354", "9182736455"
HISTORY_TYPES: dict[str, str] = {"+": ADDITION, "~": CHANGE, "-": DELETION}
HISTORY_FLAGS: dict[str, str] = {action: flag for flag, action in HISTORY_TYPES.items()}


def history_models() -> list[type[Model]]:
    """Every historical model of an installed model, in a stable order."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges)
        and isinstance(getattr(model, "instance_type", None), type)
        and any(f.name == "history_type" for f in model._meta.fields)
    ]
    return sorted(found, key=lambda model: model._meta.label)


class SimpleHistoryTrail(PerModelTableTrail):
    default_label = "Model history"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, ACTION, DATE})

    time_field = "history_date"
    pk_field = "history_id"
    user_column = "history_user_id"

    def __init__(self, key: str, config: dict[str, Any]) -> None:
        super().__init__(key, config)
        self._links: dict[type[Model], str] = {}

    def table_models(self) -> list[type[Model]]:
        return history_models()

    def tracked(self, table: type[Model]) -> type[Model]:
        tracked: type[Model] = table.instance_type  # type: ignore[attr-defined]
        return tracked

    def object_column(self, table: type[Model]) -> str:
        return pk_attname(table)

    def filtered(
        self, table: type[Model], queryset: QuerySet[Model], query: TrailQuery
    ) -> QuerySet[Model]:
        # The user: PerModelTableTrail.queryset filters on user_column.
        if query.actions:
            flags = sorted(HISTORY_FLAGS[a] for a in query.actions if a in HISTORY_FLAGS)
            queryset = queryset.filter(history_type__in=flags)
        if query.since is not None:
            queryset = queryset.filter(history_date__gte=query.since)
        if query.until is not None:
            queryset = queryset.filter(history_date__lt=query.until)
        return queryset

    def entries(self, picked: list[tuple[int, Any]]) -> list[TrailEntry]:
        previous = self.previous_records([row for _, row in picked])
        names = user_names(row.history_user_id for _, row in picked)
        redactor = Redactor()
        return [
            self.entry(content_type_id, row, previous.get(id(row)), names, redactor)
            for content_type_id, row in picked
        ]

    @staticmethod
    def previous_records(rows: list[Any]) -> dict[int, Any]:
        """Each row's previous record of the same object (by ``id()`` of the row)."""
        return previous_rows(
            rows,
            time_field="history_date",
            pk_field="history_id",
            object_of=lambda row: {pk_attname(type(row)): object_pk(row)},
        )

    def entry(
        self,
        content_type_id: int,
        row: Any,
        previous: Any,
        names: dict[Any, str],
        redactor: Redactor,
    ) -> TrailEntry:
        action = HISTORY_TYPES.get(row.history_type, "unknown")
        object_id = str(object_pk(row))
        reason = row.history_change_reason
        return TrailEntry(
            time=row.history_date,
            trail=self.key,
            tiebreak=(content_type_id, row.pk),
            action=action,
            content_type_id=content_type_id,
            object_id=object_id,
            object_repr=redactor.redact_text(str(row.history_object)),
            user_id=row.history_user_id if row.history_user_id in names else None,
            user_name=names.get(row.history_user_id, "")
            or ("" if row.history_user_id is None else str(row.history_user_id)),
            summary=f"{action.capitalize()} recorded by simple-history.",
            message=None if not reason else redactor.redact_text(str(reason)),
            changes=tuple(change.masked(redactor) for change in self.changes(row, previous)),
            link=self.link(row, object_id),
        )

    @staticmethod
    def changes(row: Any, previous: Any) -> list[FieldChange]:
        opts = row.instance_type._meta
        if row.history_type == "+" or (previous is None and row.history_type == "~"):
            return [
                FieldChange(f.name, str(f.verbose_name), None, json_value(getattr(row, f.attname)))
                for f in opts.fields
                if f.editable and not f.primary_key and getattr(row, f.attname) not in (None, "")
            ]
        if row.history_type != "~":
            return []
        delta = row.diff_against(previous)
        labels = labels_of(row.instance_type)
        return [
            FieldChange(c.field, labels.get(c.field, c.field), json_value(c.old), json_value(c.new))
            for c in delta.changes
        ]

    def link(self, row: Any, object_id: str) -> str:
        """``SimpleHistoryAdmin``'s page of the record, if mounted: ``reverse()`` once per
        model (it costs a fifth of a millisecond, and there is a link on every row)."""
        model = row.instance_type
        if model not in self._links:
            opts = model._meta
            try:
                self._links[model] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                    args=[LINK_OBJECT, LINK_RECORD],
                )
            except NoReverseMatch:
                self._links[model] = ""
        template = self._links[model]
        if not template:
            return ""
        # As reverse() quotes an argument (the admin's quote() first, as it asks).
        key = url_quote(quote(object_id), safe=RFC3986_SUBDELIMS + "/~:@")
        return template.replace(LINK_OBJECT, key).replace(LINK_RECORD, str(row.pk))

    # -- configuration -----------------------------------------------------------------

    @classmethod
    def check_config(cls, key: object, config: dict[str, Any]) -> list[checks.CheckMessage]:
        messages = super().check_config(key, config)
        if getattr(settings, "SIMPLE_HISTORY_HISTORY_ID_USE_UUID", False):
            messages.append(
                checks.Error(
                    f"Trail {key!r}: historical records with UUID keys "
                    "(SIMPLE_HISTORY_HISTORY_ID_USE_UUID) cannot be paged by this trail.",
                    id="auditconsole.E144",
                )
            )
        return messages


def pk_attname(history: type[Model]) -> str:
    """The column of a historical table that holds the tracked object's key."""
    tracked: type[Model] = history.instance_type  # type: ignore[attr-defined]
    return tracked._meta.pk.attname


def object_pk(row: Any) -> Any:
    return getattr(row, pk_attname(type(row)))
