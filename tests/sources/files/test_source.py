"""FileSource over real files: paging, filters, facets, budgets, records by reference."""

from __future__ import annotations

import gzip
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from auditconsole.sources.query import FieldFilter, Query
from auditconsole.sources.records import RecordRef
from auditconsole.sources.scanning import Budget
from tests.sources.helpers import (
    START,
    app_line,
    page_all,
    rotated_app_logs,
    seqs,
    source,
    stamp,
    write,
)

# -- paging ---------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 3, 7, 10, 11, 50])
def test_paging_the_whole_rotated_stream_loses_and_repeats_nothing(logs: Path, limit: int) -> None:
    total = rotated_app_logs(logs, per_file=10)
    records = page_all(source(logs / "app.log"), limit=limit)
    assert seqs(records) == list(range(total - 1, -1, -1))
    assert {r.file for r in records} == {
        "app.log",
        "app.log.1",
        "app.log.2",
        "app.log.3",
        "app.log.4.gz",
    }


def test_first_page_is_the_newest_and_ends_with_a_cursor(logs: Path) -> None:
    rotated_app_logs(logs)
    page = source(logs / "app.log").page(Query(), None, 5)
    assert seqs(page.records) == [49, 48, 47, 46, 45]
    last = page.records[-1]
    assert page.cursor == {
        "app.log": [
            "app.log",
            *os_identity(logs / "app.log"),
            last.offset,
            last.time.timestamp(),
            last.offset,
            last.checksum,
        ]
    }
    assert not page.budget_exhausted
    assert page.scanned_records == 5


def os_identity(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_dev, st.st_ino]


def test_last_page_has_no_cursor(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(3)])
    log = source(logs / "app.log")
    assert log.page(Query(), None, 3).cursor is None
    assert log.page(Query(), None, 5).cursor is None


def test_paging_survives_a_rotation_between_pages(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(10)])
    log = source(logs / "app.log")
    first = log.page(Query(), None, 4)
    assert seqs(first.records) == [9, 8, 7, 6]
    (logs / "app.log").rename(logs / "app.log.1")  # RotatingFileHandler.doRollover
    write(logs / "app.log", [app_line(i) for i in range(10, 13)])
    rest = []
    cursor = first.cursor
    while cursor is not None:
        page = log.page(Query(), cursor, 4)
        rest.extend(page.records)
        cursor = page.cursor
    assert seqs(rest) == [5, 4, 3, 2, 1, 0]


def test_a_vanished_file_continues_by_time(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(10)])
    log = source(logs / "app.log")
    first = log.page(Query(), None, 4)
    (logs / "app.log").rename(logs / "old")
    write(logs / "app.log", [app_line(i) for i in range(10)])  # same content, another inode
    (logs / "old").unlink()
    second = log.page(Query(), first.cursor, 4)
    assert seqs(second.records) == [6, 5, 4, 3]  # the last shown time is repeated, none lost
    assert any("rotated or truncated" in n for n in second.notices)


def test_a_reused_inode_is_detected_by_its_checksum(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(10)])
    log = source(logs / "app.log")
    first = log.page(Query(), None, 4)
    # Rewritten in place: same inode, same size, different lines.
    write(logs / "app.log", [app_line(i, message="other") for i in range(10)])
    second = log.page(Query(), first.cursor, 4)
    assert seqs(second.records) == [6, 5, 4, 3]
    assert any("rotated or truncated" in n for n in second.notices)


def test_a_truncated_live_file_continues_by_time(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(10)])
    log = source(logs / "app.log")
    first = log.page(Query(), None, 8)
    write(logs / "app.log", [app_line(i) for i in range(2)])
    assert seqs(log.page(Query(), first.cursor, 8).records) == [1, 0]


def test_cursor_without_time_into_a_vanished_file_ends(logs: Path) -> None:
    write(logs / "app.log", ["not json"] * 3)
    log = source(logs / "app.log")
    first = log.page(Query(), None, 1)
    (logs / "app.log").unlink()
    write(logs / "app.log", ["x"])
    page = log.page(Query(), first.cursor, 5)
    assert page.records == [] and page.cursor is None


@pytest.mark.parametrize(
    "state",
    [
        ["app.log"],
        ["app.log", "d", 1, 2, None, None, None],
        ["app.log", 1, 2, -3, None, None, None],
        ["app.log", 1, 2, 3, "t", None, None],
        ["app.log", 1, 2, 3, None, 4, None],
        "x",
    ],
)
def test_malformed_states_are_value_errors(logs: Path, state) -> None:
    write(logs / "app.log", [app_line(0)])
    with pytest.raises(ValueError):
        source(logs / "app.log").page(Query(), {"app.log": state} if state != "x" else state)


def test_a_stream_missing_from_the_cursor_is_finished(logs: Path) -> None:
    write(logs / "app.log", [app_line(0)])
    page = source(logs / "app.log").page(Query(), {"other.log": None})
    assert page.records == [] and page.cursor is None


def test_empty_and_missing_sources(logs: Path, tmp_path: Path) -> None:
    write(logs / "app.log", [])
    assert source(logs / "app.log").page(Query()).records == []
    missing = source(tmp_path / "nope" / "app.log")
    assert missing.page(Query()).records == [] and missing.files() == []
    assert list(missing.iter_records(Query())) == []
    assert missing.newest_time() is None


def test_partial_last_line_is_held_back(logs: Path) -> None:
    write(logs / "app.log", [app_line(0), app_line(1), b'{"seq": 2, "mess'], newline=False)
    log = source(logs / "app.log")
    assert seqs(log.page(Query()).records) == [1, 0]
    with (logs / "app.log").open("ab") as handle:
        handle.write(b'age": "done"}\n')
    assert [r.fields.get("seq") for r in log.page(Query()).records] == [2, 1, 0]


def test_rotated_file_without_final_newline_shows_its_last_line(logs: Path) -> None:
    write(logs / "app.log.1", [app_line(0), app_line(1)], newline=False)
    write(logs / "app.log", [app_line(2)])
    assert seqs(page_all(source(logs / "app.log"))) == [2, 1, 0]


def test_iter_records_streams_everything_newest_first(logs: Path) -> None:
    total = rotated_app_logs(logs, per_file=30)
    log = source(logs / "app.log")
    assert seqs(log.iter_records(Query())) == list(range(total - 1, -1, -1))
    assert seqs(log.iter_records(Query(min_level=40))) == [
        n for n in range(total - 1, -1, -1) if n % 4 == 2
    ]


# -- malformed input ------------------------------------------------------------------------


def test_malformed_lines_are_records_and_nothing_else_is_lost(logs: Path) -> None:
    write(logs / "app.log", [app_line(0), b"garbage \xff\xfe", "[1, 2]", "", "   ", app_line(1)])
    records = source(logs / "app.log").page(Query()).records
    assert [(r.malformed, r.fields.get("seq")) for r in records] == [
        (False, 1),
        (True, None),
        (True, None),
        (False, 0),
    ]
    assert records[1].raw == "[1, 2]" and records[2].raw == "garbage \ufffd\ufffd"


def test_oversized_line_is_truncated_and_flagged(logs: Path, settings) -> None:
    settings.AUDITCONSOLE_MAX_LINE_BYTES = 1000
    huge = json.dumps({"message": "big", "blob": "x" * 5000, "seq": 1})
    write(logs / "app.log", [app_line(0), huge, app_line(2)])
    records = source(logs / "app.log").page(Query()).records
    assert [r.truncated for r in records] == [False, True, False]
    assert records[1].malformed and len(records[1].raw) == 1000 and records[1].message == "big"
    assert records[1].end - records[1].offset == len(huge) + 1
    huger = json.dumps({"message": "huge", "blob": "y" * 300_000})
    write(logs / "app.log", [app_line(0), huger, app_line(2)])
    records = source(logs / "app.log").page(Query()).records
    assert [r.truncated for r in records] == [False, True, False]
    assert records[1].message == "huge"


def test_broken_gzip_rotation_shows_what_it_could_read(logs: Path) -> None:
    data = "".join(app_line(i) + "\n" for i in range(200)).encode()
    compressed = gzip.compress(data)
    (logs / "app.log.1.gz").write_bytes(compressed[: len(compressed) * 2 // 3])
    write(logs / "app.log", [app_line(500)])
    page = source(logs / "app.log").page(Query(), None, 500)
    marker = page.records[1]
    assert marker.malformed and "truncated" in marker.error and marker.file == "app.log.1.gz"
    assert page.records[2].malformed  # the half line where it broke
    readable = [r.fields["seq"] for r in page.records[3:]]
    assert readable == list(range(len(readable) - 1, -1, -1)) and len(readable) > 50
    assert any("app.log.1.gz" in n for n in page.notices)
    # paging through it does not show the marker twice
    records = page_all(source(logs / "app.log"), limit=3)
    assert sum(1 for r in records if r.error and "truncated" in r.error) == 1


# -- filters and facets -----------------------------------------------------------------------


def test_level_minimum_includes_audit_levels(logs: Path) -> None:
    lines = [
        json.dumps({"level": level, "message": level, "seq": n})
        for n, level in enumerate(
            ["DEBUG", "INFO", "AUDIT", "API", "LOGIN", "WARNING", "ERROR", "chatty"]
        )
    ]
    write(logs / "app.log", lines)
    log = source(logs / "app.log")
    assert [r.level for r in log.page(Query(min_level=21)).records] == [
        "ERROR",
        "WARNING",
        "LOGIN",
        "API",
        "AUDIT",
    ]


def test_logger_prefix_text_regex_and_fields(logs: Path) -> None:
    lines = [
        json.dumps(
            {
                "name": "apps.billing.tasks",
                "message": "Invoice INV-7 paid",
                "user_id": 14,
                "seq": 0,
                "request_repr": {"method": "POST"},
            }
        ),
        json.dumps(
            {
                "name": "apps.tickets",
                "message": "ticket closed",
                "user_id": "14",
                "seq": 1,
                "status": "failed",
            }
        ),
        json.dumps(
            {
                "name": "django.request",
                "message": "Not Found",
                "user_id": 15,
                "seq": 2,
                "password": "invoice",
            }
        ),
    ]
    write(logs / "app.log", lines)
    log = source(logs / "app.log")

    def found(**kwargs) -> list[int]:
        return seqs(log.page(Query(**kwargs)).records)

    assert found(logger="apps.") == [1, 0]
    assert found(text="invoice") == [0]  # the masked password does not match
    assert found(text="INV-\\d+", regex=True) == [0]
    assert found(fields=(FieldFilter.parse("user_id=14"),)) == [1, 0]
    assert found(fields=(FieldFilter.parse("request_repr.method=POST"),)) == [0]
    assert found(fields=(FieldFilter.parse("status=failed"), FieldFilter.parse("user_id=14"))) == [
        1
    ]
    assert found(fields=(FieldFilter.parse("password=invoice"),)) == []


def test_time_range_filters(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(100)])
    log = source(logs / "app.log", timezone="UTC")
    page = log.page(
        Query(
            since=START + timedelta(seconds=10),
            until=START + timedelta(seconds=19, milliseconds=500),
        ),
        None,
        100,
    )
    assert seqs(page.records) == list(range(19, 9, -1))


def test_time_seek_skips_most_of_a_big_file(logs: Path) -> None:
    write(logs / "app.log.1", [app_line(i) for i in range(0, 40_000)])
    write(logs / "app.log", [app_line(i) for i in range(40_000, 80_000)])
    log = source(logs / "app.log", timezone="UTC")
    since = START + timedelta(seconds=20_000)
    page = log.page(Query(since=since, until=since + timedelta(seconds=4.5)), None, 100)
    assert seqs(page.records) == [20_004, 20_003, 20_002, 20_001, 20_000]
    assert page.cursor is None  # older files were not even opened
    assert (
        page.scanned_bytes < 2_000_000
    )  # about 300 lines either side of the window, not 80k lines
    newest = log.page(Query(since=START + timedelta(seconds=79_990)), None, 100)
    assert seqs(newest.records)[-1] == 79_990 and newest.cursor is None


def test_time_seek_in_a_text_file(logs: Path) -> None:
    lines = []
    for n in range(5000):
        when = (START + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S,000")
        lines.append(f"{when} [INFO] apps.x: line {n}")
        if n % 10 == 0:
            lines.append("Traceback (most recent call last):")
            lines.append(f"ValueError: {n}")
    write(logs / "django.log", lines)
    log = source(logs / "django.log", format="text", timezone="UTC")
    page = log.page(
        Query(since=START + timedelta(seconds=2000), until=START + timedelta(seconds=2002)),
        None,
        10,
    )
    assert [r.message for r in page.records] == ["line 2002", "line 2001", "line 2000"]
    assert page.records[-1].traceback.endswith("ValueError: 2000")


def test_facets_count_scanned_records_with_the_other_filters(logs: Path) -> None:
    write(
        logs / "app.log",
        [
            f"{stamp(i)} [{['INFO', 'WARNING', 'ERROR', 'DEBUG'][i % 4]}] "
            f"{'apps.billing' if i % 2 else 'apps.tickets.views'}: event {i}"
            for i in range(40)
        ],
    )
    log = source(logs / "app.log", format="text")
    page = log.page(Query(text="event"), None, 50)
    assert page.scanned_records == 40
    assert page.facets.levels == [("DEBUG", 10), ("INFO", 10), ("WARNING", 10), ("ERROR", 10)]
    assert dict(page.facets.loggers) == {"apps.tickets.views": 20, "apps.billing": 20}
    # A text record below the minimum level, or of another logger, is skipped unbuilt
    # (its first line says so), as the JSON scan skips such lines: those facets say so.
    page = log.page(Query(min_level=40, logger="apps.billing"), None, 50)
    assert page.scanned_records == 40 and page.records == []
    assert page.facets.levels == [] and page.facets.loggers == []
    assert "DEBUG" in page.facets.uncounted_levels and page.facets.other_loggers_uncounted


def test_facets_thinned_by_the_byte_prefilter_say_so(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(40)])
    log = source(logs / "app.log")
    page = log.page(Query(min_level=40, logger="apps.billing"), None, 50)
    assert page.scanned_records == 40 and page.records == []
    # Lines below ERROR, and lines of other loggers, were skipped unread: not counted.
    assert page.facets.levels == [] and page.facets.loggers == []
    assert page.facets.uncounted_levels == [
        "TRACE",
        "DEBUG",
        "INFO",
        "AUDIT",
        "API",
        "LOGIN",
        "WARNING",
    ]
    assert page.facets.other_loggers_uncounted
    # What passed every condition is counted in full, with the other filters applied.
    page = log.page(Query(min_level=30), None, 50)
    assert dict(page.facets.levels) == {"WARNING": 10, "ERROR": 10}
    assert dict(page.facets.loggers) == {"apps.billing": 10, "apps.tickets.views": 10}
    page = log.page(Query(logger="apps.tick"), None, 50)
    assert dict(page.facets.levels) == {"INFO": 10, "ERROR": 10}
    assert dict(page.facets.loggers) == {"apps.tickets.views": 20}


def test_text_prefilter_counts_skipped_lines(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(5000)])
    page = source(logs / "app.log").page(Query(text="event 4321"), None, 50)
    assert seqs(page.records) == [4321]
    assert page.scanned_records == 5000
    assert dict(page.facets.levels) == {"WARNING": 1}


def test_many_loggers_are_capped(logs: Path) -> None:
    write(logs / "app.log", [json.dumps({"name": f"l{i}", "message": "m"}) for i in range(1200)])
    page = source(logs / "app.log").page(Query(text="zzz"), None, 5)
    page = source(logs / "app.log").page(Query(), None, 5000)
    assert len(page.facets.loggers) == 15 and page.facets.more_loggers == 1001 - 15


def test_budget_exhaustion_offers_to_continue(logs: Path) -> None:
    write(
        logs / "app.log",
        [app_line(i) for i in range(20_000)] + [app_line(20_000, message="needle")],
    )
    write(logs / "app.log.1", [app_line(-1, message="needle")])
    log = source(logs / "app.log")
    query = Query(text="NOSUCHTHING")
    first = log.page(query, None, 10, budget=Budget(max_bytes=100_000))
    assert first.records == [] and first.budget_exhausted and first.cursor is not None
    scanned, cursor, pages = first.scanned_records, first.cursor, 1
    while cursor is not None:
        page = log.page(query, cursor, 10, budget=Budget(max_bytes=100_000))
        scanned += page.scanned_records
        cursor = page.cursor
        pages += 1
    assert scanned == 20_002 and pages > 3  # every line scanned exactly once over the pages
    found = log.page(Query(text="needle"), None, 10, budget=Budget(max_bytes=100_000))
    assert [r.message for r in found.records] == ["needle"] and found.budget_exhausted


def test_time_budget_stops_after_one_block(logs: Path) -> None:
    write(logs / "app.log", [app_line(i) for i in range(50_000)])
    page = source(logs / "app.log").page(Query(text="nothing"), None, 10, budget=Budget(seconds=0))
    assert page.budget_exhausted and 0 < page.scanned_records < 50_000


def test_budget_stops_at_a_file_boundary(logs: Path) -> None:
    rotated_app_logs(logs, per_file=5)
    log = source(logs / "app.log")
    page = log.page(Query(text="nothing"), None, 10, budget=Budget(max_bytes=1))
    assert page.scanned_records == 5 and page.cursor["app.log"][0] == "app.log.1"


# -- text sources -------------------------------------------------------------------------------


def test_text_source_joins_tracebacks_across_pages(logs: Path) -> None:
    lines = []
    for n in range(30):
        when = (START + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S,000")
        lines.append(f"{when} [ERROR] django.request: failure {n}")
        lines.extend(
            ["Traceback (most recent call last):", f'  File "x.py", line {n}', f"KeyError: {n}"]
        )
    write(logs / "django.log", ["  orphan at the top", *lines])
    log = source(logs / "django.log", format="text")
    records = page_all(log, limit=4)
    assert [r.message for r in records[:-1]] == [f"failure {n}" for n in range(29, -1, -1)]
    assert all(r.traceback.endswith(f"KeyError: {29 - i}") for i, r in enumerate(records[:-1]))
    assert records[-1].malformed and records[-1].message == "  orphan at the top"
    assert [r.message for r in log.page(Query(text="keyerror: 7"), None, 5).records] == [
        "failure 7"
    ]


def test_text_budget_keeps_a_split_record_whole(logs: Path) -> None:
    lines = ["2026-04-04 12:00:00,000 [ERROR] x: head"] + [
        f"  frame {i} " + "p" * 80 for i in range(1500)
    ]
    lines.append("2026-04-04 12:00:01,000 [INFO] x: tail")
    write(logs / "django.log", lines)
    log = source(logs / "django.log", format="text")
    records, cursor = [], None
    for _ in range(100):
        page = log.page(Query(), cursor, 10, budget=Budget(max_bytes=1))
        records.extend(page.records)
        cursor = page.cursor
        if cursor is None:
            break
    assert [r.message for r in records] == ["tail", "head"]
    assert records[1].traceback.count("\n") == 1499


def test_endless_continuation_is_cut_into_bounded_records(logs: Path) -> None:
    write(logs / "django.log", [f"no header {i}" for i in range(4500)])
    records = page_all(source(logs / "django.log", format="text"), limit=10)
    assert len(records) == 3 and all(r.malformed for r in records)
    assert sum(r.message.count("\n") + 1 for r in records) == 4500


def test_glob_source_merges_streams_by_time(logs: Path) -> None:
    write(logs / "a.log", [app_line(n) for n in range(0, 20, 2)])
    write(logs / "b.log", [app_line(n) for n in range(1, 20, 2)])
    log = source(logs / "*.log")
    assert seqs(page_all(log, limit=3)) == list(range(19, -1, -1))
    page = log.page(Query(), None, 4)
    assert set(page.cursor) == {"a.log", "b.log"}


# -- records by reference ----------------------------------------------------------------------


def test_get_and_around_across_files(logs: Path) -> None:
    rotated_app_logs(logs, per_file=4)
    log = source(logs / "app.log")
    target = next(r for r in page_all(log) if r.fields["seq"] == 8)  # first line of app.log.2
    assert log.get(target.ref).fields["seq"] == 8
    around = log.around(target.ref, 5)
    assert seqs(around.newer) == [13, 12, 11, 10, 9]
    assert seqs(around.older) == [7, 6, 5, 4, 3]
    assert seqs(around.rows) == list(range(13, 2, -1))
    newest = log.page(Query(), None, 1).records[0]
    assert log.around(newest.ref, 3).newer == []
    gz = next(r for r in page_all(log) if r.fields["seq"] == 1)
    assert log.get(gz.ref).file == "app.log.4.gz"


def test_get_refuses_stale_or_foreign_references(logs: Path) -> None:
    write(logs / "app.log", [app_line(0), app_line(1)])
    log = source(logs / "app.log")
    record = log.page(Query()).records[0]
    ref = record.ref
    assert log.get(RecordRef("other", ref.stream, ref.file_id, ref.offset, ref.checksum)) is None
    assert log.get(RecordRef("app", "nope.log", ref.file_id, ref.offset, ref.checksum)) is None
    assert log.get(RecordRef("app", ref.stream, (0, 0), ref.offset, ref.checksum)) is None
    assert log.get(RecordRef("app", ref.stream, ref.file_id, ref.offset + 1, ref.checksum)) is None
    assert log.get(RecordRef("app", ref.stream, ref.file_id, 10_000, ref.checksum)) is None
    assert log.get(RecordRef("app", ref.stream, ref.file_id, ref.offset, ref.checksum + 1)) is None
    assert (
        log.around(RecordRef("app", ref.stream, ref.file_id, ref.offset, ref.checksum + 1), 3)
        is None
    )
    write(logs / "app.log", [app_line(0), app_line(7)])  # rewritten in place, same inode
    assert log.get(ref) is None


def test_get_the_broken_gzip_marker(logs: Path) -> None:
    (logs / "app.log.1.gz").write_bytes(gzip.compress(b'{"seq": 1}\n' * 50)[:30])
    write(logs / "app.log", [app_line(2)])
    log = source(logs / "app.log")
    marker = next(r for r in page_all(log) if r.error and "gz" in r.error)
    assert log.get(marker.ref).error == marker.error


def test_files_lists_sizes_and_newest_times(logs: Path, tmp_path: Path) -> None:
    rotated_app_logs(logs, per_file=3)
    (tmp_path / "outside.log").write_text("x\n")
    (logs / "app.log.9").symlink_to(tmp_path / "outside.log")
    infos = source(logs / "app.log").files()
    assert [i.name for i in infos] == [
        "app.log",
        "app.log.1",
        "app.log.2",
        "app.log.3",
        "app.log.4.gz",
        "app.log.9",
    ]
    assert infos[0].live and infos[0].newest_time == START + timedelta(seconds=14, milliseconds=123)
    assert infos[4].compressed and infos[4].newest_time is None
    assert infos[5].error and "outside" in infos[5].error
    assert infos[1].size == (logs / "app.log.1").stat().st_size
    assert source(logs / "app.log").newest_time() == infos[0].newest_time


def test_newest_time_skips_untimed_records(logs: Path) -> None:
    write(logs / "app.log", [app_line(0), "garbage"])
    assert source(logs / "app.log").newest_time() == START + timedelta(milliseconds=123)
    write(logs / "app.log", ["garbage"] * 60)
    assert source(logs / "app.log").newest_time() is None


# -- edges: compressed rotations, long lines, unreadable files -------------------------------


def test_since_stops_early_in_compressed_rotations(logs: Path) -> None:
    write(logs / "app.log.2.gz", [app_line(i) for i in range(0, 1000)], gz=True)
    write(logs / "app.log.1.gz", [app_line(i) for i in range(1000, 2000)], gz=True)
    write(logs / "app.log", [app_line(2000)])
    log = source(logs / "app.log", timezone="UTC")
    page = log.page(Query(since=START + timedelta(seconds=1995)), None, 50)
    assert seqs(page.records) == [2000, 1999, 1998, 1997, 1996, 1995]
    assert page.cursor is None and page.scanned_records < 1400  # app.log.2.gz never opened


def test_since_stops_early_in_a_compressed_text_rotation(logs: Path) -> None:
    lines = [
        f"{(START + timedelta(seconds=n)).strftime('%Y-%m-%d %H:%M:%S')},000 [INFO] x: m{n}"
        for n in range(1000)
    ]
    write(logs / "django.log.1.gz", lines, gz=True)
    write(logs / "django.log", [])
    log = source(logs / "django.log", format="text", timezone="UTC")
    page = log.page(Query(since=START + timedelta(seconds=998)), None, 50)
    assert [r.message for r in page.records] == ["m999", "m998"] and page.cursor is None


def test_broken_gzip_marker_obeys_filters(logs: Path) -> None:
    (logs / "app.log.1.gz").write_bytes(gzip.compress(b'{"seq": 1}\n' * 50)[:30])
    write(logs / "app.log", [app_line(2)])
    page = source(logs / "app.log").page(Query(min_level=40), None, 10)
    assert all(not r.malformed for r in page.records)
    assert any("app.log.1.gz" in n for n in page.notices)


def test_multi_megabyte_lines_in_json_and_text(logs: Path, settings) -> None:
    settings.AUDITCONSOLE_MAX_LINE_BYTES = 2000
    huge = json.dumps({"message": "huge", "level": "ERROR", "blob": "z" * 5_000_000})
    write(logs / "app.log", [app_line(0), huge, app_line(2)])
    records = page_all(source(logs / "app.log"), limit=1)
    assert [(r.truncated, r.level) for r in records] == [
        (False, "ERROR"),
        (True, "ERROR"),
        (False, "INFO"),
    ]
    errors = source(logs / "app.log").page(Query(min_level=40), None, 5).records
    assert [(r.truncated, r.fields.get("seq")) for r in errors] == [(False, 2), (True, None)]
    long_text = "2026-04-04 12:00:01,000 [WARNING] x: " + "w" * 5_000_000
    write(
        logs / "django.log",
        [
            "2026-04-04 12:00:00,000 [INFO] x: before",
            long_text,
            "2026-04-04 12:00:02,000 [INFO] x: after",
        ],
    )
    text = page_all(source(logs / "django.log", format="text"), limit=1)
    assert [(r.level, r.truncated) for r in text] == [
        ("INFO", False),
        ("WARNING", True),
        ("INFO", False),
    ]


def test_text_budget_stops_between_records(logs: Path) -> None:
    lines = [
        f"2026-04-04 12:00:{n % 60:02d},000 [INFO] x: line {n} " + "p" * 100 for n in range(3000)
    ]
    write(logs / "django.log", lines)
    log = source(logs / "django.log", format="text")
    first = log.page(Query(text="nothing"), None, 10, budget=Budget(max_bytes=1))
    assert first.budget_exhausted and first.scanned_records > 0
    total, cursor = first.scanned_records, first.cursor
    while cursor is not None:
        page = log.page(Query(text="nothing"), cursor, 10, budget=Budget(max_bytes=1))
        total += page.scanned_records
        cursor = page.cursor
    assert total == 3000


def test_needle_scan_of_a_rotation_without_final_newline(logs: Path) -> None:
    write(logs / "app.log.1", [app_line(0), app_line(1, message="needle")], newline=False)
    write(logs / "app.log", [app_line(2)])
    page = source(logs / "app.log").page(Query(text="needle"), None, 10)
    assert seqs(page.records) == [1] and page.scanned_records == 3
    page = source(logs / "app.log").page(Query(text="event 0"), None, 10)
    assert seqs(page.records) == [0] and page.scanned_records == 3


def test_time_seek_gives_up_on_untimed_files(logs: Path) -> None:
    write(
        logs / "app.log",
        [json.dumps({"message": f"untimed {i}", "pad": "x" * 40}) for i in range(20_000)],
    )
    page = source(logs / "app.log").page(Query(since=START), None, 10)
    assert page.records == [] and page.scanned_records == 20_000  # nothing skipped, nothing shown


def test_time_seek_over_a_very_long_line(logs: Path) -> None:
    lines = (
        [app_line(i) for i in range(2000)]
        + [json.dumps({"message": "big", "blob": "q" * 300_000})]
        + [app_line(i) for i in range(2000, 4000)]
    )
    write(logs / "app.log", lines)
    page = source(logs / "app.log", timezone="UTC").page(
        Query(since=START + timedelta(seconds=3990)), None, 50
    )
    assert seqs(page.records) == list(range(3999, 3989, -1))


def test_stream_scan_cursor_before_it_starts(logs: Path) -> None:
    from auditconsole.sources.files.opening import RecordReader
    from auditconsole.sources.files.positions import ScanPosition
    from auditconsole.sources.files.streamscan import StreamScan
    from auditconsole.sources.scanning import ScanContext

    write(logs / "app.log", [app_line(0)])
    log = source(logs / "app.log")
    stream = log.discover().streams[0]
    ctx = ScanContext(query=Query(), budget=Budget.unlimited())
    reader = RecordReader(log.parser(), source="app", label="app", max_line=1000)
    fresh = StreamScan(stream, None, ctx, reader)
    assert fresh.cursor == ["app.log", *os_identity(logs / "app.log"), None, None, None, None]
    state = ["app.log", *os_identity(logs / "app.log"), 5, None, None, None]
    assert StreamScan(stream, ScanPosition.from_state(state), ctx, reader).cursor == state
    empty = source(logs / "none.log").discover().streams[0]
    assert (
        StreamScan(
            empty, None, ctx, RecordReader(log.parser(), source="x", label="x", max_line=1000)
        ).cursor
        is None
    )


def test_unreadable_files_are_notices_not_errors(logs: Path) -> None:
    from tests.sources.helpers import as_unprivileged, shared_tmp

    base = shared_tmp()
    try:
        write(base / "app.log", [app_line(i) for i in range(5, 8)])
        write(base / "app.log.1", [app_line(i) for i in range(0, 5)])
        log = source(base / "app.log")
        first = log.page(Query(), None, 2)
        (base / "app.log.1").chmod(0o000)

        def browse() -> tuple[list[int], list[str], str | None, list[str]]:
            rest = log.page(Query(), first.cursor, 10)
            infos = log.files()
            return (
                seqs(rest.records),
                rest.notices,
                infos[1].error,
                list(log.tail(None, 10).notices),
            )

        found, notices, file_error, tail_notices = as_unprivileged(browse)
        assert found == [5]
        assert any("app.log.1: cannot be read" in n for n in notices)
        assert file_error is not None
        assert any("cannot be read" in n for n in tail_notices)
        (base / "app.log").chmod(0o000)
        again = as_unprivileged(
            lambda: (
                log.page(Query(), first.cursor, 10).notices,
                log.tail({"app.log": {"d": 1, "i": 1, "o": 0, "h": 0}}, 5).notices,
            )
        )
        assert any("rotated or truncated" in n for n in again[0])
        assert any("cannot be read" in n for n in again[1])
    finally:
        import shutil

        shutil.rmtree(base)


def test_long_lines_that_do_not_match_or_are_too_old(logs: Path, settings) -> None:
    settings.AUDITCONSOLE_MAX_LINE_BYTES = 500
    old_huge = json.dumps(
        {"time": "2026-04-04 11:00:00,000", "message": "old", "blob": "o" * 5_000_000}
    )
    write(logs / "app.log.1.gz", [app_line(0), old_huge], gz=True)
    write(logs / "app.log", [app_line(7200)])
    log = source(logs / "app.log", timezone="UTC")
    assert seqs(log.page(Query(since=START + timedelta(seconds=7000)), None, 10).records) == [7200]
    assert seqs(log.page(Query(text="event"), None, 10).records) == [7200, 0]


def test_files_newest_time_of_an_untimed_file(logs: Path) -> None:
    write(logs / "app.log", ["garbage"])
    (info,) = source(logs / "app.log").files()
    assert info.newest_time is None and info.error is None
