"""Time ranges are found by seeking, and when a file defeats the seek, by reading, saying so.

Files are in time order within the seek's tolerance (five minutes) as a rule; a writer
whose clock or buffer lags further breaks it, and a ``.gz`` cannot be seeked at all.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from auditconsole.sources.files import seeking, streamscan
from auditconsole.sources.query import Query
from tests.sources.helpers import START, app_line, seqs, source, stamp, write

LAG = timedelta(minutes=20)


def lagging_lines(count: int, *, every: int, pad: int = 0) -> list[str]:
    """One line a second; every ``every``-th comes from a writer 20 minutes behind."""
    lines = []
    for n in range(count):
        when = START + timedelta(seconds=n) - (LAG if n % every == every - 1 else timedelta())
        lines.append(
            json.dumps(
                {"time": when.isoformat(), "level": "INFO", "message": f"event {n}", "seq": n}
            )
            + " " * pad
        )
    return lines


def in_range(lines: list[str], query: Query) -> list[int]:
    """What reading every line and checking its time finds, newest first."""
    assert query.since is not None and query.until is not None
    found = []
    for line in reversed(lines):
        record = json.loads(line)
        when = seeking.datetime.fromisoformat(record["time"])
        if query.since <= when <= query.until:
            found.append(record["seq"])
    return found


def test_a_writer_lagging_past_the_tolerance_is_read_not_skipped(logs: Path) -> None:
    """Old code stopped at the first line older than the range and lost the rest."""
    lines = lagging_lines(300, every=50)
    write(logs / "app.log", lines)
    query = Query(since=START + timedelta(seconds=60), until=START + timedelta(seconds=250))
    page = source(logs / "app.log").page(query, None, 500)
    assert seqs(page.records) == in_range(lines, query)
    assert any("out of time order by more than 5 minutes" in n for n in page.notices)


def test_the_seek_notices_disorder_and_falls_back_to_reading(logs: Path) -> None:
    # Over a MiB, so the seek probes the file; a lagging line every 20 disagrees with them.
    lines = lagging_lines(8000, every=20, pad=100)
    write(logs / "app.log", lines)
    query = Query(since=START + timedelta(seconds=4000), until=START + timedelta(seconds=4100))
    page = source(logs / "app.log").page(query, None, 500)
    assert seqs(page.records) == in_range(lines, query)
    assert page.notices == [
        "app.log: its records are out of time order by more than 5 minutes, so the time "
        "range was found by reading the file rather than by seeking."
    ]


def test_an_ordered_file_is_seeked_without_a_notice(logs: Path) -> None:
    lines = lagging_lines(8000, every=10**9, pad=100)
    write(logs / "app.log", lines)
    query = Query(since=START + timedelta(seconds=4000), until=START + timedelta(seconds=4100))
    page = source(logs / "app.log").page(query, None, 500)
    assert seqs(page.records) == list(range(4100, 3999, -1))
    assert page.notices == []
    assert page.scanned_bytes < 200_000  # a jump, not a scan of the 1 MB file


def test_the_first_page_of_a_window_in_a_text_file_with_tracebacks(logs: Path) -> None:
    lines = []
    for n in range(6000):
        lines.append(f"{stamp(n)} [ERROR] apps.jobs: failed {n}")
        lines += ["Traceback (most recent call last):", '  File "x.py", line 1', f"KeyError: {n}"]
    write(logs / "django.log", lines)
    log = source(logs / "django.log", format="text", timezone="UTC")
    query = Query(since=START + timedelta(seconds=3000), until=START + timedelta(seconds=3002.5))
    page = log.page(query, None, 10)
    assert [r.message for r in page.records] == ["failed 3002", "failed 3001", "failed 3000"]
    assert all(r.exception == f"KeyError: {3002 - i}" for i, r in enumerate(page.records))
    assert page.scanned_bytes < 200_000 and page.notices == []


def test_a_compressed_rotation_says_it_was_read_from_its_start(logs: Path) -> None:
    write(logs / "app.log", [app_line(n) for n in range(100, 110)])
    write(logs / "app.log.1.gz", [app_line(n) for n in range(100)], gz=True)
    log = source(logs / "app.log")
    page = log.page(Query(since=START + timedelta(seconds=40)), None, 500)
    assert seqs(page.records) == list(range(109, 39, -1))
    assert len(page.notices) == 1
    assert page.notices[0].startswith("app.log.1.gz is compressed: it was read from its start (")
    # The newest page, from the plain file alone, has nothing to say.
    assert log.page(Query(), None, 5).notices == []


@pytest.mark.parametrize("rotation", [b"   \n", b"no time here\n\n"])
def test_a_rotation_without_any_time_does_not_end_a_since_range(
    logs: Path, rotation: bytes
) -> None:
    """Found by the facets' property test: the untimed rotation's seek put its floor at
    its end, which read as "older files hold only older records" and hid app.log.2."""
    line = "2026-04-04 12:00:00,000 [ERROR] apps.billing: at the edge"
    write(logs / "app.log.2.gz", [line], gz=True)
    (logs / "app.log.1").write_bytes(rotation)
    write(logs / "app.log", [line])
    log = source(logs / "app.log")
    found = list(log.iter_records(Query(since=START, until=START)))
    assert [record.file for record in found] == ["app.log", "app.log.2.gz"]


def test_a_rotation_opening_with_untimed_lines_does_not_end_a_since_range(logs: Path) -> None:
    write(logs / "app.log.2.gz", ["2026-04-04 12:00:00,000 [ERROR] apps.billing: oldest"], gz=True)
    write(logs / "app.log.1", ["   ", "2026-04-04 12:00:05,000 [ERROR] apps.billing: later"])
    write(logs / "app.log", ["2026-04-04 12:00:00,000 [ERROR] apps.billing: live"])
    log = source(logs / "app.log")
    found = list(log.iter_records(Query(since=START, until=START + timedelta(seconds=5))))
    assert [record.file for record in found] == ["app.log", "app.log.1", "app.log.2.gz"]


# -- the tolerance zone past ``until``, judged on its bytes ------------------------------------


def second_lines(
    count: int, *, key: str = "time", late: dict[int, int] | None = None, naive: bool = False
) -> list[str]:
    """One JSON line a second from START; ``late`` maps a line to the seconds it lags."""
    lines = []
    for n in range(count):
        when = START + timedelta(seconds=n - (late or {}).get(n, 0))
        text = when.strftime("%Y-%m-%d %H:%M:%S,000") if naive else when.isoformat()
        lines.append(json.dumps({key: text, "level": "INFO", "seq": n}))
    return lines


def window(seconds_from: int, seconds_to: int) -> Query:
    return Query(
        since=START + timedelta(seconds=seconds_from), until=START + timedelta(seconds=seconds_to)
    )


@pytest.mark.parametrize("naive", [True, False])
def test_an_ordered_zone_past_until_is_not_read(
    logs: Path, naive: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(logs / "app.log", second_lines(30_000, naive=naive))
    log = source(logs / "app.log")
    query = window(10_000, 10_100)
    page = log.page(query, None, 50)
    assert seqs(page.records) == list(range(10_100, 10_050, -1))
    # Five minutes of lines past 10,100 were judged on their bytes, not read.
    monkeypatch.setattr(streamscan, "later_than", lambda *args: False)
    read_through = log.page(query, None, 50)
    assert seqs(read_through.records) == seqs(page.records)
    assert page.scanned_bytes < read_through.scanned_bytes


@pytest.mark.parametrize("lag", [30, 299])
def test_a_line_lagging_into_the_zone_is_still_found(logs: Path, lag: int) -> None:
    write(logs / "app.log", second_lines(3000, late={1150: lag}))
    log = source(logs / "app.log")
    query = window(1100 - lag, 1150 - lag)
    lines = second_lines(3000, late={1150: lag})
    assert seqs(log.iter_records(query)) == in_range(lines, query)
    assert in_range(lines, query)[0] == 1150  # the lagging line, read from the zone


@pytest.mark.parametrize(
    "lines",
    [
        # another time key, which json_time would read first
        [json.dumps({"asctime": "2026-04-04 12:30:00,000", "time": "2026-04-04 12:00:00"})],
        # a duplicate key: the last one wins when parsed
        ['{"time": "2026-04-04 12:30:00,000", "time": "2026-04-04 12:00:00,000"}'],
        # zones that differ: the strings do not order
        [
            '{"time": "2026-04-04T12:30:00+02:00"}',
            '{"time": "2026-04-04T12:20:00+00:00"}',
        ],
        # another key first, a blank line, a time that is not ISO
        ['{"level": "INFO", "time": "2026-04-04 12:30:00,000"}'],
        ['{"time": "2026-04-04 12:30:00,000"}', ""],
        ['{"time": "04/Apr/2026 12:30:00"}'],
    ],
)
def test_a_zone_whose_bytes_cannot_be_judged_is_read(logs: Path, lines: list[str]) -> None:
    path = write(logs / "app.log", lines)
    log = source(path)
    with log.record_reader().open(
        log.discover().streams[0], log.discover().streams[0].files[0]
    ) as opened:
        assert not seeking.later_than(opened, 0, path.stat().st_size, START)


def test_a_zone_judged_later_or_not(logs: Path) -> None:
    path = write(logs / "app.log", second_lines(10, key="ts", naive=True))
    log = source(path)
    stream = log.discover().streams[0]
    with log.record_reader().open(stream, stream.files[0]) as opened:
        size = path.stat().st_size
        assert seeking.later_than(opened, 0, size, START - timedelta(seconds=1))
        assert not seeking.later_than(opened, 0, size, START)  # the first is not after it
        assert not seeking.later_than(opened, 0, 0, START)
