"""The text scan builds only the records that may match, with the results of building all.

A record whose lines lack the text filter's bytes, or whose first line is newer than
``until``, is skipped unbuilt (issue 16 item 2, for the text format).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.sources import levels
from auditconsole.sources.files.parsing import Parser
from auditconsole.sources.query import FieldFilter, Query
from tests.sources.files.test_facets import text_file
from tests.sources.helpers import START, source, write

QUERIES = [
    Query(text="event 1"),
    Query(text="KEYERROR"),
    Query(text="caf"),
    Query(text="k"),
    Query(text="event", min_level=levels.ERROR),
    Query(until=START + timedelta(seconds=100)),
    Query(since=START + timedelta(seconds=30), until=START + timedelta(seconds=200)),
    Query(text="apps", until=START + timedelta(seconds=150), logger="apps.b"),
    Query(fields=(FieldFilter.parse("level=ERROR"),)),
    Query(min_level=levels.WARNING),
    Query(min_level=levels.AUDIT, logger="apps."),
    Query(logger="django", text="event"),
]


def found(records: Any) -> list[tuple[int, str]]:
    return [(record.offset, record.raw) for record in records]


@given(lines=text_file(), extra=st.sampled_from([b"", "\u212a".encode(), b"\\u006b"]))
def test_skipping_unbuilt_records_changes_no_result(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], extra: bytes
) -> None:
    # A KELVIN SIGN reads "k" once lower-cased, and an escape is decoded: neither is
    # found by a byte search for "k", so neither record may be skipped.
    lines = [*lines, b"2026-04-04 12:01:00,000 [INFO] apps.billing: odd " + extra]
    directory = tmp_path_factory.mktemp("logs")
    path = write(directory / "app.log", lines)
    for fmt in ("text", "auto"):
        log = source(path, format=fmt)
        every = list(log.iter_records(Query()))
        for query in QUERIES:
            assert found(log.iter_records(query)) == found(r for r in every if query.matches(r)), (
                fmt,
                query,
            )


def test_a_groups_fields_are_the_parsed_records() -> None:
    from datetime import UTC

    parser = Parser(zone=UTC)
    header = b"2026-04-04 12:00:05,000 [WARNING] apps.billing: x"
    assert parser.group_fields([header, b"  more"]) == (
        START + timedelta(seconds=5),
        levels.WARNING,
        "apps.billing",
    )
    assert parser.group_fields([b"no header"]) == (None, levels.UNKNOWN, "")
    assert parser.group_fields([b'{"time": "2026-04-04T12:00:07Z"}']) == (
        START + timedelta(seconds=7),
        None,
        None,
    )


def test_a_level_or_logger_skip_says_the_facet_is_thinned(tmp_path: Path) -> None:
    path = write(
        tmp_path / "app.log",
        ["2026-04-04 12:00:00,000 [INFO] apps.billing: a", "2026-04-04 12:00:01,000 [ERROR] x: b"],
    )
    page = source(path).page(Query(min_level=levels.ERROR, logger="x"))
    assert [r.message for r in page.records] == ["b"]
    assert page.facets.uncounted_levels and page.facets.other_loggers_uncounted
