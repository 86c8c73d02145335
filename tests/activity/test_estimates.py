from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test import override_settings

from auditconsole.activity import estimates
from auditconsole.activity.estimates import (
    Sample,
    choose_sample,
    range_counts,
    sampled_rows,
    table_size,
)
from auditconsole.activity.facets import FacetBuilder
from auditconsole.activity.search import ActivitySearch
from auditconsole.templatetags.auditconsole_activity import facet_estimate
from tests.activity.entries import NOW, many_entries

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TABLESAMPLE and reltuples are PostgreSQL's"
)
ROWS = 3000
CUBE = ("content_type_id", "user_id", "action_flag")


@pytest.fixture
def big_log(superuser, make_user) -> dict:
    alice = make_user("alice")
    many_entries([alice, superuser], ROWS)
    return {"alice": alice, "root": superuser}


def cube_query(queryset):
    return queryset.values_list(*CUBE).annotate(n=Count("pk")).order_by()


def search(viewer, query: str = "") -> ActivitySearch:
    return ActivitySearch(QueryDict(query), viewer, now=NOW)


def test_sample_scales_by_the_rows_it_read() -> None:
    # 2.5% of the pages held 250,000 rows of the 10,000,000: each counts for 40.
    sample = Sample(percent=2.5, table_rows=10_000_000, matching_rows=4_000_000, rows_read=250_000)
    assert sample.scale == 40
    assert sample.scaled(7) == 280
    # Pages that held 5% more rows than their share: each counts for less.
    assert Sample(2.5, 10_000_000, 4_000_000, 262_500).scaled(105) == 4000
    # A sample that read nothing (a table emptied since its statistics): by the share.
    assert Sample(2.5, 10_000_000, 4_000_000, 0).scale == 40


def test_sqlite_always_counts_exactly(big_log) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL's choice is tested below")
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=1):
        assert choose_sample(LogEntry.objects.all()) is None


@postgresql_only
def test_small_tables_and_narrow_filters_are_counted_exactly(big_log, monkeypatch) -> None:
    monkeypatch.setattr(estimates, "SAMPLE_ROWS", ROWS // 4)
    assert table_size(LogEntry, "default") == ROWS
    # The default threshold (two million rows) is far above this table.
    assert choose_sample(LogEntry.objects.all()) is None
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=ROWS // 2):
        sample = choose_sample(LogEntry.objects.all())
        assert sample is not None
        assert (sample.percent, sample.table_rows, sample.matching_rows) == (25.0, ROWS, ROWS)
        # The rows of the pages drawn, by the same seed each time.
        assert 0 < sample.rows_read < ROWS
        assert choose_sample(LogEntry.objects.all()) == sample
        # A filter the planner expects to match fewer rows than the threshold: exact.
        assert choose_sample(LogEntry.objects.filter(object_id="7")) is None
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=ROWS):
        # The table itself is not larger than the threshold.
        assert choose_sample(LogEntry.objects.all()) is None
    # A sample above MAX_PERCENT of the table saves too little: exact.
    monkeypatch.setattr(estimates, "SAMPLE_ROWS", ROWS)
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=10):
        assert choose_sample(LogEntry.objects.all()) is None


@postgresql_only
def test_a_table_never_analysed_counts_as_empty(db) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE never_analysed (id int)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass('never_analysed')")
        assert cursor.fetchone()[0] in (-1, 0)

    class Meta:
        db_table = "never_analysed"

    model = type("NeverAnalysed", (), {"_meta": Meta})
    assert table_size(model, "default") == 0  # type: ignore[arg-type]
    # Analysed while empty: no pages to reckon by.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE never_analysed")
    assert table_size(model, "default") == 0  # type: ignore[arg-type]


@postgresql_only
def test_a_table_grown_since_its_statistics_is_reckoned_by_its_pages(big_log) -> None:
    many_entries([big_log["alice"]], ROWS, analyse=False)
    # The statistics still say ROWS; the table has more pages. (Not exactly twice the
    # rows: pages that earlier tests' rolled-back rows left are in the statistics'
    # rows per page, as the planner has them.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'django_admin_log'")
        assert cursor.fetchone()[0] == ROWS
    assert ROWS * 1.2 < table_size(LogEntry, "default") <= 2 * ROWS * 1.05


@postgresql_only
def test_the_whole_table_as_a_sample_gives_the_exact_counts(big_log, monkeypatch) -> None:
    """The rewritten SQL keeps every filter and its bound values: a hundred percent sample
    equals the plain query, with a needle holding %, quotes and non-ASCII."""
    queryset = search(big_log["root"], "q=0 100%25 “quoted”&action=change").queryset
    full = Sample(percent=100.0, table_rows=ROWS, matching_rows=ROWS, rows_read=ROWS)
    exact = sorted(cube_query(queryset))
    assert exact and sum(n for *_, n in exact) < ROWS
    assert sorted(sampled_rows(cube_query(queryset), full)) == exact


@postgresql_only
def test_a_partial_sample_counts_a_subset_and_scales_it(big_log) -> None:
    queryset = LogEntry.objects.all()
    exact = {tuple(key): n for *key, n in cube_query(queryset)}
    sample = Sample(percent=30.0, table_rows=ROWS, matching_rows=ROWS, rows_read=0)
    sampled = {tuple(key): n for *key, n in sampled_rows(cube_query(queryset), sample)}
    assert sampled, "a 30% sample of a table of many pages holds rows"
    assert all(0 < n <= exact[key] for key, n in sampled.items())
    assert sum(sampled.values()) < ROWS
    # The same seed each time: a reload shows the same figures.
    assert {tuple(k): n for *k, n in sampled_rows(cube_query(queryset), sample)} == sampled
    estimated = sum(sample.scaled(n) for n in sampled.values())
    assert ROWS / 3 < estimated < ROWS * 3


@postgresql_only
def test_facets_say_they_are_estimates(big_log, monkeypatch) -> None:
    monkeypatch.setattr(estimates, "SAMPLE_ROWS", ROWS // 3)
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=ROWS // 2):
        groups = {
            group.key: group
            for group in FacetBuilder(search(big_log["root"]), "/audit/activity/").groups()
        }
    sample = groups["action"].sample
    assert sample is not None and sample.percent == pytest.approx(100 / 3)
    for key in ("user", "action", "content_type"):
        assert groups[key].sample == sample
        assert all(choice.estimated for choice in (*groups[key].choices, *groups[key].more))
    actions = Counter({choice.label: choice.count for choice in groups["action"].choices})
    assert all(actions.values())
    # Without filters the sample's rows are all counted, and scale to the table's rows.
    dates = groups["date"]
    assert dates.total == ROWS
    assert sum(actions.values()) == pytest.approx(ROWS, abs=3)
    # Without a date filter "All" comes from the same sample; the presets, ranges of
    # time, are counted (the planner would estimate those above EXACT_RANGE_ROWS).
    assert dates.sample == sample
    presets = {choice.label: (choice.count, choice.estimated) for choice in dates.choices}
    assert presets["Today"] == (721, False) and presets["Last 30 days"] == (ROWS, False)


@postgresql_only
def test_a_dated_search_estimates_only_what_is_large(big_log, monkeypatch) -> None:
    """Today's 721 entries are counted exactly; "All" of the dates (every entry) is
    estimated from its own sample, and the fragment's note names that sample."""
    monkeypatch.setattr(estimates, "SAMPLE_ROWS", ROWS // 3)
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=ROWS // 2):
        groups = {
            group.key: group
            for group in FacetBuilder(
                search(big_log["root"], "period=today"), "/audit/activity/"
            ).groups()
        }
    assert groups["action"].sample is None
    assert not any(choice.estimated for choice in groups["action"].choices)
    assert sum(choice.count for choice in groups["action"].choices) == 721
    dates = groups["date"]
    assert dates.sample is not None and not any(choice.estimated for choice in dates.choices)
    assert dates.total == ROWS  # every row, estimated: the sample's rows, scaled
    assert {choice.label: choice.count for choice in dates.choices}["Today"] == 721
    assert facet_estimate(list(groups.values())) == dates.sample


@postgresql_only
def test_large_date_ranges_get_the_planners_estimate(big_log, monkeypatch) -> None:
    monkeypatch.setattr(estimates, "EXACT_RANGE_ROWS", 1000)
    starts = {"today": NOW.replace(hour=0, minute=0), "30d": NOW - datetime.timedelta(days=30)}
    counts, estimated = range_counts(LogEntry.objects.all(), starts, estimate=True)
    # Today's 721 rows are under the bound: counted. Thirty days (every row): estimated.
    assert estimated == {"30d"} and counts["today"] == 721
    assert counts["30d"] == pytest.approx(ROWS, rel=0.2)
    assert range_counts(LogEntry.objects.all(), starts, estimate=False) == (
        {"today": 721, "30d": ROWS},
        frozenset(),
    )
    monkeypatch.setattr(estimates, "EXACT_RANGE_ROWS", 0)
    counts, estimated = range_counts(LogEntry.objects.all(), starts, estimate=True)
    assert estimated == {"today", "30d"}  # nothing left to count: no aggregate
