"""The volume histogram's buckets and its chart."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from auditconsole.sources.histogram import (
    MAX_BUCKETS,
    NO_LEVEL,
    Histogram,
    describe_width,
    log_chart,
    width_for,
)

AT = datetime(2026, 4, 4, 12, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("span", "minutes"),
    [
        (timedelta(seconds=10), 1),
        (timedelta(minutes=58), 1),
        (timedelta(minutes=60), 2),
        (timedelta(hours=24), 30),
        (timedelta(days=7), 180),
        (timedelta(days=29), 720),
        (timedelta(days=30), 1440),
        (timedelta(days=365), 10080),
        (timedelta(days=3650), 10080 * 9),
    ],
)
def test_the_width_keeps_the_bars_under_the_limit(span: timedelta, minutes: int) -> None:
    assert width_for(span) == minutes
    histogram = Histogram.spanning(AT, AT + span)
    assert len(histogram.counts) <= MAX_BUCKETS


def test_buckets_are_aligned_and_cover_both_ends() -> None:
    histogram = Histogram.spanning(AT, AT + timedelta(hours=2))  # 5-minute bars
    assert histogram.minutes == 5
    assert histogram.start == datetime(2026, 4, 4, 12, 5, tzinfo=UTC)
    assert histogram.bounds(len(histogram.counts) - 1)[1] > AT + timedelta(hours=2)
    histogram.add_time(AT, "INFO")
    histogram.add_time(AT + timedelta(minutes=3), "ERROR", 2)
    histogram.add_time(AT - timedelta(hours=1), "ERROR")  # outside: not counted
    histogram.add_time(AT + timedelta(days=1), "ERROR")
    assert histogram.counts[0] == Counter({"INFO": 1})
    assert histogram.counts[1] == Counter({"ERROR": 2})
    assert histogram.total == 3
    assert histogram.levels == ("INFO", "ERROR")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(1, "minute"), (5, "5 minutes"), (60, "hour"), (180, "3 hours"), (1440, "day"),
     (2880, "2 days"), (10080, "week"), (20160, "2 weeks")],
)  # fmt: skip
def test_widths_read_as_words(minutes: int, text: str) -> None:
    assert describe_width(minutes) == text


def test_the_chart_stacks_levels_and_links_each_bar_to_its_bucket() -> None:
    histogram = Histogram.spanning(AT, AT + timedelta(days=3))  # 2-hour bars
    histogram.add_time(AT, "", 4)
    histogram.add_time(AT, "ERROR", 1)
    histogram.add_time(AT + timedelta(days=2), "INFO", 2)
    links = []

    def link(changes: dict[str, str | None]) -> str:
        links.append(changes)
        return f"/logs/?since={changes['since']}&until={changes['until']}"

    chart = log_chart(histogram, link)
    assert chart.granularity == "2 hours"
    assert chart.stack == (NO_LEVEL, "INFO", "ERROR")
    assert chart.totals == {NO_LEVEL: 4, "INFO": 2, "ERROR": 1}
    first = chart.bars[0]
    assert [segment.action for segment in first.segments] == [NO_LEVEL, "ERROR"]
    assert first.title == "Apr 4, 12:00: 4 (none), 1 ERROR"
    assert links[0] == {"since": "2026-04-04T12:00:00+00:00", "until": "2026-04-04T14:00:00+00:00"}
    assert len(links) == len(histogram.counts)


def test_a_chart_of_whole_days_labels_days() -> None:
    histogram = Histogram.spanning(AT, AT + timedelta(days=50))
    histogram.add_time(AT, "INFO")
    chart = log_chart(histogram, lambda changes: "/")
    assert chart.granularity == "day" and chart.bars[0].label == "Apr 4"
