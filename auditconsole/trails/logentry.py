"""``LogEntryTrail``: the admin's ``LogEntry``, read as the activity pages read it.

Scoping, the change format and the object index are the activity section's own
(:mod:`auditconsole.activity.scoping`, :class:`auditconsole.changes.ChangeDescriber`,
migration 0003), so the object page asks the database exactly what it asked before.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from auditconsole.activity.fields import ACTION_FLAGS, ACTION_NAMES
from auditconsole.activity.scoping import Scope
from auditconsole.activity.textsearch import TextSearch
from auditconsole.changes import ChangeDescriber
from auditconsole.trails.base import ACTION, DATE, MODEL, OBJECT, TEXT, USER, Trail, TrailQuery
from auditconsole.trails.entries import TrailEntry
from auditconsole.trails.positions import Position, beyond


class LogEntryTrail(Trail):
    default_label = "Admin log"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, ACTION, DATE, TEXT})

    def queryset(self, query: TrailQuery, scope: Scope) -> QuerySet[LogEntry]:
        content_type = query.content_type
        queryset = scope.apply(
            LogEntry.objects.all(),
            content_type_id=content_type.pk if content_type is not None else None,
        )
        if query.object_id is not None:
            queryset = queryset.filter(object_id=query.object_id)
        if query.user_id is not None:
            queryset = queryset.filter(user_id=query.user_id)
        if query.actions:
            flags = sorted(ACTION_FLAGS[a] for a in query.actions if a in ACTION_FLAGS)
            queryset = queryset.filter(action_flag__in=flags)
        if query.since is not None:
            queryset = queryset.filter(action_time__gte=query.since)
        if query.until is not None:
            queryset = queryset.filter(action_time__lt=query.until)
        if query.text:
            # The activity list's search: the name and the change message, narrowed
            # through its search index.
            queryset = queryset.filter(
                Q(object_repr__icontains=query.text) | Q(change_message__icontains=query.text)
            )
            queryset = TextSearch(query.text, using=queryset.db).narrow(queryset)
        return queryset

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
                beyond(cursor, (self.key, ()), older=older, time_field="action_time", pk_field="pk")
            )
        order = ("-action_time", "-pk") if older else ("action_time", "pk")
        rows = queryset.select_related("user").order_by(*order)[:limit]
        links: dict[tuple[int | None, str], str] = {}
        describe = ChangeDescriber()
        return [self.entry(row, links, describe) for row in rows]

    def count(self, query: TrailQuery, scope: Scope, *, cap: int) -> int:
        return self.queryset(query, scope)[:cap].count()

    def latest_deletion(
        self, content_type: ContentType, object_id: str, scope: Scope
    ) -> TrailEntry | None:
        query = TrailQuery(content_type=content_type, object_id=object_id)
        row = (
            self.queryset(query, scope)
            .filter(action_flag=DELETION)
            .select_related("user")
            .order_by("-action_time", "-id")
            .first()
        )
        return None if row is None else self.entry(row, {}, ChangeDescriber())

    def entry(
        self,
        row: LogEntry,
        links: dict[tuple[int | None, str], str],
        describe: ChangeDescriber,
    ) -> TrailEntry:
        described = describe(row)
        key = (row.content_type_id, row.object_id or "")
        if key not in links:
            links[key] = history_url(row.content_type_id, row.object_id)
        user: Any = row.user
        return TrailEntry(
            time=row.action_time,
            trail=self.key,
            tiebreak=(row.pk,),
            action=ACTION_NAMES.get(row.action_flag, "unknown"),
            content_type_id=row.content_type_id,
            object_id=row.object_id or "",
            object_repr=row.object_repr,
            user_id=row.user_id,
            user_name=user.get_username(),
            summary=described.summary,
            message=described.message,
            changes=tuple(described.changes),
            link=links[key],
            changed_names=admin_changed_names(row.change_message),
            # The id the object page gave LogEntry rows before there were other trails.
            anchor=f"entry-{row.pk}",
        )


def admin_changed_names(change_message: str) -> tuple[str, ...]:
    """The field labels of the admin's ``[{"changed": {"fields": [...]}}]``; ``()`` for
    anything else (free text, garbage)."""
    if not change_message.startswith("["):
        return ()
    try:
        parsed = orjson.loads(change_message)
    except orjson.JSONDecodeError:
        return ()
    names: list[str] = []
    for element in parsed if isinstance(parsed, list) else ():
        changed = element.get("changed") if isinstance(element, dict) else None
        fields = changed.get("fields") if isinstance(changed, dict) else None
        names.extend(n for n in fields if isinstance(n, str)) if isinstance(fields, list) else None
    return tuple(names)


def history_url(content_type_id: int | None, object_id: str | None) -> str:
    """The admin's history page of the object, when its model is in the admin."""
    if content_type_id is None or not object_id:
        return ""
    content_type = ContentType.objects.get_for_id(content_type_id)
    try:
        return reverse(
            f"admin:{content_type.app_label}_{content_type.model}_history",
            args=[quote(object_id)],
        )
    except NoReverseMatch:
        return ""
