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
from auditconsole.trails.entries import TrailEntry


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
) -> ObjectTrails:
    instance = find_instance(content_type, object_id)
    deletion = None
    if instance is None:
        deletions = [
            found
            for trail in trails
            if (found := trail.latest_deletion(content_type, object_id, scope)) is not None
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
