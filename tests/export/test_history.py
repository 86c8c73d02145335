"""Reading a user's exports back through the log-source API."""

from __future__ import annotations

import json

from auditconsole.export.audit import ExportInfo, record_export
from auditconsole.export.history import NOT_ALLOWED, NOT_CONFIGURED, ExportRow, exports_of
from auditconsole.sources.records import Record
from tests.export.helpers import INFO, finished
from tests.sources.helpers import FILE_SOURCE


def test_newest_first_with_their_details(audit_log, support_user):
    info = ExportInfo(**{**INFO.__dict__, "user_id": support_user.pk})
    record_export(info, finished(2))
    record_export(ExportInfo(**{**info.__dict__, "params": {}}), finished(9))
    history = exports_of(support_user.pk, support_user)
    assert history.problem is None
    assert [(row.rows, row.capped, row.completed) for row in history.rows] == [
        (5, True, True),
        (2, False, True),
    ]
    newest, oldest = history.rows
    assert newest.params == []
    assert oldest.params == [("level", "ERROR"), ("field", "status=failed, user_id=3")]
    assert oldest.view == "logs" and oldest.source_key == "app" and oldest.via == "web"
    assert oldest.export_file == INFO.export_file
    assert not history.more
    assert history.browse_url == (
        f"/audit/logs/console/?logger=auditconsole.exports&field=user_id%3D{support_user.pk}"
    )


def test_only_the_newest_are_listed(audit_log, support_user):
    info = ExportInfo(**{**INFO.__dict__, "user_id": support_user.pk})
    for _ in range(3):
        record_export(info, finished(1))
    history = exports_of(support_user.pk, support_user, limit=2)
    assert len(history.rows) == 2
    assert history.more


def test_no_audit_source(settings, support_user):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    assert exports_of(support_user.pk, support_user).problem == NOT_CONFIGURED
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "nowhere"
    assert exports_of(support_user.pk, support_user).problem == NOT_CONFIGURED
    settings.AUDITCONSOLE_LOG_SOURCES = {"nowhere": {"BACKEND": "no.such.Backend"}}
    assert exports_of(support_user.pk, support_user).problem == NOT_CONFIGURED


def test_viewers_who_may_not_see_the_log(audit_log, settings, make_user, support_user):
    activity_only = make_user("reader", console_perms=("view_activity",))
    assert exports_of(support_user.pk, activity_only).problem == NOT_ALLOWED
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "console": {
            "BACKEND": FILE_SOURCE,
            "PERMISSION": "demo.view_invoice",
            "OPTIONS": {"path": str(audit_log)},
        }
    }
    assert (
        exports_of(support_user.pk, make_user("noinvoices", console_perms=None)).problem
        == NOT_ALLOWED
    )
    assert exports_of(support_user.pk, support_user).problem is None


def test_rows_from_records_written_by_hand():
    data = {"params": "oops", "rows": True, "completed": False, "source_key": ""}
    record = Record(
        time=None,
        level="INFO",
        levelno=20,
        logger="auditconsole.exports",
        message="x",
        fields=data,
        raw=json.dumps(data),
        data=data,
    )
    row = ExportRow.from_record(record)
    assert (row.params, row.rows, row.completed, row.source_key, row.view) == (
        [],
        None,
        False,
        None,
        "",
    )
    assert ExportRow.from_record(
        Record(
            time=None,
            level="INFO",
            levelno=20,
            logger="x",
            message="",
            fields={},
            raw="",
            data={"params": {"q": "text"}},
        )
    ).params == [("q", "text")]


def test_the_console_s_own_log_by_default(settings):
    from auditconsole.conf import conf

    if hasattr(settings, "AUDITCONSOLE_EXPORT_AUDIT_SOURCE"):
        del settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE
    assert conf.EXPORT_AUDIT_SOURCE == "console"
