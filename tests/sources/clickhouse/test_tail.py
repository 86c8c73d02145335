"""The live tail of a ClickHouse source: polling the store by time, late rows, no repeats.

Each test writes to a table of its own (the shared ones stay as made); rows are stamped
by the engine's clock (``now64``), which is the clock the tail's lag window follows.
"""

from __future__ import annotations

from typing import Any

import pytest

from auditconsole.sources.clickhouse.source import MAX_SEEN
from auditconsole.sources.follow import follow
from auditconsole.sources.query import FieldFilter, Query
from auditconsole.sources.registry import source_for_user
from tests.sources.helpers import FILE_SOURCE, app_line, append, write


def seqs(result: Any) -> list[int]:
    return [int(record.data["seq"]) for record in result.records]


def test_tail_shows_the_last_lines_then_only_new_ones(live):
    source, insert = live
    insert(1, 2, 3)  # one INSERT: one timestamp, ordered among themselves by hash
    first = source.tail(None, 2)
    assert len(set(seqs(first))) == 2 and set(seqs(first)) < {1, 2, 3}
    assert source.tail(first.cursor).records == []
    insert(4, 5)
    second = source.tail(first.cursor)
    assert sorted(seqs(second)) == [4, 5]
    assert source.tail(second.cursor).records == []


def test_a_row_arriving_late_within_the_lag_is_shown_once(live):
    source, insert = live
    insert(1, ago=20)
    first = source.tail(None, 10)
    insert(2)
    insert(3, ago=5)  # stamped 5 s ago, written after the poll before: late
    insert(4, ago=90)  # later than the 30 s lag window: for the browse page only
    second = source.tail(first.cursor)
    assert seqs(second) == [3, 2]  # in time order, the late one first
    insert(5, ago=10)  # late again, and older than the last row shown
    third = source.tail(second.cursor)
    assert seqs(third) == [5]
    assert source.tail(third.cursor).records == []


def test_a_burst_larger_than_the_limit_is_read_over_several_polls(live):
    source, insert = live
    start = source.tail(None, 5)
    insert(*range(100, 100 + MAX_SEEN + 30))
    shown: list[int] = []
    cursor = start.cursor
    for _ in range(10):
        result = source.tail(cursor, 40)
        shown.extend(seqs(result))
        cursor = result.cursor
        if not result.more:
            break
    assert sorted(shown) == list(range(100, 100 + MAX_SEEN + 30))
    assert source.tail(cursor).records == []


def test_follow_filters_the_tail_like_a_file_tail(live):
    source, insert = live
    insert(1, level="ERROR")
    insert(2, level="INFO")
    query = Query(min_level=40, fields=(FieldFilter.parse("host=h1"),))
    started = follow(source, query, None, lines=10)
    assert seqs(started) == [1]
    insert(3, level="ERROR")
    insert(4, level="DEBUG")
    polled = follow(source, query, started.cursor)
    assert seqs(polled) == [3]


@pytest.mark.parametrize(
    "cursor", ["x", {"f": -1, "s": []}, {"f": 1, "s": "no"}, {"f": 1, "s": [[1]]}, [1]]
)
def test_a_malformed_tail_cursor_is_refused(live, cursor):
    source, _ = live
    with pytest.raises(ValueError):
        source.tail(cursor)


def test_a_merged_tail_follows_files_and_the_store_together(live, tmp_path, settings, superuser):
    _, insert = live
    path = write(tmp_path / "app.log", [app_line(n) for n in range(3)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        **settings.AUDITCONSOLE_LOG_SOURCES,
        "app": {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": str(path)}},
    }
    insert(1)
    merged = source_for_user(["app", "live"], superuser)
    started = follow(merged, Query(), None, lines=10)
    assert {record.source for record in started.records} == {"app", "live"}
    append(path, app_line(10))
    insert(2)
    polled = follow(merged, Query(), started.cursor)
    assert sorted((r.source, r.message) for r in polled.records) == [
        ("app", "event 10"),
        ("live", "line 2"),
    ]


def test_browsing_looks_in_the_last_hour_then_everywhere(live):
    """Blocks are sought in the hour before the position, then everywhere: all rows, in order."""
    source, insert = live
    insert(1, ago=3 * 86400)
    insert(2, ago=2 * 3600)
    insert(3, 4, ago=60)
    insert(5)
    walked: list[int] = []
    cursor = None
    while True:
        page = source.page(Query(), cursor, limit=2)
        walked.extend(int(record.data["seq"]) for record in page.records)
        cursor = page.cursor
        if cursor is None:
            break
    assert walked[0] == 5 and walked[-2:] == [2, 1] and sorted(walked) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("size", [2, 5])
def test_paging_gives_every_row_once_while_rows_arrive(live, writer, size):
    """Duplicate timestamps, identical rows, and rows inserted between page loads:
    walking every page gives each row that was there when the walk began, exactly once."""
    source, insert = live
    insert(*range(10), ago=120)  # ten rows on one timestamp
    insert(10, ago=60)
    insert(10, ago=60)  # the same row again (only its insertion differs)
    insert(11, 12, ago=30)
    expected = sorted([*range(10), 10, 10, 11, 12])
    walked: list[int] = []
    cursor = None
    extra = 100
    while True:
        page = source.page(Query(), cursor, limit=size)
        walked.extend(int(record.data["seq"]) for record in page.records)
        cursor = page.cursor
        if cursor is None:
            break
        insert(extra)  # newer than every cursor: for the next walk, not this one
        insert(extra, ago=200)  # older than this walk's start: a late row, found in order
        extra += 1
    late = [seq for seq in walked if seq >= 100]
    assert sorted(seq for seq in walked if seq < 100) == expected
    assert len(late) == len(set(late))  # late rows come at most once
