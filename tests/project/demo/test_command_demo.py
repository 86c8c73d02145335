"""``manage.py auditconsole_demo``: refusal, options, summary and idempotency."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command

from project.demo.logfiles import FAMILIES
from project.demo.models import Customer, Invoice, Ticket
from tests.project.demo.conftest import TEST_ENTRIES

ENTRIES = str(TEST_ENTRIES)


def run(*args: str) -> str:
    out = StringIO()
    call_command("auditconsole_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    return {
        "users": list(User.objects.order_by("pk").values()),
        "groups": list(Group.objects.values_list("name", "permissions")),
        "customers": list(Customer.objects.order_by("pk").values()),
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "invoices": list(Invoice.objects.order_by("pk").values()),
        "entries": list(LogEntry.objects.order_by("pk").values()),
    }


@pytest.fixture
def log_dir(settings, tmp_path: Path) -> Path:
    settings.LOG_DIR = tmp_path / "log"
    return settings.LOG_DIR


def test_refuses_with_debug_off(db: None, settings, log_dir: Path) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match=r"Refusing to run with DEBUG off.*--force"):
        run("--entries", ENTRIES)
    assert not User.objects.exists()
    assert not log_dir.exists()


def test_runs_with_debug_on_without_force(db: None, settings, log_dir: Path) -> None:
    settings.DEBUG = True
    output = run("--entries", ENTRIES, "--no-logs")
    assert "Log files: skipped (--no-logs)." in output
    assert Customer.objects.exists()
    assert not log_dir.exists()


def test_force_runs_and_reports(db: None, log_dir: Path) -> None:
    output = run("--force", "--entries", ENTRIES)
    entries = LogEntry.objects.count()
    assert f"LogEntry: {entries:,} rows over the last 90 days" in output
    with_values = LogEntry.objects.filter(change_message__contains='"auditconsole"').count()
    assert with_values > 0
    assert f"({with_values:,} with before/after values)" in output
    assert f"{Ticket.objects.count():,} tickets" in output
    assert f"Log files in {log_dir}:" in output
    for name in ("app.log", "app.log.3", "app.log.4.gz", "audit.log", "update-history.jsonl"):
        assert name in output
        assert (log_dir / name).exists()
    assert "Sign in at /accounts/login/ with:" in output
    for login in ("admin / admin", "support / support", "staff / staff"):
        assert login in output
    assert "left unchanged" not in output


def test_second_run_changes_nothing(db: None, log_dir: Path) -> None:
    run("--force", "--entries", ENTRIES)
    before = snapshot()
    files = {p.name: p.read_bytes() for p in log_dir.iterdir()}
    output = run("--force", "--entries", ENTRIES)
    assert snapshot() == before
    assert {p.name: p.read_bytes() for p in log_dir.iterdir()} == files
    assert "Demo records already present: nothing added" in output
    assert "kept (exists)" in output
    assert "written" not in output
    assert output.count("(existing account, left unchanged)") == 3


def test_reset_logs_rewrites_only_the_logs(db: None, log_dir: Path) -> None:
    run("--force", "--entries", ENTRIES)
    before = snapshot()
    (log_dir / "app.log").write_text("not a demo line\n")
    (log_dir / "unrelated.txt").write_text("keep me\n")
    output = run("--force", "--entries", ENTRIES, "--reset-logs")
    assert snapshot() == before
    assert "not a demo line" not in (log_dir / "app.log").read_text()
    assert (log_dir / "unrelated.txt").read_text() == "keep me\n"
    assert output.count(" written") == sum(len(names) for names in FAMILIES.values()) - 1


def test_a_missing_file_family_is_recreated_alone(db: None, log_dir: Path) -> None:
    run("--force", "--entries", ENTRIES)
    (log_dir / "worker.log").unlink()
    audit = (log_dir / "audit.log").read_bytes()
    output = run("--force", "--entries", ENTRIES)
    assert (log_dir / "worker.log").exists()
    assert (log_dir / "audit.log").read_bytes() == audit
    assert output.count(" written") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--entries", "-1"), "--entries must be 0 or more"),
        (("--no-logs", "--reset-logs"), "contradict"),
    ],
)
def test_bad_options(db: None, log_dir: Path, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("--force", *args)
    assert not Customer.objects.exists()


def test_missing_permissions_become_a_command_error(db: None, log_dir: Path) -> None:
    Permission.objects.filter(codename="view_ticket").delete()
    with pytest.raises(CommandError, match=re.escape("run `manage.py migrate`")):
        run("--force", "--entries", ENTRIES)
    assert not User.objects.exists()
