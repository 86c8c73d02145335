"""Export records: one JSON line on the auditconsole.exports logger, read back as a log source."""

from __future__ import annotations

import logging

import pytest

from auditconsole.export.audit import (
    LOGGER_NAME,
    START_NAME,
    VIA_COMMAND,
    ExportInfo,
    ExportNotRecorded,
    message,
    record_export,
    record_start,
)
from auditconsole.export.history import history_query
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import INFO, FailingHandler, finished


def test_the_record_says_who_what_and_how_many(audit_log):
    record_export(INFO, finished(3))
    (record,) = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    assert record.level == "INFO"
    assert record.message == "agent exported 3 records of log source 'app'"
    assert {
        key: record.data[key]
        for key in (
            "user_id",
            "username",
            "view",
            "source_key",
            "params",
            "rows",
            "capped",
            "completed",
            "max_rows",
            "export_file",
            "via",
        )
    } == {
        "user_id": 14,
        "username": "agent",
        "view": "logs",
        "source_key": "app",
        "params": {"level": ["ERROR"], "field": ["status=failed", "user_id=3"]},
        "rows": 3,
        "capped": False,
        "completed": True,
        "max_rows": 5,
        "export_file": "logs-app-2026-11-22T1030Z.csv",
        "via": "web",
    }
    assert record.time is not None


def test_records_are_found_by_user(audit_log):
    record_export(INFO, finished(1))
    record_export(ExportInfo(**{**INFO.__dict__, "user_id": 15, "username": "other"}), finished(2))
    source = get_source("console")
    assert [r.data["username"] for r in source.iter_records(history_query(14))] == ["agent"]
    assert [r.data["username"] for r in source.iter_records(history_query(15))] == ["other"]


def test_capped_and_interrupted_exports_say_so():
    assert message(INFO, finished(9)) == (
        "agent exported 5 records of log source 'app' (stopped at the cap of 5; more matched)"
    )
    assert message(INFO, finished(9, max_rows=None, stop_after=2)) == (
        "agent exported 2 records of log source 'app' (interrupted before the end)"
    )


def test_shell_exports(audit_log):
    info = ExportInfo(
        user_id=None,
        username="deploy",
        view="activity",
        params={},
        export_file="x.csv",
        via=VIA_COMMAND,
        noun="activity rows",
    )
    record_export(info, finished(1, max_rows=None))
    (record,) = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    assert record.data["via"] == "command"
    assert record.data["user_id"] is None
    assert record.message == "deploy exported 1 activity rows"


# -- a record that cannot be written ------------------------------------------------------------


def test_the_start_is_recorded_apart_from_the_export(audit_log):
    record_start(INFO)
    record_export(INFO, finished(3))
    source = get_source("console")
    (start,) = source.iter_records(Query(logger=START_NAME))
    assert start.message == "agent started an export of records of log source 'app'"
    assert start.data["params"] == {"level": ["ERROR"], "field": ["status=failed", "user_id=3"]}
    assert (start.data["user_id"], start.data["export_file"], start.data["via"]) == (
        14,
        "logs-app-2026-11-22T1030Z.csv",
        "web",
    )
    assert "rows" not in start.data
    # One record per export under the exports' own name, as the history reads them.
    (record,) = source.iter_records(Query(logger=LOGGER_NAME))
    assert record.data["rows"] == 3
    assert record.data["module"] == "audit"


def test_a_record_that_cannot_be_written_is_refused(audit_log, add_exports_handler, caplog):
    add_exports_handler(FailingHandler())
    with pytest.raises(ExportNotRecorded, match="FailingHandler: OSError") as refused:
        record_start(INFO)
    assert refused.value.problems == ["FailingHandler: OSError: [Errno 28] No space left on device"]
    with pytest.raises(ExportNotRecorded):
        record_export(INFO, finished(3))
    (first, second) = [r for r in caplog.records if r.name == "auditconsole.export.audit"]
    assert first.levelno == logging.ERROR
    assert first.getMessage().startswith(
        "Export record not written (agent started an export of records of log source 'app'): "
        "FailingHandler: OSError"
    )
    assert "Exports require one (AUDITCONSOLE_EXPORT_REQUIRE_RECORD)" in first.getMessage()
    assert "agent exported 3 records" in second.getMessage()


def test_without_the_requirement_the_failure_is_only_reported(
    audit_log, add_exports_handler, settings, caplog, capsys
):
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    add_exports_handler(FailingHandler())
    record_start(INFO)
    record_export(INFO, finished(3))
    # The working handlers still wrote both records.
    assert len(list(get_source("console").iter_records(Query(logger="auditconsole.export")))) == 2
    assert "--- Logging error ---" in capsys.readouterr().err
    (report, _) = [r for r in caplog.records if r.name == "auditconsole.export.audit"]
    assert "AUDITCONSOLE_EXPORT_REQUIRE_RECORD is off: the export goes ahead" in report.getMessage()


def test_a_handler_that_also_fails_the_report_still_means_a_refusal(audit_log):
    # On 'auditconsole': it takes both the export's record and the report of its failure.
    parent = logging.getLogger("auditconsole")
    handler = FailingHandler()
    parent.addHandler(handler)
    try:
        with pytest.raises(ExportNotRecorded):
            record_start(INFO)
    finally:
        parent.removeHandler(handler)
