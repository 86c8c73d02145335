"""CsvStream: chunks, the cap, the header-only file, and exactly one report however it ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from django.contrib.admin.models import LogEntry

from auditconsole.export.resources import LogEntryResource, LogRecordResource
from auditconsole.export.streaming import BOM, AsyncCsvStream, CsvStream
from auditconsole.sources.records import Record
from project.demo.models import Ticket
from tests.activity.entries import log
from tests.export.helpers import make_records, read_csv


class Reports:
    def __init__(self) -> None:
        self.calls: list[tuple[int, bool, bool]] = []

    def __call__(self, stream: CsvStream) -> None:
        self.calls.append((stream.written, stream.capped, stream.completed))


@pytest.fixture
def reports() -> Reports:
    return Reports()


def test_every_row_then_one_report(reports):
    stream = CsvStream(LogRecordResource(), make_records(7), on_finish=reports, batch_rows=3)
    chunks = list(stream)
    assert len(chunks) == 3  # batches of 3, 3 and 1 row; the header rides with the first
    rows = read_csv(chunks)
    assert rows[0] == ["time", "level", "logger", "message", "source", "file"]
    assert [row[3] for row in rows[1:]] == [f"line {n}" for n in range(7)]
    stream.close()  # what the server does after the last chunk: no second report
    assert reports.calls == [(7, False, True)]


def test_lines_end_with_crlf_and_start_with_a_bom():
    text = "".join(CsvStream(LogRecordResource(), make_records(1)))
    assert text.startswith(BOM + "time,")
    assert text.endswith("\r\n") and text.count("\r\n") == 2


def test_without_bom():
    assert "".join(CsvStream(LogRecordResource(), [], bom=False)).startswith("time,")


def test_no_rows_is_the_header_alone(reports):
    assert read_csv(list(CsvStream(LogRecordResource(), [], on_finish=reports))) == [
        ["time", "level", "logger", "message", "source", "file"]
    ]
    assert reports.calls == [(0, False, True)]


def test_the_cap_stops_the_file_and_says_so(reports):
    rows = read_csv(
        list(
            CsvStream(
                LogRecordResource(), make_records(9), max_rows=5, on_finish=reports, batch_rows=2
            )
        )
    )
    assert [row[3] for row in rows[1:]] == [f"line {n}" for n in range(5)]
    assert reports.calls == [(5, True, True)]


def test_exactly_the_cap_is_not_capped(reports):
    list(CsvStream(LogRecordResource(), make_records(5), max_rows=5, on_finish=reports))
    assert reports.calls == [(5, False, True)]


def test_a_consumer_that_stops_early_is_reported_as_interrupted(reports):
    closed = []

    def records() -> Iterator[Record]:
        try:
            yield from make_records(10)
        finally:
            closed.append(True)  # the source's files (or the database cursor) are released

    stream = CsvStream(LogRecordResource(), records(), on_finish=reports, batch_rows=2)
    iterator = iter(stream)
    next(iterator)
    next(iterator)
    stream.close()
    stream.close()
    assert reports.calls == [(4, False, False)]
    assert closed == [True]


def test_a_stream_closed_before_it_started_reports_nothing_written(reports):
    stream = CsvStream(LogRecordResource(), make_records(3), on_finish=reports)
    stream.close()
    assert reports.calls == [(0, False, False)]


def test_a_failing_source_is_reported_and_the_error_raised(reports):
    def records() -> Iterator[Record]:
        yield from make_records(1)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(CsvStream(LogRecordResource(), records(), on_finish=reports))
    assert reports.calls == [(0, False, False)]


def test_without_a_callback():
    stream = CsvStream(LogRecordResource(), make_records(2))
    assert len(read_csv(list(stream))) == 3
    assert stream.completed and stream.finished


def test_querysets_stream_through_the_resource(support_user, reports):
    for n in range(5):
        log(support_user, Ticket, n)
    stream = CsvStream(
        LogEntryResource(), LogEntry.objects.order_by("id"), max_rows=3, on_finish=reports
    )
    rows = read_csv(list(stream))
    assert [row[5] for row in rows[1:]] == ["0", "1", "2"]
    assert reports.calls == [(3, True, True)]


def test_async_iteration_for_asgi(reports):
    stream = CsvStream(LogRecordResource(), make_records(3), on_finish=reports)
    wrapper = AsyncCsvStream(stream)

    async def consume() -> list[str]:
        return [chunk async for chunk in wrapper]

    assert len(read_csv(async_to_sync(consume)())) == 4
    wrapper.close()
    assert reports.calls == [(3, False, True)]


def test_iterating_twice_continues_the_same_stream():
    stream = CsvStream(LogRecordResource(), make_records(2))
    assert iter(stream) is iter(stream)


def test_async_consumer_that_stops_early(reports):
    stream = CsvStream(LogRecordResource(), make_records(5), on_finish=reports, batch_rows=1)

    async def consume_one() -> None:
        iterator = AsyncCsvStream(stream).__aiter__()
        await iterator.__anext__()
        await iterator.aclose()  # what Django does when the client disconnects

    async_to_sync(consume_one)()
    assert reports.calls == [(1, False, False)]
