"""The byte prefilter skips only lines that could not match: results are those of parsing all.

Each generated file mixes the shapes formatters write (python-json-logger, structlog,
pino's numeric levels, ECS's ``log.level``), spellings a prefilter could trip on (escaped
keys, ``\\u`` escapes, odd spacing, levels in odd case or padded), text and broken lines,
blank lines and invalid UTF-8, with timestamps that jitter and go backwards. Every filter
is run on the file, and must find exactly the records that reading every record of the
file (the prefilter switched off, no filter at all) and checking each finds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditconsole.sources import levels
from auditconsole.sources.files import jsonscan
from auditconsole.sources.files.prefilter import candidate_spans, prefilter_for
from auditconsole.sources.query import FieldFilter, Query
from tests.security.fuzzing import fuzz
from tests.sources.helpers import source, write

START = datetime(2026, 4, 4, 12, 0, tzinfo=UTC)

LEVEL_VALUES: list[Any] = [
    "INFO", "info", "ERROR", "error", "Error", " ERROR ", "err", "EXCEPTION", "WARN",
    "warning", "fatal", "Crit", "CRITICAL", "debug", "AUDIT", "login", "notice", "success",
    "weird", "", 40, 30, 50, 20, 45.5, -1, "40", "10", None, True, ["ERROR"], {"x": "ERROR"},
]  # fmt: skip
LEVEL_KEYS = ["level", "levelname", "severity", "log.level", "log", "lvl"]
LOGGER_KEYS = ["logger", "logger_name", "name", "module"]
LOGGERS: list[Any] = ["apps.billing", "apps.billing.tasks", "apps.tickets", "django.request",
                      "Apps.Billing", "apps/billing", 12, None]  # fmt: skip
MESSAGES = ["invoice sent", "needle found", "NEEDLE", "café crème", "status=failed", "x" * 40]


@st.composite
def json_line(draw: st.DrawFn, n: int) -> bytes:
    # Writers out of order by up to two minutes (the time seek's tolerance is five).
    jitter = draw(st.integers(-120, 120))
    record: dict[str, Any] = {"time": (START + timedelta(seconds=n * 5 + jitter)).isoformat()}
    level_key = draw(st.sampled_from(LEVEL_KEYS))
    level = draw(st.sampled_from(LEVEL_VALUES))
    if level_key == "log":
        record["log"] = {"level": level}
    else:
        record[level_key] = level
    record[draw(st.sampled_from(LOGGER_KEYS))] = draw(st.sampled_from(LOGGERS))
    record["message"] = draw(st.sampled_from(MESSAGES))
    record["user_id"] = draw(st.sampled_from([14, "14", 140, 15, "x"]))
    if draw(st.booleans()):
        record["status"] = draw(st.sampled_from(["failed", "ok", "FAILED"]))
    text = json.dumps(
        record,
        ensure_ascii=draw(st.booleans()),
        separators=draw(st.sampled_from([(",", ":"), (", ", ": "), (",", " : ")])),
    )
    spelling = draw(st.sampled_from(["plain", "escaped key", "escaped value", "escaped /"]))
    if spelling == "escaped key":
        text = text.replace('"level', '"lev\\u0065l', 1).replace('"name"', '"n\\u0061me"', 1)
    elif spelling == "escaped value":
        text = text.replace("ERROR", "ERR\\u004fR").replace("apps.", "app\\u0073.")
    elif spelling == "escaped /":
        text = text.replace("apps/billing", "apps\\/billing")
    return text.encode()


@st.composite
def other_line(draw: st.DrawFn, n: int) -> bytes:
    when = (START + timedelta(seconds=n * 5)).strftime("%Y-%m-%d %H:%M:%S,000")
    kind = draw(st.sampled_from(["text", "broken", "blank", "binary", "array", "indented"]))
    if kind == "text":
        level = draw(st.sampled_from(["ERROR", "INFO", "WARNING"]))
        return f"{when} [{level}] apps.billing: needle in text".encode()
    if kind == "broken":
        return (
            f'{{"time": "{when}", "level": "ERROR", "name": "apps.billing", "msg": "needle'.encode()
        )
    if kind == "blank":
        return b"   "
    if kind == "binary":
        return b'{"level": "ERROR", "message": "\xff\xfe needle"}'
    if kind == "array":
        return b'["ERROR", "apps.billing", "needle"]'
    return b'  {"level": "ERROR", "name": "apps.billing", "message": "needle"}'


@st.composite
def log_file(draw: st.DrawFn) -> list[bytes]:
    count = draw(st.integers(1, 30))
    return [
        draw(other_line(n) if draw(st.integers(0, 5)) == 0 else json_line(n)) for n in range(count)
    ]


QUERIES = [
    Query(min_level=levels.ERROR),
    Query(min_level=levels.WARNING),
    Query(min_level=levels.CRITICAL),
    Query(min_level=levels.AUDIT),
    Query(min_level=levels.TRACE),
    Query(logger="apps.billing"),
    Query(logger="apps/"),
    Query(logger="Apps"),
    Query(text="needle"),
    Query(text="NEEDLE", min_level=levels.ERROR, logger="apps."),
    Query(text="café"),
    Query(text="needle|invoice", regex=True, min_level=levels.WARNING),
    Query(fields=(FieldFilter.parse("user_id=14"),), min_level=levels.ERROR),
    Query(fields=(FieldFilter.parse("status=failed"),), logger="apps.billing"),
    Query(
        min_level=levels.ERROR,
        since=START + timedelta(seconds=30),
        until=START + timedelta(seconds=150),
    ),
]


def found(records: Any) -> list[tuple[int, str, int]]:
    return [(r.offset, r.level, r.levelno) for r in records]


@fuzz(40)
@given(lines=log_file())
def test_prefiltered_results_equal_parsing_every_line(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    path = write(tmp_path_factory.mktemp("logs") / "app.log", lines)
    log = source(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonscan, "prefilter_for", lambda query: None)
        every = list(log.iter_records(Query()))
    for query in QUERIES:
        expected = found(r for r in every if query.matches(r))
        assert found(log.iter_records(query)) == expected, query


def test_a_page_says_the_prefilter_left_facets_partial(logs: Path) -> None:
    lines = [json.dumps({"level": "INFO", "name": "a", "message": f"m{n}"}) for n in range(99)]
    write(logs / "app.log", [*lines, json.dumps({"level": "ERROR", "name": "b", "message": "x"})])
    page = source(logs / "app.log").page(Query(min_level=levels.ERROR), None, 10)
    assert [r.message for r in page.records] == ["x"]
    assert page.scanned_records == 100  # skipped lines are still counted as scanned
    assert page.facets.levels == [("ERROR", 1)]
    assert "INFO" in page.facets.uncounted_levels


def test_candidate_spans_find_lines_each_condition_admits() -> None:
    data = (
        b'{"level": "INFO", "name": "apps.billing"}\n'
        b'{"level": "ERROR", "name": "django"}\n'
        b'{"level":"error","name":"apps.billing.x"}\n'
        b"2026-04-04 12:00:00 [ERROR] apps.billing: text\n"
        b'{"level": 40, "name": "apps.billing"}'
    )
    prefilter = prefilter_for(Query(min_level=levels.ERROR, logger="apps.billing"))
    assert prefilter is not None
    found = [data[s : e if e >= 0 else None] for s, e in candidate_spans(data, 0, prefilter)]
    assert found == [
        b'{"level":"error","name":"apps.billing.x"}',
        b"2026-04-04 12:00:00 [ERROR] apps.billing: text",
        b'{"level": 40, "name": "apps.billing"}',
    ]
    assert prefilter_for(Query(logger='a"b')) is None  # escaped by JSON: not looked for
    assert prefilter_for(Query(min_level=levels.TRACE)) is None  # every level passes


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ('{"message": "temperature 300 \u212a"}'.encode(), "300 k"),  # KELVIN SIGN: "k"
        ('{"message": "CITY: \u0130"}'.encode(), "ty: i"),  # "city: i" + a combining dot
        (b'{"message": "GET \\/api\\/orders"}', "/api/orders"),
        (b'{"message": "\\u006bey rotated"}', "key rotated"),
    ],
)
def test_a_needle_spelled_otherwise_in_the_bytes_is_still_found(
    tmp_path: Path, line: bytes, needle: str
) -> None:
    """Found by the text scan's property test: the line's searched text (lower-cased,
    JSON-decoded) holds the needle, its bytes do not; the prefilter skipped it."""
    path = write(tmp_path / "app.log", [b'{"message": "other"}', line])
    log = source(path)
    every = [r for r in log.iter_records(Query()) if Query(text=needle).matches(r)]
    assert len(every) == 1
    assert found(log.iter_records(Query(text=needle))) == found(every)
