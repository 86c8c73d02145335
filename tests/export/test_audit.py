"""Export records: one JSON line on the auditconsole.exports logger, read back as a log source."""

from __future__ import annotations

from auditconsole.export.audit import LOGGER_NAME, VIA_COMMAND, ExportInfo, message, record_export
from auditconsole.export.history import history_query
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import INFO, finished


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
