"""An export whose manifest cannot be made: no key, no database. Refused, or reported."""

from __future__ import annotations

import importlib.metadata
import io
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

import auditconsole
from auditconsole.export import audit, chain
from auditconsole.export.audit import (
    LOGGER_NAME,
    ExportNotRecorded,
    console_version,
    record_export,
    record_start,
)
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import INFO, finished


@pytest.fixture
def no_key(settings):
    settings.AUDITCONSOLE_SIGNING_KEY_FILE = None
    settings.AUDITCONSOLE_SIGNING_KEY = None
    return settings


def records() -> list:
    return list(get_source("console").iter_records(Query(logger=LOGGER_NAME)))


def test_without_a_key_an_export_is_refused_before_it_starts(audit_log, no_key, caplog):
    with pytest.raises(ExportNotRecorded, match="its manifest cannot be signed: no key signs"):
        record_start(INFO)
    assert "Export record not written (agent started an export" in caplog.text
    assert not list(get_source("console").iter_records(Query()))


def test_on_the_web_and_in_the_shell(audit_log, no_key, client_for, support_user, tmp_path):
    response = client_for(support_user).get("/audit/activity/export.csv")
    assert response.status_code == 503
    assert "The export was refused" in response.content.decode()
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=r"Export refused: .*its manifest cannot be signed"):
        call_command("auditconsole_export", "activity", "-o", str(target), stderr=io.StringIO())
    assert not target.exists()


def test_without_the_requirement_the_export_goes_ahead_unsigned(audit_log, no_key, caplog):
    no_key.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    record_start(INFO)
    assert record_export(INFO, finished(2)) is None
    (record,) = records()
    assert record.data["rows"] == 2
    assert "manifest" not in record.data
    assert "AUDITCONSOLE_EXPORT_REQUIRE_RECORD is off: the export goes ahead." in caplog.text
    assert chain.head() is None


def test_a_key_gone_by_the_end_fails_the_end(audit_log, no_key):
    with pytest.raises(ExportNotRecorded, match="its manifest cannot be signed"):
        record_export(INFO, finished(2))
    assert records() == []


def test_a_database_that_fails(audit_log, settings, monkeypatch):
    def locked(using):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(chain, "_lock_next", locked)
    with pytest.raises(
        ExportNotRecorded, match="its manifest cannot be chained: DatabaseError: database is locked"
    ):
        record_export(INFO, finished(1))
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    assert record_export(INFO, finished(1)) is None
    (record,) = records()
    assert "manifest" not in record.data


def test_a_database_that_fails_after_the_record_is_written(audit_log, settings, monkeypatch):
    @contextmanager
    def fails_on_commit():
        link = chain.Link(seq=1, previous=None)
        yield link
        raise DatabaseError("connection lost")

    monkeypatch.setattr(chain, "extend", fails_on_commit)
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    assert record_export(INFO, finished(1)) is None
    (record,) = records()  # written once, with its manifest, not again without
    assert record.data["manifest"]["seq"] == 1


def test_the_version_of_a_source_checkout(monkeypatch):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    console_version.cache_clear()
    monkeypatch.setattr(audit.importlib.metadata, "version", not_installed)
    try:
        assert console_version() == auditconsole.__version__
    finally:
        console_version.cache_clear()
