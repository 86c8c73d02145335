"""Facets and the volume histogram of a file source over the whole range (issue 16 item 3).

The property tests compare every count with the records a parse of every line gives,
filtered by :meth:`Query.evaluate`: the facets count with the other filters applied, the
histogram with all of them.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.sources import levels
from auditconsole.sources.base import Facets
from auditconsole.sources.files import tally as tallies
from auditconsole.sources.files.source import FileSource
from auditconsole.sources.histogram import Histogram
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import Budget
from tests.sources.files.test_prefilter import log_file
from tests.sources.helpers import START, app_line, append, rotated_app_logs, source, write


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    tallies.TALLIES.clear()
    yield
    tallies.TALLIES.clear()


def expected(log: FileSource, query: Query) -> tuple[Counter[str], Counter[str], list[Record]]:
    """Level and logger counts and the matching records, from every record parsed."""
    level_counts: Counter[str] = Counter()
    logger_counts: Counter[str] = Counter()
    matching = []
    for record in log.iter_records(Query()):
        matches, without_level, without_logger = query.evaluate(record)
        if without_level:
            level_counts[record.level] += 1
        if without_logger:
            logger_counts[record.logger] += 1
        if matches:
            matching.append(record)
    return level_counts, logger_counts, matching


def assert_counts(log: FileSource, query: Query, facets: Facets) -> None:
    level_counts, logger_counts, matching = expected(log, query)
    assert dict(facets.levels) == +level_counts, query
    assert dict(facets.loggers) == +logger_counts, query
    timed = [record for record in matching if record.time is not None]
    if not timed:
        assert facets.histogram is None
        return
    histogram = facets.histogram
    assert histogram is not None
    assert histogram.total == len(timed), query
    again = Histogram(histogram.start, histogram.minutes, [Counter() for _ in histogram.counts])
    for record in timed:
        again.add_time(record.time, record.level)
    assert again.counts == histogram.counts


# -- every count equals a parse of every line -----------------------------------------------


def moment(offset_us: int) -> datetime:
    return START + timedelta(microseconds=offset_us)


BOUND = st.one_of(st.none(), st.integers(-60_000_000, 300_000_000).map(moment))
QUERY = st.builds(
    Query,
    min_level=st.sampled_from([None, levels.DEBUG, levels.WARNING, levels.ERROR, levels.AUDIT]),
    logger=st.sampled_from(["", "apps.", "apps.billing", "django"]),
    since=BOUND,
    until=BOUND,
    text=st.sampled_from(["", "", "", "needle"]),
).filter(lambda q: q.since is None or q.until is None or q.since <= q.until)


@given(live=log_file(), rotated=log_file(), older=log_file(), query=QUERY)
def test_facets_equal_a_parse_of_every_line(
    tmp_path_factory: pytest.TempPathFactory,
    live: list[bytes],
    rotated: list[bytes],
    older: list[bytes],
    query: Query,
) -> None:
    tallies.TALLIES.clear()
    directory = tmp_path_factory.mktemp("logs")
    write(directory / "app.log.2.gz", older, gz=True)
    write(directory / "app.log.1", rotated)
    write(directory / "app.log", live)
    log = source(directory / "app.log")
    assert_counts(log, query, log.count_facets(query))
    assert_counts(log, query, log.count_facets(query))  # from the kept tallies


@st.composite
def text_file(draw: st.DrawFn) -> list[bytes]:
    """The classic text format: records with tracebacks, jittered times, and what else
    turns up in such files (blank and broken lines, a JSON line, bad UTF-8)."""
    lines: list[bytes] = []
    for n in range(draw(st.integers(0, 25))):
        when = START + timedelta(seconds=n * 13 + draw(st.integers(-90, 90)))
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,000")
        level = draw(st.sampled_from(["INFO", "ERROR", "warning", "CRIT", "AUDIT", "WEIRD"]))
        logger = draw(st.sampled_from(["apps.billing", "apps.tickets", "django.request"]))
        kind = draw(st.sampled_from(["record", "record", "record", "odd"]))
        if kind == "record":
            lines.append(f"{stamp} [{level}] {logger}: event {n}".encode())
            for _ in range(draw(st.integers(0, 3))):
                lines.append(draw(st.sampled_from([b"  File x.py", b"", b"KeyError: 'x'"])))
        else:
            lines.append(
                draw(
                    st.sampled_from(
                        [
                            b"   ",
                            b"continuation without a start",
                            b'{"time": "2026-04-04T12:00:00Z", "level": "ERROR", "name": "j"}',
                            f"{stamp} [INFO] apps.billing: caf\xc3".encode("latin-1"),
                            f"{stamp} no level here".encode(),
                        ]
                    )
                )
            )
    return lines


@given(live=text_file(), rotated=text_file(), query=QUERY)
def test_text_file_facets_equal_a_parse_of_every_record(
    tmp_path_factory: pytest.TempPathFactory,
    live: list[bytes],
    rotated: list[bytes],
    query: Query,
) -> None:
    tallies.TALLIES.clear()
    directory = tmp_path_factory.mktemp("logs")
    write(directory / "app.log.1.gz", rotated, gz=True)
    write(directory / "app.log", live)
    log = source(directory / "app.log", format="text")
    assert_counts(log, query, log.count_facets(query))
    assert_counts(log, query, log.count_facets(query))


def text_records(count: int, *, start: int = 0) -> list[str]:
    lines = []
    for n in range(start, start + count):
        when = (START + timedelta(seconds=n * 7)).strftime("%Y-%m-%d %H:%M:%S,000")
        level = ["INFO", "ERROR", "WARNING"][n % 3]
        lines.append(f"{when} [{level}] apps.{'billing' if n % 2 else 'tickets'}: event {n}")
        if level == "ERROR":
            lines += ["Traceback (most recent call last):", '  File "x.py", line 1', "KeyError"]
    return lines


@pytest.mark.parametrize(
    "query",
    [
        Query(),
        Query(min_level=levels.ERROR),
        Query(logger="apps.billing", since=START + timedelta(seconds=65.5)),
        Query(since=START + timedelta(seconds=30), until=START + timedelta(seconds=30.1)),
        Query(text="KeyError"),
    ],
)
def test_text_files_with_tracebacks_are_counted_by_record(logs: Path, query: Query) -> None:
    write(logs / "app.log.1", text_records(40))
    write(logs / "app.log", text_records(40, start=40))
    log = source(logs / "app.log")
    assert_counts(log, query, log.count_facets(query))


# -- the kept tallies --------------------------------------------------------------------------


def read_by(log: FileSource, query: Query | None = None) -> tuple[Facets, int]:
    """The facets and how many bytes counting them read."""
    budget = Budget.unlimited()
    from auditconsole.sources.files.facets import count_facets

    return count_facets(log, query or Query(), budget), budget.bytes


def test_a_second_count_reads_nothing_and_new_lines_only_what_is_new(logs: Path) -> None:
    rotated_app_logs(logs, per_file=50)
    log = source(logs / "app.log")
    first, read = read_by(log)
    assert read > 0 and sum(count for _, count in first.levels) == 250
    second, read_again = read_by(log)
    assert read_again == 0 and second.levels == first.levels
    line = app_line(250, level="CRITICAL")
    append(logs / "app.log", line)
    third, read_new = read_by(log)
    assert read_new == len(line) + 1
    assert dict(third.levels)["CRITICAL"] == 1


def test_a_rotation_keeps_the_renamed_files_tally(logs: Path) -> None:
    write(logs / "app.log", [app_line(n) for n in range(100)])
    log = source(logs / "app.log")
    read_by(log)
    os.rename(logs / "app.log", logs / "app.log.1")  # same inode, a new name
    fresh = write(logs / "app.log", [app_line(n) for n in range(100, 110)])
    facets, read = read_by(log)
    assert read == fresh.stat().st_size
    assert sum(count for _, count in facets.levels) == 110


def test_a_truncated_or_replaced_file_is_counted_afresh(logs: Path) -> None:
    path = write(logs / "app.log", [app_line(n) for n in range(100)])
    log = source(logs / "app.log")
    read_by(log)
    # Truncated in place (copytruncate) and written again: same inode, fewer bytes.
    with path.open("r+b") as handle:
        handle.truncate(0)
    append(path, *(app_line(n, level="CRITICAL") for n in range(3)))
    facets, _ = read_by(log)
    assert dict(facets.levels) == {"CRITICAL": 3}
    # Rewritten in place to more bytes with other first lines: not the file counted.
    path.write_bytes(b"".join(app_line(n, level="AUDIT").encode() + b"\n" for n in range(200)))
    facets, _ = read_by(log)
    assert dict(facets.levels) == {"AUDIT": 200}
    # Replaced by another file (another inode).
    other = write(logs / "new.log", [app_line(n, level="DEBUG") for n in range(5)])
    os.replace(other, path)
    facets, _ = read_by(log)
    assert dict(facets.levels) == {"DEBUG": 5}


def test_a_changed_rotated_file_is_not_served_from_the_cache(logs: Path) -> None:
    rotated = write(logs / "app.log.1", [app_line(n) for n in range(20)])
    write(logs / "app.log", [app_line(n) for n in range(20, 30)])
    log = source(logs / "app.log")
    read_by(log)
    append(rotated, app_line(99, level="CRITICAL"))  # size and mtime change
    facets, _ = read_by(log)
    assert dict(facets.levels)["CRITICAL"] == 1


def test_compressed_rotations_are_not_decompressed_twice(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rotated_app_logs(logs, per_file=30)
    log = source(logs / "app.log")
    first, _ = read_by(log)
    opened: list[str] = []
    real = tallies.count_file

    def spy(key: Any, file: Any, budget: Budget) -> Any:
        opened.append(file.file.name)
        return real(key, file, budget)

    monkeypatch.setattr("auditconsole.sources.files.facets.count_file", spy)
    second, _ = read_by(log)
    assert opened == ["app.log"]  # only the live file is looked at again
    assert second.levels == first.levels


def test_the_live_text_files_last_record_is_counted_once_as_it_grows(logs: Path) -> None:
    path = write(logs / "app.log", text_records(3))  # ends with an ERROR and its traceback
    log = source(logs / "app.log")
    facets, _ = read_by(log)
    assert dict(facets.levels) == {"INFO": 1, "ERROR": 1, "WARNING": 1}
    append(path, "  more traceback", "ValueError")
    facets, _ = read_by(log)
    assert dict(facets.levels) == {"INFO": 1, "ERROR": 1, "WARNING": 1}
    append(path, *text_records(2, start=3))
    facets, _ = read_by(log)
    assert dict(facets.levels) == {"INFO": 2, "ERROR": 2, "WARNING": 1}


def test_the_cache_is_bounded_by_its_setting(logs: Path, settings: Any) -> None:
    settings.AUDITCONSOLE_FACET_CACHE_KEYS = 60
    for name in ("a", "b", "c"):
        write(logs / f"{name}.log", [app_line(n, name=f"l{n}") for n in range(40)])  # 40 keys
        read_by(source(logs / f"{name}.log"))
    assert len(tallies.TALLIES) == 1  # 40 + 40 > 60: the older one is forgotten
    settings.AUDITCONSOLE_FACET_CACHE_KEYS = 10
    read_by(source(logs / "a.log"))
    assert len(tallies.TALLIES) == 0  # one file alone over the cap is not kept


# -- budgets and partial counts -----------------------------------------------------------------


def test_a_count_stopped_by_its_budget_says_so_and_goes_on_next_time(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rotated_app_logs(logs, per_file=3000)
    log = source(logs / "app.log")
    monkeypatch.setattr(tallies, "BUDGET_STRIDE", 100)
    monkeypatch.setattr(tallies, "COUNT_BLOCK", 8192)
    from auditconsole.sources.files.facets import count_facets

    counts = []
    for _ in range(50):
        facets = count_facets(log, Query(), Budget(None, 100_000))
        counts.append(sum(count for _, count in facets.levels))
        if not facets.partial:
            break
        assert "so far, the newest files first" in facets.note
    assert len(counts) > 3 and counts == sorted(counts) and counts[-1] == 15_000
    assert_counts(log, Query(), facets)


def test_text_filters_count_what_the_scan_budget_reached(logs: Path) -> None:
    write(logs / "app.log", [app_line(n) for n in range(3000)])
    log = source(logs / "app.log")
    from auditconsole.sources.files.facets import count_facets

    whole = count_facets(log, Query(text="event 1"), Budget.unlimited())
    assert not whole.partial and whole.note == ""
    assert_counts(log, Query(text="event 1"), whole)
    stopped = count_facets(log, Query(text="event"), Budget(None, 20_000))
    assert stopped.partial and "counted back to" in stopped.note
    assert 0 < sum(count for _, count in stopped.levels) < 3000


def test_an_unreadable_file_is_a_note_not_an_error(logs: Path) -> None:
    write(logs / "app.log.1", [app_line(n) for n in range(10)])
    write(logs / "app.log", [app_line(n) for n in range(10, 20)])
    log = source(logs / "app.log")
    discovered = log.discover()
    os.remove(logs / "app.log.1")  # gone between discovery and reading
    facets = count_facets_with(log, discovered)
    assert "app.log.1 could not be read" in facets.note
    assert sum(count for _, count in facets.levels) == 10


def count_facets_with(log: FileSource, discovered: Any) -> Facets:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(log, "discover", lambda: discovered)
        return log.count_facets(Query())


def test_a_compressed_file_is_counted_like_a_plain_one(logs: Path) -> None:
    lines = [app_line(n).encode() for n in range(30)]
    (logs / "app.log.1.gz").write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    write(logs / "app.log", [])
    log = source(logs / "app.log")
    assert_counts(log, Query(min_level=levels.WARNING), log.count_facets(Query(min_level=30)))


def test_untimed_records_count_without_a_range_and_never_within_one(logs: Path) -> None:
    write(logs / "app.log", [app_line(1), "not json at all", '{"level": "ERROR"}'])
    log = source(logs / "app.log")
    whole = log.count_facets(Query())
    assert dict(whole.levels) == {"WARNING": 1, "": 1, "ERROR": 1}
    assert_counts(log, Query(), whole)
    ranged = Query(since=START - timedelta(days=1), until=datetime.now(UTC))
    assert dict(log.count_facets(ranged).levels) == {"WARNING": 1}
    assert_counts(log, ranged, log.count_facets(ranged))
