""" "Logs around this moment": from an audit entry to the log records beside it.

Each entry links to the merged browse of the log sources the viewer may see, in a window
of ``AUDITCONSOLE_TRAIL_LOGS_WINDOW_SECONDS`` (300) either side of its time. When
``AUDITCONSOLE_TRAIL_LOGS_USER_FIELD`` names the records' user id field (``user_id``),
the browse is narrowed to the entry's user. Viewers without the logs permission, or
without a source to see, get no link.

The other way round, a log record whose ``user_id`` (or the field named by that setting)
is an existing user's key links to that user's page, and one that names a model and an
instance (activity-audit's ``model`` and ``instance_id``) to that object's page, for
viewers who may see the activity and, for the object, that model.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from auditconsole.activity.rows import object_page_url
from auditconsole.activity.scoping import scope_for
from auditconsole.conf import conf
from auditconsole.links import url_with
from auditconsole.permissions import VIEW_ACTIVITY, VIEW_LOGS
from auditconsole.sources.query import FIELD, SINCE, SOURCES, UNTIL
from auditconsole.sources.registry import sources_for_user
from auditconsole.trails.entries import TrailEntry
from auditconsole.trails.logsource import model_content_types
from auditconsole.trails.registry import activity_pages
from auditconsole.trails.users import user_names


class LogsAround:
    """Builds the "logs around" link of each entry of one page, for one viewer."""

    def __init__(self, viewer: Any) -> None:
        allowed = viewer.has_perm(VIEW_LOGS)
        self.keys = [source.key for source in sources_for_user(viewer)] if allowed else []
        self.window = datetime.timedelta(seconds=conf.TRAIL_LOGS_WINDOW_SECONDS)
        self.user_field = conf.TRAIL_LOGS_USER_FIELD
        # The sources are the same in every link of the page: encoded once (a page of
        # entries spent a quarter of its time quoting them again, entry after entry).
        self.start = url_with(reverse("auditconsole:merged"), QueryDict(), {SOURCES: self.keys})

    def url(self, entry: TrailEntry) -> str:
        """The merged browse: ``sources`` (each key), ``since``, ``until`` and, with a user
        field and a user, ``field``, in that order, as :func:`url_with` writes them."""
        if not self.keys:
            return ""
        window = [
            (SINCE, _utc(entry.time - self.window)),
            (UNTIL, _utc(entry.time + self.window)),
        ]
        if self.user_field and entry.user_id is not None:
            window.append((FIELD, f"{self.user_field}={entry.user_id}"))
        return f"{self.start}&{urlencode(window)}"


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str


#: The fields of a log record naming a model and one of its instances (activity-audit's).
MODEL_FIELD, INSTANCE_FIELD = "model", "instance_id"


def record_links(data: dict[str, Any], viewer: Any) -> list[RecordLink]:
    """The user page and the object page a record's fields name, that ``viewer`` may open."""
    if not viewer.has_perm(VIEW_ACTIVITY):
        return []
    links: list[RecordLink] = []
    user_id = data.get(conf.TRAIL_LOGS_USER_FIELD or "user_id")
    if isinstance(user_id, int | str) and str(user_id).isdigit() and len(str(user_id)) <= 18:
        names = user_names([user_id])
        if names:
            # The user's page the viewer's "Activity" leads to (every trail's, if they see more).
            pages = activity_pages(viewer)
            links.extend(
                RecordLink(f"User {name}", pages.user_url(pk)) for pk, name in names.items()
            )
    model, instance = data.get(MODEL_FIELD), data.get(INSTANCE_FIELD)
    if isinstance(model, str) and isinstance(instance, int | str) and str(instance):
        content_type_id = model_content_types().get(model.lower())
        if content_type_id is not None and scope_for(viewer).allows(content_type_id):
            url = object_page_url(content_type_id, str(instance))
            if url:
                links.append(RecordLink(f"{model} {instance}", url))
    return links
