"""manage.py auditconsole_export: the same CSV as the web, from the shell, audited."""

from __future__ import annotations

import getpass
import io
import logging

import pytest
from django.contrib.admin.models import CHANGE, DELETION
from django.core.management import CommandError, call_command

from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.streaming import BOM
from auditconsole.management.commands.auditconsole_export import Command
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from project.demo.models import Customer, Ticket
from tests.activity.entries import log
from tests.export.helpers import FailingHandler, read_csv, records
from tests.sources.helpers import FILE_SOURCE, app_line, write


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("auditconsole_export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def audit_records() -> list:
    return list(get_source("console").iter_records(Query(logger=LOGGER_NAME)))


@pytest.fixture
def entries(support_user, superuser):
    for n in range(6):
        log(
            support_user,
            Ticket if n % 2 else Customer,
            n,
            CHANGE if n % 3 else DELETION,
            name=f"=thing {n}",
        )
    return support_user


@pytest.fixture
def logs(tmp_path, settings, audit_log):
    app = write(tmp_path / "app.log", [app_line(n) for n in range(8)])
    api = write(tmp_path / "api.log", [app_line(n, api=True) for n in range(100, 103)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        **settings.AUDITCONSOLE_LOG_SOURCES,
        "app": {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": str(app), "columns": ["seq"]}},
        "api": {
            "BACKEND": FILE_SOURCE,
            "PERMISSION": "demo.delete_customer",
            "OPTIONS": {"path": str(api)},
        },
        "broken": {"BACKEND": FILE_SOURCE, "OPTIONS": {}},
    }
    return app


def test_output_equals_the_web_export(entries, client_for, audit_log):
    out, err = run("activity", "--action", "change", "--content-type", "demo.ticket")
    web = client_for(entries).get(
        "/audit/activity/export.csv?action=change&content_type=demo.ticket"
    )
    assert out == b"".join(web.streaming_content).decode()
    assert len(read_csv(out)) == 1 + 2
    assert err == "Exported 2 rows.\n"


def test_shell_exports_are_audited_under_the_os_user(entries, audit_log):
    run("activity", "--q", "thing")
    (record,) = audit_records()
    assert record.data["via"] == "command"
    assert record.data["user_id"] is None
    assert record.data["username"] == getpass.getuser()
    assert record.data["params"] == {"q": ["thing"]}
    assert record.data["rows"] == 6 and record.data["completed"] is True


def test_as_user_applies_their_scope_and_signs_the_record(entries, make_user, audit_log):
    tickets = make_user("tickets", console_perms=None, perms=("demo.view_ticket",))
    out, _ = run("activity", "--as-user", "tickets")
    assert {row["content_type"] for row in records(read_csv(out))} == {"demo.ticket"}
    (record,) = audit_records()
    assert (record.data["user_id"], record.data["username"]) == (tickets.pk, "tickets")


def test_as_user_needs_the_permissions(entries, viewer_user):
    with pytest.raises(CommandError, match="may not export activity"):
        run("activity", "--as-user", "viewer")
    with pytest.raises(CommandError, match="may not export logs"):
        run("source", "app", "--as-user", "viewer")
    with pytest.raises(CommandError, match="No user 'ghost'"):
        run("activity", "--as-user", "ghost")


def test_bad_filters_are_errors(entries):
    with pytest.raises(CommandError, match=r"(?s)cannot be applied.*From"):
        run("activity", "--since", "2026-02-30")
    with pytest.raises(CommandError, match="--max-rows must be a positive number"):
        run("activity", "--max-rows", "0")


def test_max_rows_and_no_bom(entries, audit_log):
    out, err = run("activity", "--max-rows", "2", "--no-bom")
    assert not out.startswith(BOM)
    assert len(read_csv(BOM + out)) == 3
    assert err == "Exported 2 rows (stopped at 2; more matched).\n"
    assert audit_records()[0].data["capped"] is True


def test_output_file(entries, tmp_path, audit_log):
    target = tmp_path / "out.csv"
    run("activity", "--output", str(target))
    assert len(read_csv(target.read_bytes())) == 7
    assert audit_records()[0].data["export_file"] == "out.csv"


def test_binary_stdout(entries):
    # A real terminal or pipe: the bytes go to stdout's buffer, UTF-8 whatever the locale.
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    call_command("auditconsole_export", "activity", stdout=out, stderr=io.StringIO())
    assert len(read_csv(out.buffer.getvalue())) == 7


def test_source_export(logs, audit_log):
    out, _ = run("source", "app", "--level", "ERROR", "--field", "seq!=2")
    rows = records(read_csv(out))
    assert [row["seq"] for row in rows] == ["6"]
    (record,) = audit_records()
    assert record.data["source_key"] == "app"
    assert record.data["params"] == {"level": ["ERROR"], "field": ["seq!=2"]}


def test_source_export_with_regex(logs):
    out, _ = run("source", "app", "--q", r"event [35]\b", "--regex")
    assert [row["message"] for row in records(read_csv(out))] == ["event 5", "event 3"]


def test_merged_source_export_in_settings_order(logs, superuser):
    out, _ = run("source", "api", "app", "--as-user", "root")
    rows = records(read_csv(out))
    assert len(rows) == 11
    assert {row["source"] for row in rows} == {"app", "api"}


def test_the_shell_sees_every_source_merged_in_settings_order(logs):
    # No --as-user: the operator holds the log files already, PERMISSION or not.
    out, _ = run("source", "api", "app", "api")
    rows = records(read_csv(out))
    assert len(rows) == 11 and {row["source"] for row in rows} == {"app", "api"}
    (record,) = audit_records()
    assert record.data["params"]["sources"] == ["app", "api"]
    assert record.data["source_key"] == "app+api"


def test_unknown_hidden_and_broken_sources(logs, support_user):
    with pytest.raises(CommandError, match="No log source 'nope'"):
        run("source", "nope")
    with pytest.raises(CommandError, match="No log source 'api'"):
        run("source", "api", "--as-user", "agent")  # needs demo.delete_customer
    with pytest.raises(CommandError, match="'broken' is misconfigured"):
        run("source", "broken")


# -- an export whose record cannot be written --------------------------------------------------


class FailsAtTheEnd(logging.Handler):
    """Writes the record of an export's start, then fails (the disk filled up meanwhile)."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == LOGGER_NAME:
            raise OSError(28, "No space left on device")


def test_an_export_that_cannot_be_recorded_is_refused(entries, tmp_path, add_exports_handler):
    add_exports_handler(FailingHandler())
    target = tmp_path / "out.csv"
    out, err = io.StringIO(), io.StringIO()
    command = Command(stdout=out, stderr=err)
    with pytest.raises(SystemExit) as exit_status:
        command.run_from_argv(["manage.py", "auditconsole_export", "activity", "-o", str(target)])
    assert exit_status.value.code == 1
    assert err.getvalue() == (
        "CommandError: Export refused: its record could not be written to the log "
        "(FailingHandler: OSError: [Errno 28] No space left on device). Exports require one "
        "(AUDITCONSOLE_EXPORT_REQUIRE_RECORD); nothing was exported.\n"
    )
    assert not target.exists()
    assert out.getvalue() == ""


def test_no_handler_refuses_too(entries, exports_logger):
    exports_logger.propagate = False
    exports_logger.handlers[:] = []
    with pytest.raises(CommandError, match="no handler writes INFO records") as refused:
        run("activity")
    assert "Export refused" in str(refused.value)


def test_a_record_that_fails_at_the_end_is_an_error(entries, tmp_path, add_exports_handler):
    add_exports_handler(FailsAtTheEnd())
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as failed:
        run("activity", "-o", str(target))
    assert str(failed.value) == (
        "6 rows were exported, but the record of the export could not be written to the log "
        "(FailsAtTheEnd: OSError: [Errno 28] No space left on device). "
        "Only the record of its start was."
    )
    assert len(read_csv(target.read_bytes())) == 7


def test_without_the_requirement_the_export_goes_ahead(
    entries, settings, add_exports_handler, audit_log, capsys
):
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    add_exports_handler(FailingHandler())
    out, err = run("activity")
    assert len(read_csv(out)) == 7
    assert err == "Exported 6 rows.\n"
    assert "--- Logging error ---" in capsys.readouterr().err
    (record,) = audit_records()  # the working handlers wrote it
    assert record.data["rows"] == 6
