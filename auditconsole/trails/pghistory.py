"""``PghistoryTrail``: django-pghistory's event tables (PostgreSQL only).

Each tracked model has event models written by database triggers: a snapshot of the row
with ``pgh_created_at``, a label (``insert``, ``update``, ``delete`` by default; a custom
label reads as a change, named), ``pgh_obj`` (the object) and ``pgh_context``, whose
metadata holds the user (``pghistory.context(user=...)`` or its middleware). Before and
after values come from consecutive events of one object. Only this module imports
``pghistory``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.core import checks
from django.db import connection
from django.db.models import Model, QuerySet
from pghistory.models import Event

from auditconsole.changes import FieldChange
from auditconsole.redaction import Redactor
from auditconsole.trails.base import ACTION, DATE, MODEL, OBJECT, USER, TrailQuery
from auditconsole.trails.entries import ADDITION, CHANGE, DELETION, Fact, TrailEntry
from auditconsole.trails.snapshots import previous_rows
from auditconsole.trails.tables import PerModelTableTrail
from auditconsole.trails.users import user_names
from auditconsole.trails.values import json_value, labels_of

LABELS: dict[str, str] = {"insert": ADDITION, "update": CHANGE, "delete": DELETION}
LABEL_OF: dict[str, str] = {action: label for label, action in LABELS.items()}


def event_models() -> list[type[Model]]:
    """Every concrete event model that tracks an installed model and names its object."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, Event)
        and isinstance(getattr(model, "pgh_tracked_model", None), type)
        and any(f.name == "pgh_obj" for f in model._meta.fields)
    ]
    return sorted(found, key=lambda model: model._meta.label)


def tracked(model: type[Model]) -> type[Model]:
    tracked_model: type[Model] = model.pgh_tracked_model  # type: ignore[attr-defined]
    return tracked_model


class PghistoryTrail(PerModelTableTrail):
    default_label = "Row history"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, ACTION, DATE})

    time_field = "pgh_created_at"
    pk_field = "pgh_id"

    def table_models(self) -> list[type[Model]]:
        return event_models()

    def tracked(self, table: type[Model]) -> type[Model]:
        return tracked(table)

    def object_column(self, table: type[Model]) -> str:
        return "pgh_obj_id"

    def filtered(
        self, table: type[Model], queryset: QuerySet[Model], query: TrailQuery
    ) -> QuerySet[Model]:
        if any(f.name == "pgh_context" for f in table._meta.fields):
            queryset = queryset.select_related("pgh_context")
        if query.user_id is not None:
            queryset = queryset.filter(pgh_context__metadata__user=query.user_id)
        if query.actions:
            labels = sorted(LABEL_OF[a] for a in query.actions if a in LABEL_OF)
            queryset = queryset.filter(pgh_label__in=labels)
        if query.since is not None:
            queryset = queryset.filter(pgh_created_at__gte=query.since)
        if query.until is not None:
            queryset = queryset.filter(pgh_created_at__lt=query.until)
        return queryset

    def entries(self, picked: list[tuple[int, Any]]) -> list[TrailEntry]:
        previous = previous_rows(
            [row for _, row in picked],
            time_field="pgh_created_at",
            pk_field="pgh_id",
            object_of=lambda row: {"pgh_obj_id": row.pgh_obj_id},
        )
        names = user_names(context_user(row) for _, row in picked)
        redactor = Redactor()
        return [self.entry(ct, row, previous.get(id(row)), names, redactor) for ct, row in picked]

    def entry(
        self,
        content_type_id: int,
        row: Any,
        previous: Any,
        names: dict[Any, str],
        redactor: Redactor,
    ) -> TrailEntry:
        action = LABELS.get(row.pgh_label, CHANGE)
        user = context_user(row)
        metadata = context_metadata(row)
        facts = tuple(
            Fact(name.replace("_", " ").capitalize(), redactor.redact_text(str(value)))
            for name, value in sorted(metadata.items())
            if name != "user" and value not in (None, "")
        )
        model = tracked(type(row))
        return TrailEntry(
            time=row.pgh_created_at,
            trail=self.key,
            tiebreak=(content_type_id, row.pk),
            action=action,
            content_type_id=content_type_id,
            object_id=str(row.pgh_obj_id),
            object_repr=redactor.redact_text(snapshot_repr(row, model)),
            user_id=user if user in names else None,
            user_name=names.get(user, "" if user is None else str(user)),
            summary=f"“{row.pgh_label}” event.",
            changes=tuple(c.masked(redactor) for c in event_changes(row, previous, model)),
            facts=facts,
        )

    @classmethod
    def check_config(cls, key: object, config: dict[str, Any]) -> list[checks.CheckMessage]:
        messages = super().check_config(key, config)
        if connection.vendor != "postgresql":
            messages.append(
                checks.Error(
                    f"Trail {key!r}: django-pghistory needs PostgreSQL.", id="auditconsole.E147"
                )
            )
        return messages


def context_metadata(row: Any) -> dict[str, Any]:
    context = getattr(row, "pgh_context", None)
    metadata = getattr(context, "metadata", None)
    return metadata if isinstance(metadata, dict) else {}


def context_user(row: Any) -> Any:
    return context_metadata(row).get("user")


def snapshot(row: Any, model: type[Model]) -> dict[str, Any]:
    """The tracked fields the event stored, by name."""
    names = {f.name for f in row._meta.fields}
    return {
        f.attname: getattr(row, f.attname)
        for f in model._meta.fields
        if f.name in names and not f.primary_key
    }


def snapshot_repr(row: Any, model: type[Model]) -> str:
    """The object as it was: its ``__str__`` over the snapshot, or the key."""
    try:
        return str(model(**snapshot(row, model), pk=row.pgh_obj_id))
    except (TypeError, ValueError, AttributeError):
        return str(row.pgh_obj_id)


def event_changes(row: Any, previous: Any, model: type[Model]) -> list[FieldChange]:
    if row.pgh_label == "delete":
        return []
    labels = labels_of(model)
    new = snapshot(row, model)
    old = snapshot(previous, model) if previous is not None else None
    return [
        FieldChange(
            name,
            labels.get(name, name),
            None if old is None else json_value(old.get(name)),
            json_value(value),
        )
        for name, value in new.items()
        if (old is None and value not in (None, "")) or (old is not None and old.get(name) != value)
    ]
