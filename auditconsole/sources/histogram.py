"""Records per time bucket, stacked by level: the volume histogram beside a source's facets.

A backend fills a :class:`Histogram` (files from their tallies, a log store with one
``GROUP BY``); :func:`log_chart` turns it into the activity chart's SVG geometry
(:mod:`auditconsole.activity.chart`), each bar a link narrowing the range to its bucket.

Buckets are whole minutes, aligned on multiples of their width since the epoch, so a
file's per-minute tally (:mod:`auditconsole.sources.files.tally`) falls into them exactly
and a store can count them with integer division.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import formats, timezone

from auditconsole.activity.chart import Bar, Chart, layout
from auditconsole.sources import levels as level_numbers
from auditconsole.sources.minutes import minute_of
from auditconsole.sources.query import SINCE, UNTIL

#: Bucket widths in minutes, finest first; the finest giving at most MAX_BUCKETS is used.
WIDTHS: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
MAX_BUCKETS = 60
#: The stack's series for records without a level.
NO_LEVEL = "(none)"


def width_for(span: timedelta) -> int:
    """Minutes per bucket for a range of ``span``: at most :data:`MAX_BUCKETS` buckets."""
    minutes = span.total_seconds() / 60
    for width in WIDTHS:
        if minutes / width <= MAX_BUCKETS - 1:  # the first bucket may start before the range
            return width
    weeks = math.ceil(minutes / (MAX_BUCKETS - 1) / WIDTHS[-1])
    return weeks * WIDTHS[-1]


@dataclass
class Histogram:
    """``counts[i]`` is the records of bucket ``i`` by level name (``""`` for none)."""

    start: datetime
    minutes: int
    counts: list[Counter[str]] = field(default_factory=list)

    @classmethod
    def spanning(cls, low: datetime, high: datetime) -> Histogram:
        """Buckets covering ``low`` to ``high`` (both included)."""
        minutes = width_for(high - low)
        seconds = minutes * 60
        first = math.floor(low.timestamp() / seconds)
        last = math.floor(high.timestamp() / seconds)
        start = datetime.fromtimestamp(first * seconds, tz=UTC)
        return cls(start, minutes, [Counter() for _ in range(last - first + 1)])

    @property
    def width(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    def index(self, epoch_minute: int) -> int:
        return (epoch_minute - int(self.start.timestamp()) // 60) // self.minutes

    def add(self, epoch_minute: int, level: str, count: int) -> None:
        index = self.index(epoch_minute)
        if 0 <= index < len(self.counts):
            self.counts[index][level] += count

    def add_time(self, when: datetime, level: str, count: int = 1) -> None:
        self.add(minute_of(when), level, count)

    @property
    def total(self) -> int:
        return sum(sum(bucket.values()) for bucket in self.counts)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels present, least severe at the bottom of the stack."""
        present = {name for bucket in self.counts for name, count in bucket.items() if count}
        return tuple(sorted(present, key=_severity))

    def bounds(self, index: int) -> tuple[datetime, datetime]:
        low = self.start + index * self.width
        return low, low + self.width


def _severity(name: str) -> tuple[int, str]:
    return (level_numbers.number_for_name(name) or 0, name)


def describe_width(minutes: int) -> str:
    if minutes % 10080 == 0:
        weeks = minutes // 10080
        return "week" if weeks == 1 else f"{weeks} weeks"
    if minutes % 1440 == 0:
        days = minutes // 1440
        return "day" if days == 1 else f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "hour" if hours == 1 else f"{hours} hours"
    return "minute" if minutes == 1 else f"{minutes} minutes"


def log_chart(histogram: Histogram, link: Callable[[dict[str, str | None]], str]) -> Chart:
    """The chart of ``histogram``: a bar per bucket, each linking (``link``) to the
    browse narrowed to it, in local time with its offset."""
    stack = tuple(name or NO_LEVEL for name in histogram.levels)
    label_format = "M j" if histogram.minutes % 1440 == 0 else "M j, H:i"
    bars = []
    for index, bucket in enumerate(histogram.counts):
        low, high = histogram.bounds(index)
        local_low = timezone.localtime(low)
        bars.append(
            Bar(
                start=low,
                end=high,
                counts={name or NO_LEVEL: count for name, count in bucket.items() if count},
                url=link(
                    {
                        SINCE: local_low.isoformat(timespec="seconds"),
                        UNTIL: timezone.localtime(high).isoformat(timespec="seconds"),
                    }
                ),
                label=formats.date_format(local_low, label_format),
                stack=stack,
            )
        )
    end = histogram.start + len(histogram.counts) * histogram.width
    chart = Chart(
        describe_width(histogram.minutes),
        histogram.start,
        end,
        bars,
        default_window=False,
        clamped=False,
        stack=stack,
    )
    layout(chart)
    return chart
