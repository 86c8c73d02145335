""" "Logs around this moment": from an audit entry to the log records beside it.

Each entry links to the merged browse of the log sources the viewer may see, in a window
of ``AUDITCONSOLE_TRAIL_LOGS_WINDOW_SECONDS`` (300) either side of its time. When
``AUDITCONSOLE_TRAIL_LOGS_USER_FIELD`` names the records' user id field (``user_id``),
the browse is narrowed to the entry's user. Viewers without the logs permission, or
without a source to see, get no link.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import QueryDict
from django.urls import reverse

from auditconsole.conf import conf
from auditconsole.links import url_with
from auditconsole.permissions import VIEW_LOGS
from auditconsole.sources.query import FIELD, SINCE, SOURCES, UNTIL
from auditconsole.sources.registry import sources_for_user
from auditconsole.trails.entries import TrailEntry


class LogsAround:
    """Builds the "logs around" link of each entry of one page, for one viewer."""

    def __init__(self, viewer: Any) -> None:
        allowed = viewer.has_perm(VIEW_LOGS)
        self.keys = [source.key for source in sources_for_user(viewer)] if allowed else []
        self.window = datetime.timedelta(seconds=conf.TRAIL_LOGS_WINDOW_SECONDS)
        self.user_field = conf.TRAIL_LOGS_USER_FIELD
        self.path = reverse("auditconsole:merged") if self.keys else ""

    def url(self, entry: TrailEntry) -> str:
        if not self.keys:
            return ""
        changes: dict[str, str | list[str] | None] = {
            SOURCES: self.keys,
            SINCE: _utc(entry.time - self.window),
            UNTIL: _utc(entry.time + self.window),
        }
        if self.user_field and entry.user_id is not None:
            changes[FIELD] = f"{self.user_field}={entry.user_id}"
        return url_with(self.path, QueryDict(), changes)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
