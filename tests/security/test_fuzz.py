"""Property tests on everything that reads input an attacker (or a broken logger) wrote.

The record parser, the timestamp parser, the cursor codec and the positions inside
cursors, and the filter forms: no exception escapes that the views do not handle, and a
record survives being written and read back. Budgets are in :mod:`tests.security.fuzzing`.
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from hypothesis import assume, given
from hypothesis import strategies as st

from auditconsole.activity.filters import FILTER_PARAMS
from auditconsole.activity.search import ActivitySearch
from auditconsole.conf import DEFAULT_REDACT_KEYS
from auditconsole.sources import cursor as cursors
from auditconsole.sources import levels
from auditconsole.sources.files.parsing import (
    LEVEL_KEYS,
    LOGGER_KEYS,
    MESSAGE_KEYS,
    TIME_KEYS,
    Origin,
    Parser,
)
from auditconsole.sources.files.timestamps import parse_timestamp
from auditconsole.sources.query import LogFilterForm, MergedFilterForm, Query
from auditconsole.sources.records import Record, RecordRef
from tests.security.fuzzing import fuzz
from tests.sources.helpers import source, write

UTC = datetime.UTC
ORIGIN = Origin("app", "app.log", "app.log", (1, 2), "Application")
RESERVED_KEYS = frozenset({*TIME_KEYS, *LEVEL_KEYS, *LOGGER_KEYS, *MESSAGE_KEYS, "log"})


def parser(fmt: str = "auto") -> Parser:
    return Parser(fmt=fmt, zone=ZoneInfo("Europe/Paris"), redact_keys=DEFAULT_REDACT_KEYS)


def no_secret_word(text: str) -> bool:
    """Text the redactor leaves alone (it masks anything near a sensitive key name)."""
    lowered = text.lower().replace("-", "_")
    return not any(key in lowered for key in DEFAULT_REDACT_KEYS)


plain_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).filter(
    no_secret_word
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | plain_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(plain_text, children, max_size=4)
    ),
    max_leaves=12,
)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=8) | st.dictionaries(st.text(max_size=10), children, max_size=8)
    ),
    max_leaves=30,
)
line_bytes = st.binary(max_size=300) | any_json.map(
    lambda v: json.dumps(v, allow_nan=True).encode()
)


# -- the record parser ----------------------------------------------------------------------


@fuzz(150)
@given(line=line_bytes, fmt=st.sampled_from(["auto", "json", "text"]), truncated=st.booleans())
def test_any_line_becomes_a_record(line: bytes, fmt: str, truncated: bool) -> None:
    record = parser(fmt).parse_line(
        line, ORIGIN, 0, len(line), truncated=truncated, length=len(line)
    )
    assert isinstance(record, Record)
    assert isinstance(record.raw, str) and isinstance(record.message, str)
    assert record.malformed or isinstance(record.data, dict)
    if record.malformed and not record.data:
        assert record.error or record.raw == "" or fmt == "text"
    assert record.time is None or record.time.tzinfo is not None
    # Everything the pages call on a record works on this one.
    assert isinstance(record.summary, str) and isinstance(record.search_text, str)
    record.column("a.b.0")


@fuzz(100)
@given(lines=st.lists(st.binary(max_size=120), min_size=1, max_size=6))
def test_any_text_group_becomes_a_record(lines: list[bytes]) -> None:
    record = parser("text").parse_group(lines, ORIGIN, 0, sum(map(len, lines)))
    assert isinstance(record, Record)
    assert isinstance(record.raw, str)


times = st.datetimes(
    min_value=datetime.datetime(1971, 1, 1),
    max_value=datetime.datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")]),
)
extra_fields = st.dictionaries(
    plain_text.filter(lambda k: k not in RESERVED_KEYS and k.lower() not in RESERVED_KEYS),
    json_values,
    max_size=6,
)


@fuzz(150)
@given(
    when=times,
    level=st.sampled_from([name for name, _ in levels.CANONICAL]),
    name=plain_text,
    message=plain_text,
    extra=extra_fields,
    time_key=st.sampled_from(["time", "timestamp", "asctime", "@timestamp"]),
)
def test_a_record_round_trips(
    when: datetime.datetime,
    level: str,
    name: str,
    message: str,
    extra: dict[str, Any],
    time_key: str,
) -> None:
    document = {
        time_key: when.isoformat(),
        "level": level,
        "name": name,
        "message": message,
        **extra,
    }
    line = json.dumps(document, ensure_ascii=False).encode()
    record = parser().parse_line(line, ORIGIN, 0, len(line))
    assert not record.malformed, record.error
    # The same instant (aware datetimes in a DST fold never compare equal across zones).
    assert record.time.astimezone(UTC) == when.astimezone(UTC)
    assert (record.level, record.levelno) == (level, levels.number_for_name(level))
    assert record.logger == name
    assert record.message == message
    assert record.fields == extra
    assert record.data == document


@fuzz(10)
@given(
    batch=st.lists(
        st.tuples(times, st.sampled_from(["INFO", "ERROR"]), plain_text, extra_fields),
        min_size=1,
        max_size=30,
    )
)
def test_records_round_trip_through_a_file(
    tmp_path_factory: pytest.TempPathFactory, batch: list[tuple[Any, ...]]
) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    documents = [
        {"time": when.isoformat(), "level": level, "name": "fuzz", "message": msg, **extra}
        for when, level, msg, extra in batch
    ]
    write(directory / "app.log", [json.dumps(d, ensure_ascii=False) for d in documents])
    records: list[Record] = []
    log_source = source(directory / "app.log")
    cursor = None
    while True:
        page = log_source.page(Query(), cursor, limit=7)
        records.extend(page.records)
        cursor = page.cursor
        if cursor is None:
            break
    assert [r.data for r in records] == list(reversed(documents))
    for record in records:
        assert log_source.get(record.ref) is not None


# -- the timestamp parser ---------------------------------------------------------------------


@fuzz(100)
@given(value=any_json | st.text(max_size=70))
def test_any_value_is_a_time_or_none(value: Any) -> None:
    parsed = parse_timestamp(value, UTC)
    assert parsed is None or (isinstance(parsed, datetime.datetime) and parsed.tzinfo is not None)


@fuzz(100)
@given(when=times, sep=st.sampled_from(["T", " "]))
def test_iso_times_round_trip(when: datetime.datetime, sep: str) -> None:
    assert parse_timestamp(when.isoformat(sep=sep), UTC).astimezone(UTC) == when.astimezone(UTC)
    naive = when.replace(tzinfo=None)
    assert parse_timestamp(naive.isoformat(sep=sep), UTC) == naive.replace(tzinfo=UTC)


@fuzz(100)
@given(
    seconds=st.floats(min_value=0, max_value=4e9) | st.integers(min_value=0, max_value=4 * 10**9)
)
def test_epoch_times(seconds: float) -> None:
    parsed = parse_timestamp(seconds, UTC)
    assert parsed is not None
    assert math.isclose(parsed.timestamp(), float(seconds), abs_tol=1e-3)


# -- the cursor codec and the positions inside it ----------------------------------------------


kinds = st.sampled_from(cursors.KINDS)
scopes = st.sampled_from(["app", "django", "merged:app,django"])


@fuzz(100)
@given(kind=kinds, scope=scopes, token=st.text(max_size=200) | st.text(max_size=5000))
def test_any_token_is_refused_cleanly(kind: str, scope: str, token: str) -> None:
    try:
        cursors.loads(kind, scope, token)
    except cursors.InvalidCursor:
        return
    pytest.fail(f"accepted a token it never issued: {token!r}")


@fuzz(60)
@given(kind=kinds, scope=scopes, state=any_json.filter(lambda v: v == v), data=st.data())
def test_tokens_round_trip_and_resist_tampering(
    kind: str, scope: str, state: Any, data: Any
) -> None:
    assume(json.dumps(state) == json.dumps(json.loads(json.dumps(state))))  # NaN-free JSON
    token = cursors.dumps(kind, scope, state)
    assert cursors.loads(kind, scope, token) == json.loads(json.dumps(state))
    index = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    char = data.draw(st.sampled_from("AZaz09-_:."))
    assume(token[index] != char)
    with pytest.raises(cursors.InvalidCursor):
        cursors.loads(kind, scope, token[:index] + char + token[index + 1 :])
    other = data.draw(scopes.filter(lambda s: s != scope))
    with pytest.raises(cursors.InvalidCursor):
        cursors.loads(kind, other, token)
    other_kind = data.draw(kinds.filter(lambda k: k != kind))
    with pytest.raises(cursors.InvalidCursor):
        cursors.loads(other_kind, scope, token)


numbers = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=2**80)
    | st.floats()
    | st.text(max_size=5)
)
naturals = st.integers(min_value=0, max_value=2**80)
names = st.sampled_from(["app.log", "app.log.1", "other.log", "../x"]) | st.text(max_size=5)
# Mostly well-formed positions, so the checks past the shape are reached too.
stream_positions = st.tuples(
    names,
    naturals | numbers,
    naturals | numbers,
    st.none() | naturals,
    st.none() | st.floats() | st.integers(min_value=-(2**70), max_value=2**70),
    st.none() | naturals,
    st.none() | naturals,
).map(list)
page_positions = (
    st.fixed_dictionaries({"app.log": stream_positions})
    | st.dictionaries(
        names,
        st.none() | stream_positions | st.lists(numbers, min_size=6, max_size=8) | any_json,
        max_size=3,
    )
    | any_json
)
ref_positions = (
    st.tuples(names, naturals, naturals, naturals, naturals).map(list)
    | st.lists(numbers, min_size=4, max_size=6)
    | any_json
)
tail_positions = (
    st.dictionaries(
        st.sampled_from(["app.log", "x"]),
        st.fixed_dictionaries({"d": numbers, "i": numbers, "o": numbers, "h": numbers}) | any_json,
        max_size=2,
    )
    | any_json
)


@pytest.fixture(scope="module")
def fuzz_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("positions")
    write(
        directory / "app.log.1",
        [json.dumps({"time": f"2026-04-04 12:00:{i:02d}", "message": f"m{i}"}) for i in range(30)],
    )
    write(
        directory / "app.log",
        [json.dumps({"time": f"2026-04-04 12:01:{i:02d}", "message": f"n{i}"}) for i in range(30)],
    )
    return directory / "app.log"


@fuzz(100)
@given(state=page_positions)
def test_any_signed_page_position_is_a_page_or_a_value_error(fuzz_logs: Path, state: Any) -> None:
    """What BrowseView does with a verified cursor: a ValueError is its only refusal."""
    try:
        page = source(fuzz_logs).page(Query(), state, limit=5)
    except ValueError:
        return
    assert len(page.records) <= 5


@fuzz(100)
@given(state=ref_positions)
def test_any_signed_record_ref_is_a_record_or_a_refusal(fuzz_logs: Path, state: Any) -> None:
    """What RecordView does with a verified ref: ValueError/TypeError, or None, or a record."""
    try:
        ref = RecordRef.from_state("app", state)
    except (ValueError, TypeError):
        return
    log_source = source(fuzz_logs)
    around = log_source.around(ref, 3)
    assert around is None or around.record is not None
    log_source.get(ref)


@fuzz(100)
@given(state=tail_positions)
def test_any_signed_tail_position_is_lines_or_a_value_error(fuzz_logs: Path, state: Any) -> None:
    """What TailView does with a verified tail cursor: a ValueError is its only refusal."""
    try:
        result = source(fuzz_logs).tail(state, 10)
    except ValueError:
        return
    assert len(result.records) <= 10


# -- the filter forms -------------------------------------------------------------------------


LOG_PARAMS = ("level", "logger", "q", "regex", "since", "until", "field", "cursor", "sources")
param_values = (
    st.text(max_size=60)
    | st.sampled_from(
        [
            "1",
            "0",
            "ERROR",
            "audit",
            "15m",
            "2h",
            "-3d",
            "2026-04-04",
            "2026-04-04T12:00:00+02:00",
            "a=b",
            "x!=1",
            "user_id=14",
            "status=",
            "=x",
            "a..b=1",
            "(a+)+$",
            "[",
            "\\",
        ]
    )
    | st.integers().map(str)
)


def query_dicts(names: tuple[str, ...]) -> st.SearchStrategy[QueryDict]:
    def build(pairs: list[tuple[str, str]]) -> QueryDict:
        query = QueryDict(mutable=True)
        for key, value in pairs:
            query.appendlist(key, value)
        return query

    keys = st.sampled_from(names) | st.text(max_size=8)
    return st.lists(st.tuples(keys, param_values), max_size=8).map(build)


SAMPLES = [
    parser().parse_line(line.encode(), ORIGIN, 0, len(line))
    for line in (
        '{"time": "2026-04-04 12:00:00,000", "level": "ERROR", "name": "apps.billing", "message": "boom", "user_id": 14, "status": "failed", "a": {"b": [1, "x"]}}',
        '{"time": "2026-04-04 12:00:01,000", "level": "INFO", "name": "apps", "message": "ok"}',
        "not json at all",
        "[1, 2]",
    )
]


@fuzz(100)
@given(data=query_dicts(LOG_PARAMS))
def test_the_log_filter_form_never_raises(data: QueryDict) -> None:
    for form in (
        LogFilterForm(data),
        MergedFilterForm(data, source_choices=[("app", "App"), ("django", "Django")]),
    ):
        if form.is_valid():
            query = form.to_query()
            for record in SAMPLES:
                query.evaluate(record)
            query.needle  # noqa: B018
        else:
            assert form.errors


@pytest.mark.django_db
@fuzz(60)
@given(data=query_dicts((*FILTER_PARAMS, "sort", "after", "before", "page")))
def test_the_activity_filters_never_raise(superuser: Any, data: QueryDict) -> None:
    search = ActivitySearch(data, superuser)
    if search.is_valid:
        list(search.queryset[:5])
    else:
        assert search.form.errors
