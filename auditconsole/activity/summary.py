"""The user page's summary: first and last seen, and what they did, all time (scoped)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Min, Q, QuerySet

from auditconsole.activity.fields import ACTION_FLAGS, ACTION_LABELS, content_type_key


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    #: The ``action`` or ``content_type`` parameter value that filters to this tally.
    param: str


@dataclass
class UserSummary:
    total: int
    first_seen: datetime.datetime | None
    last_seen: datetime.datetime | None
    by_action: list[Tally] = field(default_factory=list)
    by_content_type: list[Tally] = field(default_factory=list)


def summarize(queryset: QuerySet[LogEntry]) -> UserSummary:
    """Two queries: one aggregate, one ``GROUP BY`` content type (plus the types' names)."""
    totals = queryset.aggregate(
        total=Count("*"),
        first=Min("action_time"),
        last=Max("action_time"),
        **{name: Count("pk", filter=Q(action_flag=flag)) for name, flag in ACTION_FLAGS.items()},
    )
    # content_type is nullable (SET_NULL), which the stubs' values_list() does not tell.
    per_type: dict[int | None, int] = dict(
        queryset.values_list("content_type_id")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("content_type_id", "n")
    )
    types = ContentType.objects.in_bulk([pk for pk in per_type if pk is not None])
    by_content_type = sorted(
        (
            Tally(str(types[pk]), n, content_type_key(types[pk]))
            for pk, n in per_type.items()
            if pk in types
        ),
        key=lambda tally: (-tally.count, tally.label),
    )
    return UserSummary(
        total=totals["total"],
        first_seen=totals["first"],
        last_seen=totals["last"],
        by_action=[Tally(ACTION_LABELS[name], totals[name], name) for name in ACTION_FLAGS],
        by_content_type=by_content_type,
    )
