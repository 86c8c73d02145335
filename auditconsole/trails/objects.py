"""The object page across trails: does the object exist, was it deleted, was it ever known.

The instance is looked up as :mod:`auditconsole.activity.objects` does; a missing one is
"deleted" when any trail the viewer may see recorded its deletion (the newest such
record says by whom), and "never known" when no trail has an entry about it either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpRequest

from auditconsole.activity.objects import admin_change_url, find_instance
from auditconsole.activity.scoping import Scope
from auditconsole.trails.base import Trail, TrailQuery
from auditconsole.trails.entries import DELETION, TrailEntry
from auditconsole.trails.timeline import TimelinePage


@dataclass
class ObjectTrails:
    content_type: ContentType
    object_id: str
    model_installed: bool
    instance: Model | None
    #: The newest deletion any visible trail recorded, when the object is gone.
    deletion: TrailEntry | None
    admin_url: str | None
    title: str

    @property
    def exists(self) -> bool:
        return self.instance is not None


def object_trails(trails: Sequence[Trail], content_type: ContentType) -> list[Trail]:
    """The trails that can hold entries about this model and answer an object query."""
    query = TrailQuery(content_type=content_type, object_id="")
    return [t for t in trails if t.tracks(content_type) and not t.unanswerable(query)]


def object_state(
    trails: Sequence[Trail],
    scope: Scope,
    content_type: ContentType,
    object_id: str,
    request: HttpRequest,
    latest_repr: str | None,
    newest: TimelinePage | None = None,
) -> ObjectTrails:
    """``newest``: the timeline's first page, when the request read it (it may already
    hold the deletions)."""
    instance = find_instance(content_type, object_id)
    deletion = None
    if instance is None:
        deletions = [
            found
            for trail in trails
            if (found := latest_deletion(trail, content_type, object_id, scope, newest)) is not None
        ]
        deletion = max(deletions, key=lambda entry: entry.position, default=None)
    return ObjectTrails(
        content_type=content_type,
        object_id=object_id,
        model_installed=content_type.model_class() is not None,
        instance=instance,
        deletion=deletion,
        admin_url=admin_change_url(instance, request) if instance is not None else None,
        title=str(instance) if instance is not None else (latest_repr or object_id),
    )


def latest_deletion(
    trail: Trail,
    content_type: ContentType,
    object_id: str,
    scope: Scope,
    newest: TimelinePage | None,
) -> TrailEntry | None:
    """The trail's newest record of the object's deletion.

    The timeline's first page holds the newest entries of each trail (a prefix of each
    one's stream, and the whole stream when nothing is left): a deletion there is the
    newest, and a trail read to its end on it has none elsewhere. Only the other trails
    are asked again, which spares a deleted object's page one query (and, for a snapshot
    trail, its diffs) per trail.
    """
    if newest is not None and newest.is_first:
        seen = [e for e in newest.entries if e.trail == trail.key and e.action == DELETION]
        if seen:
            return max(seen, key=lambda entry: entry.position)
        if not newest.has_next:
            return None
    return trail.latest_deletion(content_type, object_id, scope)
