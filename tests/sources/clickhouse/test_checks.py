"""System checks of ClickHouse sources: options (E050), the table's real columns (E051),
the drivers (E052), an unreachable store (W050); the DSN's password never in a message."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from auditconsole.checks import check_log_sources
from auditconsole.sources.clickhouse import store
from tests.sources.clickhouse import data


def ids(settings, **sources) -> list[str]:
    settings.AUDITCONSOLE_LOG_SOURCES = sources
    return sorted(message.id or "" for message in check_log_sources(None))


def test_a_good_source_passes(settings, chdb_dsn):
    assert ids(settings, cluster=data.config(chdb_dsn, "otel_logs", "otel")) == []
    assert ids(settings, audit=data.config(chdb_dsn, "activity_audit_logs", "activity_audit")) == []


@pytest.mark.parametrize(
    "options",
    [
        {"dsn": "ftp://x/y", "table": "otel_logs"},
        {"dsn": 42, "table": "otel_logs"},
        {"dsn": "chdb:///x", "table": "otel_logs; DROP TABLE x"},
        {"dsn": "chdb:///x", "table": "a.b.c"},
        {"dsn": "chdb:///x", "table": "otel_logs", "schema": "nope"},
        {"dsn": "chdb:///x", "table": "otel_logs", "schema": {"time": "t"}},
        {
            "dsn": "chdb:///x",
            "table": "t",
            "schema": {**dict.fromkeys(("time", "level", "logger", "message"), "c"), "host": "a b"},
        },
        {
            "dsn": "chdb:///x",
            "table": "t",
            "schema": {**dict.fromkeys(("time", "level", "logger", "message"), "c"), "json": "c"},
        },
        {"dsn": "chdb:///x", "table": "otel_logs", "timeout": 0},
        {"dsn": "chdb:///x", "table": "otel_logs", "lag": "5"},
        {"dsn": "chdb:///x", "table": "otel_logs", "colour": "red"},
    ],
)
def test_malformed_options_are_e050(settings, options):
    config = {"BACKEND": data.CLICKHOUSE, "OPTIONS": options}
    assert ids(settings, broken=config) == ["auditconsole.E050"]


def test_columns_are_checked_against_the_table(settings, chdb_dsn):
    mapping = {
        "time": "Timestamp",
        "level": "SeverityText",
        "logger": "ScopeName",
        "message": "NoSuchColumn",
        "host": "ResourceAttributes.host.name",
    }
    assert ids(settings, odd=data.config(chdb_dsn, "otel_logs", mapping)) == ["auditconsole.E051"]
    assert ids(settings, gone=data.config(chdb_dsn, "no_such_table", "otel")) == [
        "auditconsole.E051"
    ]
    assert ids(settings, wrong=data.config(chdb_dsn, "otel_logs", "activity_audit")) == [
        "auditconsole.E051"
    ]


def test_an_unreachable_store_is_a_warning_that_hides_the_password(settings, capsys):
    secret = "http://reader:pa55word@127.0.0.1:9/logs"
    assert ids(settings, down=data.config(secret, "otel_logs", "otel")) == ["auditconsole.W050"]
    call_command("check")  # a warning does not stop the console from starting
    assert "pa55word" not in capsys.readouterr().err
    store.forget(secret)


def test_errors_stop_manage_check(settings):
    settings.AUDITCONSOLE_LOG_SOURCES = {"x": {"BACKEND": data.CLICKHOUSE, "OPTIONS": {}}}
    with pytest.raises(SystemCheckError, match="E050"):
        call_command("check")
