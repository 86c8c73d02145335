from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.http import QueryDict
from django.utils import timezone

from auditconsole.activity.chart import (
    DAY,
    DEFAULT_SPAN,
    HOUR,
    MAX_SPAN,
    MONTH,
    WEEK,
    Chart,
    bucket_edges,
    build_chart,
    count_buckets,
    granularity_for,
    layout,
    nice_ceiling,
)
from auditconsole.activity.search import ActivitySearch
from project.demo.models import Customer
from tests.activity.entries import NOW, log

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def chart_for(viewer, query: str = "", now: datetime.datetime = NOW) -> Chart | None:
    return build_chart(ActivitySearch(QueryDict(query), viewer, now=now), "/audit/activity/")


@pytest.mark.parametrize(
    ("span", "granularity"),
    [
        (datetime.timedelta(hours=5), HOUR),
        (datetime.timedelta(days=3), HOUR),
        (datetime.timedelta(days=4), DAY),
        (datetime.timedelta(days=92), DAY),
        (datetime.timedelta(days=200), WEEK),
        (datetime.timedelta(days=800), MONTH),
    ],
)
def test_granularity(span, granularity) -> None:
    assert granularity_for(span) == granularity


def test_day_edges_are_local_midnights_across_dst() -> None:
    with timezone.override(PARIS):
        start = datetime.datetime(2026, 3, 28, 12, tzinfo=PARIS)
        edges = bucket_edges(start, datetime.datetime(2026, 3, 30, 12, tzinfo=PARIS), DAY)
    assert [e.astimezone(PARIS).hour for e in edges] == [0, 0, 0, 0]
    # 29 March 2026 is 23 hours long in Paris.
    assert edges[2].astimezone(UTC) - edges[1].astimezone(UTC) == datetime.timedelta(hours=23)


def test_hour_edges_step_in_real_time_through_the_repeated_hour() -> None:
    with timezone.override(PARIS):
        start = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        edges = bucket_edges(start, start + datetime.timedelta(hours=2), HOUR)
    assert [e.astimezone(UTC).hour for e in edges] == [0, 1, 2, 3]
    # Paris shows 02:00 twice: the edges are still an hour apart in real time.
    assert [e.astimezone(PARIS).strftime("%H%z") for e in edges] == [
        "02+0200",
        "02+0100",
        "03+0100",
        "04+0100",
    ]


def test_week_and_month_edges() -> None:
    start = datetime.datetime(2026, 3, 18, 15, tzinfo=UTC)  # a Wednesday
    weeks = bucket_edges(start, start + datetime.timedelta(days=10), WEEK)
    assert weeks[0] == datetime.datetime(2026, 3, 16, tzinfo=UTC)
    assert all(e.weekday() == 0 for e in weeks)
    months = bucket_edges(start, datetime.datetime(2026, 6, 2, tzinfo=UTC), MONTH)
    assert [e.month for e in months] == [3, 4, 5, 6, 7]
    assert all(e.day == 1 for e in months)
    december = bucket_edges(
        datetime.datetime(2026, 12, 5, tzinfo=UTC), datetime.datetime(2027, 1, 2, tzinfo=UTC), MONTH
    )
    assert [(e.year, e.month) for e in december] == [(2026, 12), (2027, 1), (2027, 2)]


def test_count_buckets_in_one_query(superuser, django_assert_num_queries) -> None:
    edges = [datetime.datetime(2026, 3, d, tzinfo=UTC) for d in (1, 2, 3, 4, 5, 6)]
    log(superuser, Customer, 1, ADDITION, when=datetime.datetime(2026, 3, 1, tzinfo=UTC))
    log(superuser, Customer, 1, CHANGE, when=datetime.datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    log(superuser, Customer, 1, CHANGE, when=datetime.datetime(2026, 3, 3, 12, tzinfo=UTC))
    log(superuser, Customer, 1, DELETION, when=datetime.datetime(2026, 3, 5, 23, tzinfo=UTC))
    log(superuser, Customer, 2, CHANGE, when=datetime.datetime(2026, 3, 6, tzinfo=UTC))  # outside
    log(superuser, Customer, 2, CHANGE, when=datetime.datetime(2026, 2, 28, tzinfo=UTC))  # outside
    with django_assert_num_queries(1):
        counts = count_buckets(LogEntry.objects.all(), edges)
    assert counts == {(0, ADDITION): 1, (0, CHANGE): 1, (2, CHANGE): 1, (4, DELETION): 1}


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 1, 2, 3, 7, 10, 11, 45, 51, 1000, 1001)] == [
        1,
        1,
        2,
        5,
        10,
        10,
        20,
        50,
        100,
        1000,
        2000,
    ]


def test_chart_of_the_last_30_days(superuser) -> None:
    log(superuser, Customer, 1, ADDITION, when=NOW - datetime.timedelta(days=2))
    log(superuser, Customer, 1, CHANGE, when=NOW - datetime.timedelta(days=2))
    log(superuser, Customer, 1, CHANGE, when=NOW - datetime.timedelta(days=1))
    log(superuser, Customer, 1, DELETION, when=NOW - datetime.timedelta(days=45))
    chart = chart_for(superuser)
    assert chart.granularity == DAY and chart.default_window and not chart.clamped
    assert chart.end == NOW and chart.start == NOW - DEFAULT_SPAN
    assert chart.total == 3
    assert chart.totals == {"addition": 1, "change": 2, "deletion": 0}
    busiest = max(chart.bars, key=lambda bar: bar.total)
    assert busiest.counts == {"addition": 1, "change": 1, "deletion": 0}
    assert busiest.title == "Mar 13: 1 addition, 1 change"
    assert [s.action for s in busiest.segments] == ["addition", "change"]
    # Each bar narrows the list to its day, keeping the other filters.
    assert busiest.url == "/audit/activity/?since=2026-03-13&until=2026-03-13"
    empty = next(bar for bar in chart.bars if not bar.total)
    assert empty.title.endswith("no entries") and empty.segments == []


def test_geometry_is_proportional_and_inside_the_plot(superuser) -> None:
    for n in range(4):
        log(superuser, Customer, n, CHANGE, when=NOW - datetime.timedelta(hours=3))
    log(superuser, Customer, 9, ADDITION, when=NOW - datetime.timedelta(days=3))
    chart = chart_for(superuser)
    assert chart.scale_max == 5
    tall = max(chart.bars, key=lambda bar: bar.total)
    short = next(bar for bar in chart.bars if bar.total == 1)
    assert tall.segments[0].height == pytest.approx(4 * short.segments[0].height)
    for bar in chart.bars:
        assert chart.plot_left <= bar.x < bar.x + bar.width <= chart.plot_right + 0.01
        for segment in bar.segments:
            assert segment.y >= 0 and segment.y + segment.height <= chart.baseline + 0.01
    assert [t.label for t in chart.y_ticks] == ["0", "5"]
    assert 1 <= len(chart.x_ticks) <= 6


def test_y_ticks_get_a_middle_line_when_even(superuser) -> None:
    for n in range(2):
        log(superuser, Customer, n, CHANGE, when=NOW - datetime.timedelta(hours=3))
    assert [t.label for t in chart_for(superuser).y_ticks] == ["0", "1", "2"]


def test_an_old_object_gets_its_own_last_month(superuser) -> None:
    old = NOW - datetime.timedelta(days=200)
    log(superuser, Customer, 5, CHANGE, when=old)
    chart = chart_for(superuser, "object_id=5")
    assert chart.default_window
    assert chart.end == old + datetime.timedelta(seconds=1)
    assert chart.total == 1


def test_short_ranges_are_hourly_and_until_is_capped_at_now(superuser) -> None:
    log(superuser, Customer, 1, CHANGE, when=NOW - datetime.timedelta(hours=5))
    chart = chart_for(superuser, "period=24h&until=2030-01-01")
    assert chart.granularity == HOUR
    assert chart.end == NOW
    assert chart.total == 1
    assert all("period" not in bar.url for bar in chart.bars)
    busy = next(bar for bar in chart.bars if bar.total)
    assert (
        busy.url
        == "/audit/activity/?since=2026-03-15T07%3A00%3A00%2B00%3A00&until=2026-03-15T08%3A00%3A00%2B00%3A00"
    )


def test_explicit_window_is_used(superuser) -> None:
    chart = chart_for(superuser, "since=2026-01-01&until=2026-01-31")
    assert not chart.default_window
    assert chart.granularity == DAY and len(chart.bars) == 31
    assert chart.total == 0


def test_until_without_since_looks_back_30_days(superuser) -> None:
    chart = chart_for(superuser, "until=2026-02-01")
    assert chart.end == datetime.datetime(2026, 2, 2, tzinfo=UTC)
    assert chart.start == chart.end - DEFAULT_SPAN


def test_very_long_windows_are_clamped(superuser) -> None:
    chart = chart_for(superuser, "since=1990-01-01")
    assert chart.clamped and chart.granularity == MONTH
    assert chart.end - chart.start == MAX_SPAN
    assert len(chart.bars) <= 122


def test_future_window_is_empty(superuser) -> None:
    chart = chart_for(superuser, "since=2030-01-01")
    assert chart.bars == [] and chart.total == 0


def test_invalid_search_has_no_chart(superuser) -> None:
    assert chart_for(superuser, "since=garbage") is None


def test_scoped_viewer_counts_only_visible_rows(superuser, support_user) -> None:
    from django.contrib.auth.models import User

    log(superuser, Customer, 1, CHANGE, when=NOW - datetime.timedelta(days=1))
    log(superuser, User, superuser.pk, CHANGE, when=NOW - datetime.timedelta(days=1))
    assert chart_for(superuser).total == 2
    assert chart_for(support_user).total == 1


def test_layout_of_an_empty_chart() -> None:
    chart = Chart(DAY, NOW, NOW, [], default_window=False, clamped=False)
    layout(chart)
    assert chart.scale_max == 1 and chart.x_ticks == []


@pytest.mark.parametrize("query", ["", "period=24h"])
def test_a_bars_link_lists_exactly_its_entries(superuser, query) -> None:
    for hours in (1, 2, 2, 30, 50):
        log(
            superuser,
            Customer,
            hours,
            CHANGE,
            when=NOW - datetime.timedelta(hours=hours, minutes=5),
        )
    chart = chart_for(superuser, query)
    for bar in (bar for bar in chart.bars if bar.total):
        narrowed = ActivitySearch(QueryDict(bar.url.partition("?")[2]), superuser, now=NOW)
        assert narrowed.queryset.count() == bar.total
