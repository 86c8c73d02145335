"""ClickHouseSource against the real engine (chdb, in-process): both schemas.

Path covered: clickhouse-connect's chdb client (``chdb://`` DSN). The HTTP transport is
covered by test_http.py against the same engine.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from auditconsole.sources import levels
from auditconsole.sources.base import FACET_LIMIT
from auditconsole.sources.clickhouse import ClickHouseSource
from auditconsole.sources.query import FieldFilter, Query
from auditconsole.sources.records import Record
from auditconsole.sources.registry import get_source
from auditconsole.sources.scanning import Budget, ScanContext, take
from tests.sources.clickhouse import data

#: A window of 600 OTel rows (60 s at 10 rows a second) that filters are checked on.
WINDOW_FROM = data.START + timedelta(seconds=1000)
WINDOW_TO = WINDOW_FROM + timedelta(seconds=60) - timedelta(milliseconds=1)


@pytest.fixture
def audit(ch_sources) -> ClickHouseSource:
    ch_sources()
    source = get_source("audit")
    assert isinstance(source, ClickHouseSource)
    return source


def everything(source: ClickHouseSource, query: Query) -> list[Record]:
    return list(source.iter_records(query))


def window(**kwargs: Any) -> Query:
    return Query(since=WINDOW_FROM, until=WINDOW_TO, **kwargs)


def seqs(records: list[Record]) -> list[int]:
    return [int(record.data["seq"]) for record in records]


# -- browsing ------------------------------------------------------------------------------


def test_newest_page_comes_first_and_is_masked(cluster):
    page = cluster.page(Query(), limit=10)
    assert [r.logger for r in page.records[:5]] == ["apps.hostile"] * 5
    assert page.records[5].message == "event 99999"
    assert page.records[5].data["host"] == "host-19"
    times = [r.time for r in page.records]
    assert times == sorted(times, reverse=True)
    # Secrets: the Map key "password" and "password=" in the text are masked.
    hostile = page.records[:5]
    assert all(r.fields["password"] == "********" for r in hostile[1:])
    assert "password=********" in hostile[2].message
    assert data.SECRET not in "".join(r.raw + r.message for r in page.records)
    # Invalid UTF-8 reads with replacement characters, not as hex digits.
    assert hostile[0].message.startswith("ok \ufffd")
    assert page.cursor is not None


def test_activity_audit_schema_reads_json_text_by_dotted_path(audit):
    page = audit.page(Query(), limit=3)
    newest = page.records[0]
    assert (newest.level, newest.logger, newest.message) == ("ERROR", "apps.billing", "audit 19999")
    assert newest.lookup("user_info.email") == "user39@example.com"
    assert newest.lookup("extra.ticket.priority") == 3
    assert newest.lookup("extra.token") == "********"
    assert newest.data["host"] == "web-3"
    found = audit.page(Query(fields=(FieldFilter.parse("extra.ticket.priority=2"),)), limit=500)
    assert found.records and all(r.lookup("extra.ticket.priority") == 2 for r in found.records)
    found = audit.page(Query(fields=(FieldFilter.parse("request_repr.method=post"),)), limit=5)
    assert {r.lookup("request_repr.method") for r in found.records} == {"POST"}


def test_walking_every_page_gives_every_row_once_across_a_shared_timestamp(cluster):
    """3000 rows share one timestamp: pages of 700 cross it, and each row comes once."""
    since = data.SAME_TIME - timedelta(seconds=30)
    until = data.SAME_TIME + timedelta(seconds=30)
    query = Query(since=since, until=until)
    seen: list[int] = []
    cursor = None
    while True:
        page = cluster.page(query, cursor, limit=700)
        seen.extend(seqs(page.records))
        cursor = page.cursor
        if cursor is None:
            break
    expected = sum(
        1
        for n in range(data.OTEL_ROWS)
        if (data.SAME_FROM <= n < data.SAME_FROM + data.SAME_COUNT)
        or since <= data.START + timedelta(milliseconds=100 * n) <= until
    )
    assert len(seen) == expected == len(set(seen))
    assert set(range(data.SAME_FROM, data.SAME_FROM + data.SAME_COUNT)) <= set(seen)


def test_filters_run_in_the_engine_exactly_as_the_file_filters_do(cluster):
    """Every filter, pushed down as SQL, picks what Query.matches picks in Python."""
    rows = everything(cluster, window())
    assert len(rows) == 600
    queries = [
        window(min_level=levels.WARNING),
        window(min_level=levels.AUDIT),
        window(logger="apps.billing"),
        window(text="PAYMENT FAILED"),
        window(text=r"event 1\d{3}7\b", regex=True),
        window(fields=(FieldFilter.parse("user_id=14"),)),
        window(fields=(FieldFilter.parse("user_id=14.0"),)),
        window(fields=(FieldFilter.parse("http.method=post"), FieldFilter.parse("seq!=10001"))),
        window(fields=(FieldFilter.parse("host=host-07"),)),
        window(fields=(FieldFilter.parse("ResourceAttributes.host.name=host-07"),)),
        window(fields=(FieldFilter.parse("ServiceName=svc-1"),)),
        window(fields=(FieldFilter.parse("no_such_field=1"),)),
        window(fields=(FieldFilter.parse("no_such_field!=1"),), min_level=levels.ERROR),
    ]
    for query in queries:
        pushed = seqs(everything(cluster, query))
        expected = seqs([r for r in rows if query.matches(r)])
        assert pushed == expected, query
    assert len(seqs(everything(cluster, queries[5]))) == 12  # one row in 50


def test_facets_count_the_whole_selection_in_the_engine(cluster):
    query = window(min_level=levels.ERROR, logger="apps.billing")
    rows = everything(cluster, window())
    assert cluster.facets_apart and cluster.page(query, limit=5).facets.levels == []
    facets = cluster.count_facets(query)
    without_level = Counter(r.level for r in rows if r.logger.startswith("apps.billing"))
    without_logger = Counter(r.logger for r in rows if r.levelno >= levels.ERROR)
    hosts = Counter(r.data["host"] for r in rows if query.matches(r))
    assert dict(facets.levels) == dict(without_level)
    assert dict(facets.loggers) == dict(without_logger)
    assert dict(facets.hosts) == dict(hosts)
    assert facets.levels[0][0] == "DEBUG"  # severity order, as the file facets
    counted = cluster.count_facets(Query())
    assert len(counted.hosts) == FACET_LIMIT and not counted.partial
    assert sum(count for _, count in counted.levels) == data.OTEL_ROWS + 5


def test_get_and_around_read_a_record_and_its_neighbours(cluster):
    page = cluster.page(window(), limit=20)
    middle = page.records[10]
    assert cluster.get(middle.ref).raw == middle.raw
    around = cluster.around(middle.ref, 3)
    assert around is not None
    assert seqs(around.rows) == seqs(page.records[7:14])
    foreign = type(middle.ref)("other", middle.ref.stream, middle.ref.file_id, 0, 0)
    assert cluster.get(foreign) is None
    gone = type(middle.ref)("cluster", middle.ref.stream, (middle.ref.file_id[0], 1), 0, 0)
    assert cluster.get(gone) is None
    assert cluster.around(gone, 3) is None


@pytest.mark.parametrize("cursor", ["x", [1, 2], [1, 2, -3], [1, "2", 3], {"a": 1}, [True, 1, 1]])
def test_a_malformed_cursor_is_refused(cluster, cursor):
    with pytest.raises(ValueError):
        cluster.page(Query(), cursor)


def test_export_iterates_in_blocks_with_no_budget(cluster):
    since = data.START + timedelta(seconds=8000)  # the last 20000 rows
    query = Query(min_level=levels.ERROR, logger="django.request", since=since)
    records = everything(cluster, query)
    # seq % 6 == 2 (ERROR) and seq % 4 == 2 (django.request): seq % 12 == 2.
    assert len(records) == len([n for n in range(80_000, data.OTEL_ROWS) if n % 12 == 2])
    assert len(set(seqs(records))) == len(records)


def test_a_spent_budget_stops_the_scan_with_a_cursor_to_go_on(cluster):
    ctx = ScanContext(query=Query(), budget=Budget(max_bytes=1))
    scan = cluster.scan(Query(), None, ctx)
    first = take(scan, 1000)
    assert 0 < len(first) < 1000
    assert scan.cursor is not None
    rest = take(cluster.scan(Query(), scan.cursor, ScanContext(Query(), Budget.unlimited())), 5)
    assert rest[0].time <= first[-1].time


def test_files_and_newest_time_describe_the_table(cluster):
    (info,) = cluster.files()
    assert info.error is None and info.live
    assert "otel_logs" in info.name
    assert cluster.newest_time() == data.HOSTILE_TIME + timedelta(seconds=4)


def test_the_volume_histogram_is_counted_by_the_engine_with_every_filter(cluster):
    for query in (window(min_level=levels.ERROR, logger="apps.billing"), window(), Query()):
        histogram = cluster.count_facets(query).histogram
        assert histogram is not None
        again = type(histogram)(
            histogram.start, histogram.minutes, [Counter() for _ in histogram.counts]
        )
        matching = [r for r in everything(cluster, query) if query.matches(r)]
        for record in matching:
            again.add_time(record.time, record.level)
        assert again.counts == histogram.counts and histogram.total == len(matching)
    nothing = window(text="no record says this, anywhere")
    assert cluster.count_facets(nothing).histogram is None
