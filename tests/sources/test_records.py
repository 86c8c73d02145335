from __future__ import annotations

import pytest

from auditconsole.sources import cursor
from auditconsole.sources.records import MISSING, Record, RecordRef, display_value, resolve


def record(**kwargs) -> Record:
    defaults = {
        "time": None,
        "level": "",
        "levelno": 0,
        "logger": "",
        "message": "",
        "fields": {},
        "raw": "",
    }
    defaults.update(kwargs)
    return Record(**defaults)


def test_lookup_prefers_literal_dotted_keys_then_nests_and_indexes_lists() -> None:
    data = {"log.level": "warn", "log": {"level": "error"}, "items": [{"id": 7}], "a": {"b": None}}
    r = record(data=data)
    assert r.lookup("log.level") == "warn"
    assert r.lookup(("log", "level")) == "warn"
    assert r.lookup("items.0.id") == 7
    assert r.lookup("items.5.id") is MISSING
    assert r.lookup("items.x") is MISSING
    assert r.lookup("a.b") is None
    assert r.lookup("a.b.c") is MISSING
    assert r.lookup("nope") is MISSING
    assert resolve({"x.y": {}, "x": {"y": {"z": 1}}}, ("x", "y", "z")) == 1


def test_column_and_display_value() -> None:
    r = record(data={"n": 3, "flag": True, "none": None, "obj": {"k": [1]}, "s": "text"})
    assert [r.column(c) for c in ("n", "flag", "none", "obj", "s", "missing")] == [
        "3",
        "true",
        "null",
        '{"k":[1]}',
        "text",
        "",
    ]
    assert display_value(False) == "false"
    assert display_value(1.5) == "1.5"


def test_summary_and_search_text() -> None:
    assert record(message="hello").summary == "hello"
    quiet = record(fields={"a": 1, "b": "", "c": None, **{f"k{i}": i for i in range(10)}})
    assert quiet.summary == "a=1 k0=0 k1=1 k2=2 k3=3 k4=4"
    assert record(fields={"status": "ok", "commits": 4}).summary == "status=ok commits=4"
    escaped = record(raw='{"message": "caf\\u00e9"}', message="café")
    assert "café" in escaped.search_text
    plain = record(raw='{"message": "m"}', message="m")
    assert plain.search_text == plain.raw


def test_ref_round_trip_and_token() -> None:
    r = record(source="app", stream="app.log", file_id=(3, 4), offset=10, checksum=99)
    assert r.ref == RecordRef("app", "app.log", (3, 4), 10, 99)
    assert RecordRef.from_state("app", r.ref.to_state()) == r.ref
    assert cursor.loads(cursor.REF, "app", r.token) == r.ref.to_state()
    assert r.level_css == ""


@pytest.mark.parametrize(
    "state", [["s", -1, 0, 0, 0], ["s", 1, 2, 3, True], [1, 1, 2, 3, 4], ["s", "1", 2, 3, 4]]
)
def test_ref_from_state_rejects_bad_shapes(state) -> None:
    with pytest.raises(ValueError, match="malformed"):
        RecordRef.from_state("app", state)


@pytest.mark.parametrize("state", [None, "s1234", {"s": 1}, ["s", 1, 2, 3], ["s", 1, 2, 3, 4, 5]])
def test_ref_from_state_rejects_what_is_not_five_values_as_malformed(state) -> None:
    # Signed, so not forged, but maybe issued by another version: a clear "malformed".
    with pytest.raises(ValueError, match="malformed"):
        RecordRef.from_state("app", state)


def test_display_value_of_integers_beyond_64_bits() -> None:
    assert display_value([18446744073709551616, "é"]) == '[18446744073709551616, "é"]'
    assert display_value({"n": -(2**70)}) == '{"n": -1180591620717411303424}'
