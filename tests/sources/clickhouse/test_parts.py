"""The ClickHouse backend's pure parts: DSN masking, schema mappings, driver values."""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from auditconsole.sources.clickhouse import dsn, schema
from auditconsole.sources.clickhouse.rows import from_json_text, plain, plain_text


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (
            "https://reader:secret@ch.internal:8443/logs",
            "https://reader:********@ch.internal:8443/logs",
        ),
        ("http://reader@ch.internal/logs", "http://reader@ch.internal/logs"),
        ("http://ch.internal/logs?password=x", "http://ch.internal/logs?********"),
        ("chdb:///var/lib/chdb", "chdb:///var/lib/chdb"),
        ("http://[::1:80/", "********"),
    ],
)
def test_masked(given, shown):
    assert dsn.masked(given) == shown


def test_scrub_takes_the_password_out_of_driver_text():
    secret = "https://reader:s3cret@ch.internal/logs"
    assert "s3cret" not in dsn.scrub(f"cannot reach {secret}: s3cret refused", secret)
    assert dsn.scrub("x", "http://[::1:80/") == "x"


def test_a_mapping_schema():
    parsed = schema.parse(
        {
            "time": "ts",
            "level": "lvl",
            "logger": "lg",
            "message": "msg",
            "host": "res.host.name",
            "attributes": "attrs",
            "json": ["ctx"],
            "coarse_time": "ts_s",
        }
    )
    assert parsed.host == ("res", "host.name")
    assert parsed.columns_named() == ["ts", "lvl", "lg", "msg", "ctx", "ts_s", "res", "attrs"]
    assert schema.parse(
        {"time": "t", "level": "l", "logger": "g", "message": "m", "host": "h"}
    ).host == ("h",)


@pytest.mark.parametrize(
    "bad",
    [
        42,
        {"time": "t", "level": "l", "logger": "g", "message": "m", "attributes": "a b"},
        {"time": "t", "level": "l", "logger": "g", "message": "m", "json": ["a", 1]},
        {"time": "t", "level": "l", "logger": "g", "message": "m", "coarse_time": "x;y"},
        {"time": "t", "level": "l", "logger": "g", "message": "m", "host": "h."},
        {"time": "t", "level": "l", "logger": "g", "message": "m", "extra": "x"},
    ],
)
def test_bad_schemas(bad):
    with pytest.raises(schema.SchemaError):
        schema.parse(bad)


def test_only_identifiers_are_quoted():
    assert schema.quote("Body") == "`Body`"
    with pytest.raises(ValueError):
        schema.quote("Body`")
    assert schema.table_parts("logs.otel_logs") == ("logs", "otel_logs")
    assert schema.table_parts(3) is None


def test_driver_values_become_json_data():
    assert plain(datetime(2026, 4, 4, 12, 0)) == "2026-04-04T12:00:00+00:00"
    assert plain(datetime(2026, 4, 4, 12, 0, tzinfo=UTC)) == "2026-04-04T12:00:00+00:00"
    assert plain(date(2026, 4, 4)) == "2026-04-04"
    assert plain(Decimal("1.50")) == "1.50"
    assert plain(UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert plain(ipaddress.ip_address("10.0.0.1")) == "10.0.0.1"
    assert plain({b"k\xff": (b"v", 1)}) == {"k\ufffd": ["v", 1]}
    assert plain(complex(1, 2)) == "(1+2j)"
    assert from_json_text('{"a": 1}') == {"a": 1}
    assert from_json_text("{broken") == "{broken"
    assert from_json_text("plain") == "plain"
    assert plain_text(None) == "" and plain_text({"a": 1}) == '{"a":1}'


def test_only_sources_that_count_apart_count_facets(tmp_path):
    from auditconsole.sources.files import FileSource
    from auditconsole.sources.merged import MergedSource
    from auditconsole.sources.query import Query

    files = FileSource("app", {"OPTIONS": {"path": str(tmp_path / "app.log")}})
    merged = MergedSource([files, FileSource("api", {"OPTIONS": {"path": str(tmp_path / "a")}})])
    assert files.facets_apart and not merged.facets_apart
    with pytest.raises(NotImplementedError):
        merged.count_facets(Query())
