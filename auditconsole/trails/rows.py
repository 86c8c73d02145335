"""What the timeline shows for each item, worked out once in Python (no HTML here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.urls import reverse

from auditconsole.activity.rows import RowPresenter, format_times
from auditconsole.changes import ChangeDescription
from auditconsole.trails.base import Trail
from auditconsole.trails.correlation import LogsAround
from auditconsole.trails.entries import Fact, TrailEntry
from auditconsole.trails.timeline import TimelineItem


@dataclass(frozen=True)
class Badge:
    key: str
    label: str
    #: Where that trail itself shows its record ("" if nowhere).
    link: str


@dataclass(frozen=True)
class TimelineRow:
    item: TimelineItem
    entry: TrailEntry
    dom_id: str
    action: str
    action_label: str
    local_time: str
    zone: str
    utc_time: str
    iso_time: str
    user_name: str
    #: The user's page, when the trail names a user that exists ("" otherwise).
    user_url: str
    object_label: str
    #: Whether ``object_label`` is a name the trail stored (else "<model> <key>"): only a
    #: stored name can be an older name of the object.
    named: bool
    #: The object's page ("" when the entry names no object).
    object_url: str
    change: ChangeDescription
    facts: tuple[Fact, ...]
    badges: tuple[Badge, ...]
    #: The log browse around the entry's time ("" without the logs permission).
    logs_url: str = ""

    @property
    def pk(self) -> int:
        """The lead entry's key in its trail (a LogEntry's ``pk``, for the admin's log)."""
        return self.entry.tiebreak[-1]


def timeline_rows(
    items: Sequence[TimelineItem],
    trails: Sequence[Trail],
    logs: LogsAround | None = None,
    *,
    user_view: str = "auditconsole:user",
) -> list[TimelineRow]:
    """The rows of ``items``; a user's name links to ``user_view`` (the viewer's
    :class:`~auditconsole.trails.registry.ActivityPages`)."""
    labels = {trail.key: trail.label for trail in trails}
    # Its object links: reverse() once per model.
    presenter = RowPresenter("", QueryDict())
    user_urls: dict[int, str] = {}
    rows = []
    for item in items:
        lead = item.lead
        local_time, zone, utc_time, iso_time = format_times(lead.time, presenter.zone)
        user_id = item.user_id
        if user_id is not None and user_id not in user_urls:
            user_urls[user_id] = reverse(user_view, args=[user_id])
        by_trail = item.by_trail()
        rows.append(
            TimelineRow(
                item=item,
                entry=lead,
                dom_id=lead.dom_id,
                action=lead.action,
                action_label=lead.action_label,
                local_time=local_time,
                zone=zone,
                utc_time=utc_time,
                iso_time=iso_time,
                user_name=item.user_name,
                user_url=user_urls.get(user_id, "") if user_id is not None else "",
                object_label=lead.object_repr or unnamed_label(lead),
                named=bool(lead.object_repr),
                object_url=presenter.object_url(lead.content_type_id, lead.object_id),
                change=ChangeDescription(lead.summary, item.message, list(lead.changes)),
                facts=item.facts,
                badges=tuple(
                    Badge(key, labels.get(key, key), by_trail[key].link) for key in item.trails
                ),
                logs_url=logs.url(lead) if logs is not None else "",
            )
        )
    return rows


def unnamed_label(entry: TrailEntry) -> str:
    """An object the trail kept no name of: its model's name and its key ("Customer 307")."""
    if entry.content_type_id is None:
        return entry.object_id
    name = str(ContentType.objects.get_for_id(entry.content_type_id).name)
    return f"{name[:1].upper()}{name[1:]} {entry.object_id}".strip()
