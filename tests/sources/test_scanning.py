from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from auditconsole.sources.query import Query
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import Budget, EmptyScan, MergedScan, ScanStats


def rec(seconds: float | None, tag: str) -> Record:
    when = None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)
    return Record(time=when, level="INFO", levelno=20, logger=tag, message=tag, fields={}, raw=tag)


class ListScan:
    """A scan over a list; its state is the index of the next record."""

    def __init__(
        self, records: list[Record], start: int = 0, stop_after: int | None = None
    ) -> None:
        self.records = records
        self.position = start
        self.stop_after = stop_after

    def __iter__(self):
        while self.position < len(self.records):
            if self.stop_after is not None and self.position >= self.stop_after:
                return  # as if the budget ran out
            record = self.records[self.position]
            self.position += 1
            yield record

    @property
    def cursor(self) -> Any:
        return None if self.position >= len(self.records) else self.position

    def cursor_before(self, record: Record) -> Any:
        return self.records.index(record)


def test_budget() -> None:
    assert not Budget.unlimited().exhausted
    budget = Budget(max_bytes=10)
    budget.charge(9)
    assert not budget.exhausted
    budget.charge(1)
    assert budget.exhausted
    assert Budget(seconds=0).exhausted
    assert Budget(seconds=60).elapsed >= 0


def test_merge_orders_by_time_and_keeps_untimed_records_in_place() -> None:
    a = [rec(10, "a10"), rec(None, "a-untimed"), rec(5, "a5")]
    b = [rec(None, "b-first"), rec(8, "b8"), rec(1, "b1")]
    merged = MergedScan({"a": ListScan(a), "b": ListScan(b)})
    assert [r.message for r in merged] == ["b-first", "a10", "a-untimed", "b8", "a5", "b1"]
    assert merged.cursor is None


def test_merge_cursor_counts_unconsumed_heads() -> None:
    a = [rec(10, "a10"), rec(5, "a5")]
    b = [rec(8, "b8"), rec(1, "b1")]
    merged = MergedScan({"a": ListScan(a), "b": ListScan(b)})
    iterator = iter(merged)
    first = next(iterator)
    assert first.message == "a10"
    # a consumed one; b's head (b8) was read ahead but not used: resume at it
    assert merged.cursor == {"a": 1, "b": 0}
    assert merged.cursor_before(first) == {"a": 0, "b": 0}
    with pytest.raises(ValueError):
        merged.cursor_before(b[1])


def test_merge_stops_when_an_input_stalls_on_the_budget() -> None:
    a = [rec(10, "a10"), rec(9, "a9"), rec(1, "a1")]
    b = [rec(8, "b8")]
    stalled = ListScan(a, stop_after=1)
    merged = MergedScan({"a": stalled, "b": ListScan(b)})
    assert [r.message for r in merged] == ["a10"]  # b8 might be older than a9: stop
    assert merged.cursor == {"a": 1, "b": 0}


def test_nested_merges_resume_exactly() -> None:
    inner = MergedScan({"x": ListScan([rec(9, "x9"), rec(3, "x3")]), "y": ListScan([rec(7, "y7")])})
    outer = MergedScan({"inner": inner, "z": ListScan([rec(8, "z8"), rec(2, "z2")])})
    iterator = iter(outer)
    assert [next(iterator).message for _ in range(2)] == ["x9", "z8"]
    assert outer.cursor == {"inner": {"x": 1, "y": 0}, "z": 1}


def test_stats_facets_and_notices() -> None:
    stats = ScanStats()
    stats.observe(rec(1, "l"), (True, True, False))
    stats.observe(rec(1, "l"), (False, False, True))
    stats.notice("n")
    stats.notice("n")
    assert stats.levels == {"INFO": 1} and stats.loggers == {"l": 1} and stats.notices == ["n"]
    assert Query().evaluate(rec(1, "l")) == (True, True, True)


def test_empty_scan() -> None:
    assert list(EmptyScan()) == [] and EmptyScan().cursor is None
