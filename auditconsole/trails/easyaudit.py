"""``EasyAuditTrail``: django-easy-audit's CRUD events, and on user pages its logins.

``CRUDEvent``'s create, update and delete become addition, change and deletion (its
many-to-many events read as changes); ``changed_fields`` holds ``{field: [old, new]}`` as
text, and an addition shows the fields of the object's JSON. ``LoginEvent`` rows (login,
logout, failed login) are read for a query about a user and no model or object, and only
by viewers who may see users (the scope of the user model): a login is about a user.
Only this module imports ``easyaudit``.
"""

from __future__ import annotations

import heapq
from typing import Any, ClassVar

import orjson
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from easyaudit.models import CRUDEvent, LoginEvent
from easyaudit.settings import REGISTERED_CLASSES, UNREGISTERED_CLASSES

from auditconsole.activity.scoping import Scope
from auditconsole.changes import FieldChange
from auditconsole.redaction import Redactor
from auditconsole.trails.base import ACTION, DATE, MODEL, OBJECT, USER, Trail, TrailQuery, scoped
from auditconsole.trails.entries import ADDITION, CHANGE, DELETION, LOGIN, Fact, TrailEntry
from auditconsole.trails.positions import Position, beyond
from auditconsole.trails.values import json_value, labels_of

CRUD_ACTIONS: dict[int, str] = {1: ADDITION, 2: CHANGE, 3: DELETION}
LOGIN_TYPES: dict[int, str] = {0: "Login", 1: "Logout", 2: "Failed login"}
#: The first number of an entry's tiebreak: which of the two tables it is from.
CRUD, LOGINS = 0, 1


class EasyAuditTrail(Trail):
    default_label = "Easy audit"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, ACTION, DATE})

    def tracks(self, content_type: ContentType) -> bool:
        """Models easy-audit records now, by its own settings."""
        model = content_type.model_class()
        if model is None or any(issubclass(model, c) for c in UNREGISTERED_CLASSES):
            return False
        return not REGISTERED_CLASSES or any(issubclass(model, c) for c in REGISTERED_CLASSES)

    def fetch(
        self,
        query: TrailQuery,
        scope: Scope,
        *,
        cursor: Position | None,
        older: bool,
        limit: int,
    ) -> list[TrailEntry]:
        streams = [self.crud(query, scope, cursor, older, limit)]
        if self.wants_logins(query, scope):
            streams.append(self.logins(query, cursor, older, limit))
        merged = heapq.merge(*streams, key=lambda entry: entry.position, reverse=older)
        return list(merged)[:limit]

    def window(
        self,
        queryset: QuerySet[Any],
        query: TrailQuery,
        cursor: Position | None,
        table: int,
        *,
        older: bool,
        limit: int,
    ) -> list[Any]:
        if query.since is not None:
            queryset = queryset.filter(datetime__gte=query.since)
        if query.until is not None:
            queryset = queryset.filter(datetime__lt=query.until)
        if cursor is not None:
            queryset = queryset.filter(
                beyond(
                    cursor, (self.key, (table,)), older=older, time_field="datetime", pk_field="pk"
                )
            )
        order = ("-datetime", "-pk") if older else ("datetime", "pk")
        return list(queryset.select_related("user").order_by(*order)[:limit])

    # -- CRUD events -------------------------------------------------------------------

    def crud(
        self, query: TrailQuery, scope: Scope, cursor: Position | None, older: bool, limit: int
    ) -> list[TrailEntry]:
        queryset: QuerySet[CRUDEvent] = scoped(CRUDEvent.objects.all(), scope, query.content_type)
        if query.object_id is not None:
            queryset = queryset.filter(object_id=query.object_id)
        if query.user_id is not None:
            queryset = queryset.filter(user_id=query.user_id)
        if query.actions:
            wanted = [n for n, name in CRUD_ACTIONS.items() if name in query.actions]
            if CHANGE in query.actions:
                wanted.extend(range(4, 12))  # the many-to-many events are changes
            queryset = queryset.filter(event_type__in=sorted(wanted))
        rows = self.window(queryset, query, cursor, CRUD, older=older, limit=limit)
        redactor = Redactor()
        return [self.crud_entry(row, redactor) for row in rows]

    def crud_entry(self, row: CRUDEvent, redactor: Redactor) -> TrailEntry:
        user: Any = row.user
        action = CRUD_ACTIONS.get(row.event_type, CHANGE)
        return TrailEntry(
            time=row.datetime,
            trail=self.key,
            tiebreak=(CRUD, row.pk),
            action=action,
            content_type_id=row.content_type_id,
            object_id=row.object_id,
            object_repr=redactor.redact_text(row.object_repr or ""),
            user_id=row.user_id,
            user_name=user.get_username() if user is not None else row.user_pk_as_string or "",
            summary=f"{row.get_event_type_display()} event.",
            changes=tuple(c.masked(redactor) for c in crud_changes(row)),
            link=admin_url(row),
        )

    # -- logins ------------------------------------------------------------------------

    @staticmethod
    def wants_logins(query: TrailQuery, scope: Scope) -> bool:
        if query.user_id is None or query.content_type is not None or query.object_id:
            return False
        if query.actions and LOGIN not in query.actions:
            return False
        return scope.allows(ContentType.objects.get_for_model(get_user_model()).pk)

    def logins(
        self, query: TrailQuery, cursor: Position | None, older: bool, limit: int
    ) -> list[TrailEntry]:
        queryset = LoginEvent.objects.filter(user_id=query.user_id)
        rows = self.window(queryset, query, cursor, LOGINS, older=older, limit=limit)
        redactor = Redactor()
        return [self.login_entry(row, redactor) for row in rows]

    def login_entry(self, row: LoginEvent, redactor: Redactor) -> TrailEntry:
        label = LOGIN_TYPES.get(row.login_type, "Login event")
        return TrailEntry(
            time=row.datetime,
            trail=self.key,
            tiebreak=(LOGINS, row.pk),
            action=LOGIN,
            content_type_id=None,
            object_id="",
            object_repr="",
            user_id=row.user_id,
            user_name=row.username,
            summary=f"{label}.",
            facts=(Fact("IP address", redactor.redact_text(row.remote_ip)),)
            if row.remote_ip
            else (),
            link=admin_url(row),
        )


def crud_changes(row: CRUDEvent) -> list[FieldChange]:
    """``changed_fields`` as field changes; for an addition, the fields of the object's JSON."""
    model: type[Model] | None = ContentType.objects.get_for_id(row.content_type_id).model_class()
    labels = labels_of(model)
    changed = _json(row.changed_fields)
    if isinstance(changed, dict):
        return [
            FieldChange(
                str(name), labels.get(name, str(name)), json_value(pair[0]), json_value(pair[1])
            )
            for name, pair in changed.items()
            if isinstance(pair, list) and len(pair) == 2
        ]
    if row.event_type != 1:
        return []
    objects = _json(row.object_json_repr)
    fields = objects[0].get("fields") if isinstance(objects, list) and objects else None
    if not isinstance(fields, dict):
        return []
    return [
        FieldChange(str(name), labels.get(name, str(name)), None, json_value(value))
        for name, value in fields.items()
        if value not in (None, "")
    ]


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def admin_url(row: CRUDEvent | LoginEvent) -> str:
    opts = row._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    except NoReverseMatch:
        return ""
