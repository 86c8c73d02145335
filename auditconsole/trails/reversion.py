"""``ReversionTrail``: django-reversion's versions, each with its revision.

A version is a snapshot of one object saved in a revision, which holds the user, the
comment and the date. Reversion records no action, so the first version of an object
reads as its addition and every later one as a change, with before and after values from
the previous version's field data. It records no deletion either: a deleted object
keeps its versions (the package's ``get_deleted``), and its page reads "not found". As
the action is worked out from the order of versions, this trail cannot answer an action
filter (the page says so). Only this module imports ``reversion``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import reversion
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from reversion.errors import RevertError
from reversion.models import Version

from auditconsole.activity.scoping import Scope
from auditconsole.changes import FieldChange
from auditconsole.redaction import Redactor
from auditconsole.trails.base import DATE, MODEL, OBJECT, USER, Trail, TrailQuery, scoped
from auditconsole.trails.entries import ADDITION, CHANGE, TrailEntry
from auditconsole.trails.positions import Position, beyond
from auditconsole.trails.snapshots import previous_rows
from auditconsole.trails.values import json_value, labels_of

TIME = "revision__date_created"


class ReversionTrail(Trail):
    default_label = "Versions"
    filters: ClassVar[frozenset[str]] = frozenset({MODEL, OBJECT, USER, DATE})

    def tracks(self, content_type: ContentType) -> bool:
        """Models registered with reversion now (versions of a model unregistered since
        are not read on its object pages)."""
        model = content_type.model_class()
        return model is not None and reversion.is_registered(model)

    def fetch(
        self,
        query: TrailQuery,
        scope: Scope,
        *,
        cursor: Position | None,
        older: bool,
        limit: int,
    ) -> list[TrailEntry]:
        queryset = scoped(Version.objects.all(), scope, query.content_type)
        if query.object_id is not None:
            queryset = queryset.filter(object_id=query.object_id)
        if query.user_id is not None:
            queryset = queryset.filter(revision__user_id=query.user_id)
        if query.since is not None:
            queryset = queryset.filter(**{f"{TIME}__gte": query.since})
        if query.until is not None:
            queryset = queryset.filter(**{f"{TIME}__lt": query.until})
        if cursor is not None:
            queryset = queryset.filter(
                beyond(cursor, (self.key, ()), older=older, time_field=TIME, pk_field="pk")
            )
        order = (f"-{TIME}", "-pk") if older else (TIME, "pk")
        rows = list(queryset.select_related("revision", "revision__user").order_by(*order)[:limit])
        previous = previous_versions(rows)
        redactor = Redactor()
        return [self.entry(row, previous.get(id(row)), redactor) for row in rows]

    def entry(self, row: Version, previous: Version | None, redactor: Redactor) -> TrailEntry:
        revision: Any = row.revision
        user: Any = revision.user
        action = CHANGE if previous is not None else ADDITION
        return TrailEntry(
            time=revision.date_created,
            trail=self.key,
            tiebreak=(row.pk,),
            action=action,
            content_type_id=row.content_type_id,
            object_id=row.object_id,
            object_repr=redactor.redact_text(row.object_repr),
            user_id=revision.user_id,
            user_name=user.get_username() if user is not None else "",
            summary=f"Version {row.pk} saved in revision {revision.pk}.",
            message=redactor.redact_text(revision.comment) if revision.comment else None,
            changes=tuple(c.masked(redactor) for c in version_changes(row, previous)),
            link=revision_url(row),
        )


def previous_versions(rows: Sequence[Version]) -> dict[int, Version]:
    """Each version's previous version of the same object (by ``id()`` of the version)."""
    return previous_rows(
        rows,
        time_field=TIME,
        pk_field="pk",
        object_of=lambda v: {"content_type_id": v.content_type_id, "object_id": v.object_id},
        time_of=lambda v: v.revision.date_created,
    )


def field_data(version: Version) -> dict[str, Any] | None:
    """The version's fields, or ``None`` when they cannot be read back (the model changed
    or is gone): then no diff rather than an error."""
    try:
        data: dict[str, Any] = version.field_dict
    except (RevertError, LookupError, AttributeError, ValueError, TypeError):
        return None
    return data


def version_changes(row: Version, previous: Version | None) -> list[FieldChange]:
    new = field_data(row)
    if new is None:
        return []
    old = field_data(previous) if previous is not None else {}
    if old is None:
        return []
    model: type[Model] | None = ContentType.objects.get_for_id(row.content_type_id).model_class()
    labels = labels_of(model)
    pk_name = model._meta.pk.attname if model is not None else "id"
    changes = []
    for name, value in new.items():
        if name == pk_name or (previous is None and value in (None, "")):
            continue
        before = old.get(name)
        if previous is None or before != value:
            before_value = None if previous is None else json_value(before)
            changes.append(
                FieldChange(name, labels.get(name, name), before_value, json_value(value))
            )
    return changes


def revision_url(row: Version) -> str:
    """reversion's admin page of this version, where its ``VersionAdmin`` is mounted."""
    content_type = ContentType.objects.get_for_id(row.content_type_id)
    try:
        return reverse(
            f"admin:{content_type.app_label}_{content_type.model}_revision",
            args=[quote(row.object_id), row.pk],
        )
    except NoReverseMatch:
        return ""
