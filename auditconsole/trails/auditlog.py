"""``AuditlogTrail``: django-auditlog's own ``LogEntry`` (or the model its setting swaps in).

Its actions create, update, delete and access become addition, change, deletion and
access; ``changes`` holds ``{field: [old, new]}``, stored as text by the package; the actor
is the user, or the e-mail address it kept when the user is gone. The remote address,
the correlation id and any additional data are the entry's extra facts. Only this module
imports ``auditlog``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from auditlog import get_logentry_model
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse

from auditconsole.activity.scoping import Scope
from auditconsole.changes import FieldChange
from auditconsole.redaction import Redactor
from auditconsole.trails.base import ACTION, DATE, MODEL, OBJECT, USER, Trail, TrailQuery, scoped
from auditconsole.trails.entries import ACCESS, ADDITION, CHANGE, DELETION, Fact, TrailEntry
from auditconsole.trails.positions import Position, beyond
from auditconsole.trails.values import json_value, labels_of

ACTIONS: dict[int, str] = {0: ADDITION, 1: CHANGE, 2: DELETION, 3: ACCESS}
ACTION_NUMBERS: dict[str, int] = {name: number for number, name in ACTIONS.items()}


class AuditlogTrail(Trail):
    default_label = "Audit log"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, ACTION, DATE})

    def tracks(self, content_type: ContentType) -> bool:
        """Models registered with auditlog now."""
        model = content_type.model_class()
        return model is not None and auditlog.contains(model)

    def queryset(self, query: TrailQuery, scope: Scope) -> QuerySet[Model]:
        model: type[Model] = get_logentry_model()
        queryset = scoped(model._default_manager.all(), scope, query.content_type)
        if query.object_id is not None:
            queryset = queryset.filter(object_pk=query.object_id)
        if query.user_id is not None:
            queryset = queryset.filter(actor_id=query.user_id)
        if query.actions:
            numbers = sorted(ACTION_NUMBERS[a] for a in query.actions if a in ACTION_NUMBERS)
            queryset = queryset.filter(action__in=numbers)
        if query.since is not None:
            queryset = queryset.filter(timestamp__gte=query.since)
        if query.until is not None:
            queryset = queryset.filter(timestamp__lt=query.until)
        return queryset

    def count(self, query: TrailQuery, scope: Scope, *, cap: int) -> int:
        # A capped count needs no order (auditlog's Meta orders by -timestamp).
        return self.queryset(query, scope).order_by()[:cap].count()

    def fetch(
        self,
        query: TrailQuery,
        scope: Scope,
        *,
        cursor: Position | None,
        older: bool,
        limit: int,
    ) -> list[TrailEntry]:
        queryset = self.queryset(query, scope)
        if cursor is not None:
            queryset = queryset.filter(
                beyond(cursor, (self.key, ()), older=older, time_field="timestamp", pk_field="pk")
            )
        order = ("-timestamp", "-pk") if older else ("timestamp", "pk")
        rows: list[Any] = list(queryset.select_related("actor").order_by(*order)[:limit])
        redactor = Redactor()
        return [self.entry(row, redactor) for row in rows]

    def entry(self, row: Any, redactor: Redactor) -> TrailEntry:
        actor: Any = row.actor
        facts = [
            Fact(label, redactor.redact_text(str(value)))
            for label, value in (("IP address", row.remote_addr), ("Correlation id", row.cid))
            if value
        ]
        if row.additional_data:
            data = redactor.redact(row.additional_data)
            facts.append(Fact("Additional data", orjson.dumps(data, default=str).decode()))
        return TrailEntry(
            time=row.timestamp,
            trail=self.key,
            tiebreak=(row.pk,),
            action=ACTIONS.get(row.action, "unknown"),
            content_type_id=row.content_type_id,
            object_id=row.object_pk,
            object_repr=redactor.redact_text(row.object_repr),
            user_id=row.actor_id,
            user_name=actor.get_username() if actor is not None else (row.actor_email or ""),
            summary=redactor.redact_text(str(row)),
            changes=tuple(change.masked(redactor) for change in changes_of(row)),
            facts=tuple(facts),
            link=entry_url(row),
        )


def changes_of(row: Any) -> list[FieldChange]:
    """``{field: [old, new]}`` as field changes; a many-to-many's ``{"type": "m2m", ...}``
    keeps its own shape as the new value."""
    changes: Any = row.changes_dict
    if not isinstance(changes, dict):
        return []
    labels = labels_of(ContentType.objects.get_for_id(row.content_type_id).model_class())
    found = []
    for name, values in changes.items():
        label = labels.get(name, str(name))
        if isinstance(values, list | tuple) and len(values) == 2:
            found.append(
                FieldChange(str(name), label, json_value(values[0]), json_value(values[1]))
            )
        else:
            found.append(FieldChange(str(name), label, None, json_value(values)))
    return found


def entry_url(row: Any) -> str:
    opts = row._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    except NoReverseMatch:
        return ""
