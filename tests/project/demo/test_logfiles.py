"""The demo log directory: every file exists, in the shape its real producer writes."""

from __future__ import annotations

import gzip
import itertools
import json
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from project.demo import logfiles
from project.demo.logfiles import (
    APP_LOG_MAX_BYTES,
    FAMILIES,
    MALFORMED_WORKER_LINES,
    LogFileReport,
    write_demo_logs,
)

JSON_FILES = ("app.log", "app.log.1", "app.log.2", "app.log.3", "audit.log", "api.log")
SMALLSTACK_KEYS = ["time", "level", "name", "module", "message"]
SMALLSTACK_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$")
AUDIT_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")
TEXT_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[(INFO|WARNING|ERROR)\] [\w.]+: .+$"
)
STRUCTLOG_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.read().splitlines()


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in lines(path)]


def smallstack_time(record: dict) -> datetime:
    return datetime.strptime(record["time"], "%Y-%m-%d %H:%M:%S,%f")


@pytest.fixture(scope="module")
def log_dir(demo_logs: tuple[Path, list[LogFileReport]]) -> Path:
    return demo_logs[0]


def test_every_file_exists_and_is_reported(demo_logs: tuple[Path, list[LogFileReport]]) -> None:
    log_dir, reports = demo_logs
    expected = [name for names in FAMILIES.values() for name in names if name != "app.log.4"]
    assert sorted(p.name for p in log_dir.iterdir()) == sorted(expected)
    assert [r.name for r in reports] == expected
    for report in reports:
        assert report.created
        assert report.lines == len(lines(log_dir / report.name)) > 0
        assert report.size == (log_dir / report.name).stat().st_size


@pytest.mark.parametrize("name", JSON_FILES)
def test_json_files_parse_line_by_line(log_dir: Path, name: str) -> None:
    for record in records(log_dir / name):
        assert isinstance(record, dict)


def test_worker_log_has_exactly_the_deliberate_malformed_lines(log_dir: Path) -> None:
    bad = []
    for line in lines(log_dir / "worker.log"):
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError:
            bad.append(line)
            continue
        if not isinstance(parsed, dict):
            bad.append(line)
    assert len(bad) == MALFORMED_WORKER_LINES
    assert any(line.startswith('{"event": ') for line in bad)  # cut short mid-write
    assert '["x", "worker restarted"]' in bad
    assert any("RuntimeWarning" in line for line in bad)


def test_rotation_made_three_backups_and_a_gzip_archive(log_dir: Path) -> None:
    for n in (1, 2, 3):
        size = (log_dir / f"app.log.{n}").stat().st_size
        assert APP_LOG_MAX_BYTES * 0.9 < size <= APP_LOG_MAX_BYTES
    assert not (log_dir / "app.log.4").exists()
    with gzip.open(log_dir / "app.log.4.gz", "rt", encoding="utf-8") as archive:
        archived = [json.loads(line) for line in archive]
    assert len(archived) > 500


def test_app_log_family_is_one_continuous_timeline(log_dir: Path) -> None:
    oldest_first = ["app.log.4.gz", "app.log.3", "app.log.2", "app.log.1", "app.log"]
    times = [smallstack_time(r) for name in oldest_first for r in records(log_dir / name)]
    assert times == sorted(times)
    assert times[-1] - times[0] > timedelta(days=3)


def test_app_log_is_smallstacks_json_shape(log_dir: Path) -> None:
    app = records(log_dir / "app.log.1")
    for record in app:
        assert list(record)[:5] == SMALLSTACK_KEYS
        assert SMALLSTACK_TIME.match(record["time"])
        assert record["module"] == record["name"].rsplit(".", 1)[-1] or record["module"] == "log"
    extras = {key for record in app for key in record} - set(SMALLSTACK_KEYS)
    assert {"user_id", "ticket_id", "status", "duration_ms", "exc_info"} <= extras
    levels = {record["level"] for record in app}
    assert {"INFO", "WARNING", "ERROR"} <= levels


def test_app_errors_carry_real_tracebacks(log_dir: Path) -> None:
    errors = [r for name in JSON_FILES[:4] for r in records(log_dir / name) if "exc_info" in r]
    assert errors
    for record in errors:
        assert record["level"] == "ERROR"
        assert record["exc_info"].startswith("Traceback (most recent call last):\n  File ")
        assert record["exc_info"].count("\n") >= 3


def test_audit_log_has_crud_and_login_records(log_dir: Path) -> None:
    audit = records(log_dir / "audit.log")
    crud = [r for r in audit if r["level"] == "AUDIT"]
    logins = [r for r in audit if r["level"] == "LOGIN"]
    assert crud and logins and len(crud) + len(logins) == len(audit)
    for record in crud:
        assert list(record) == [
            "timestamp",
            "level",
            "name",
            "message",
            "model",
            "event_type",
            "instance_id",
            "instance_repr",
            "user_id",
            "user_info",
            "extra",
        ]
        assert AUDIT_TIME.match(record["timestamp"])
        assert record["name"] == "audit.model"
        assert record["event_type"] in {"CREATE", "UPDATE", "DELETE"}
        assert record["message"] == (
            f"{record['event_type']} event for {record['model']} (id: {record['instance_id']})"
        )
        assert isinstance(record["instance_repr"], dict)
        assert isinstance(record["user_id"], str)
        assert set(record["user_info"]) == {
            "title",
            "email",
            "first_name",
            "middle_name",
            "last_name",
            "sex",
            "date_of_birth",
        }
    for record in logins:
        assert record["name"] == "audit.login"
        assert list(record)[4:] == ["user_id", "user_info", "event", "success", "error", "extra"]
    assert {r["success"] for r in logins} == {True, False}


def test_api_log_has_secrets_to_redact(log_dir: Path) -> None:
    api = records(log_dir / "api.log")
    for record in api:
        assert record["level"] == "API"
        assert record["name"] == "audit.request"
        assert AUDIT_TIME.match(record["timestamp"])
        assert {"request_repr", "response_repr", "error_message", "execution_time"} <= set(record)
    headers = [r["request_repr"]["headers"] for r in api]
    assert any(h.get("Authorization", "").startswith("Bearer ") for h in headers)
    assert any(h.get("Cookie", "").startswith("sessionid=") for h in headers)
    assert any("password" in (r["request_repr"].get("body") or {}) for r in api)
    assert any("token" in r["response_repr"]["body"] for r in api)
    assert {r["request_type"] for r in api} == {"internal", "external"}
    internal = [r for r in api if r["request_type"] == "internal"]
    assert all(
        {"method", "path", "query_params", "headers"} <= set(r["request_repr"]) for r in internal
    )
    assert {r["response_repr"]["status_code"] for r in api} >= {200, 401, 500}
    assert any(r["error_message"] for r in api)


def test_django_log_is_the_classic_text_format_with_tracebacks(log_dir: Path) -> None:
    text = lines(log_dir / "django.log")
    heads = [line for line in text if TEXT_LINE.match(line)]
    continuation = [line for line in text if not TEXT_LINE.match(line)]
    assert len(heads) > 1000
    assert "Traceback (most recent call last):" in continuation
    assert any(line.startswith('  File "') for line in continuation)
    error_heads = [i for i, line in enumerate(text) if "[ERROR]" in line]
    assert error_heads
    for index in error_heads:
        assert text[index + 1] == "Traceback (most recent call last):"
    stamps = [line[:23] for line in heads]
    assert stamps == sorted(stamps)


def test_worker_log_is_structlogs_json_shape(log_dir: Path) -> None:
    events = []
    for line in lines(log_dir / "worker.log"):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.append(event)
    for event in events:
        assert list(event)[:4] == ["event", "level", "logger", "timestamp"]
        assert STRUCTLOG_TIME.match(event["timestamp"])
        assert event["level"] in {"info", "warning", "error"}
        assert event["logger"] == "apps.worker"
    names = {event["event"] for event in events}
    assert {"job started", "job finished", "job failed", "retrying job"} <= names
    failed = [e for e in events if e["event"] == "job failed"]
    assert all(e["exception"].startswith("Traceback") for e in failed)
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)


def test_update_history_is_a_consistent_chain(log_dir: Path) -> None:
    raw = lines(log_dir / "update-history.jsonl")
    assert all('": ' not in line for line in raw)  # compact, as the script writes it
    history = [json.loads(line) for line in raw]
    for record in history:
        assert list(record) == [
            "timestamp",
            "old_sha",
            "new_sha",
            "status",
            "commits",
            "mode",
            "auto_update",
            "failed_step",
            "rolled_back",
        ]
        datetime.fromisoformat(record["timestamp"])
        assert re.fullmatch(r"[0-9a-f]{7}", record["new_sha"])
        if record["status"] == "success":
            assert record["commits"] > 0 and record["new_sha"] != record["old_sha"]
        else:
            assert record["commits"] == 0 and record["new_sha"] == record["old_sha"]
        assert (record["failed_step"] is None) == (record["status"] != "failed")
    for earlier, later in itertools.pairwise(history):
        assert later["old_sha"] == earlier["new_sha"]
        assert later["timestamp"] > earlier["timestamp"]
    assert {r["status"] for r in history} == {"success", "up_to_date", "failed"}


def test_times_are_recent(demo_logs: tuple[Path, list[LogFileReport]], log_now: datetime) -> None:
    log_dir = demo_logs[0]
    newest = max(smallstack_time(r) for r in records(log_dir / "app.log"))
    local_now = log_now.astimezone().replace(tzinfo=None)
    assert timedelta(0) <= local_now - newest < timedelta(hours=6)


def test_existing_files_are_kept(tmp_path: Path, log_now: datetime) -> None:
    (tmp_path / "audit.log").write_text("mine\n")
    reports = {r.name: r for r in write_demo_logs(tmp_path, random.Random(1), log_now)}
    assert (tmp_path / "audit.log").read_text() == "mine\n"
    assert not reports["audit.log"].created
    assert reports["api.log"].created
    again = write_demo_logs(tmp_path, random.Random(1), log_now)
    assert not any(report.created for report in again)


def test_reset_rewrites_the_demo_files(tmp_path: Path, log_now: datetime) -> None:
    (tmp_path / "app.log.4").write_text("left over from an earlier rotation\n")
    (tmp_path / "app.log").write_text("mine\n")
    reports = write_demo_logs(tmp_path, random.Random(1), log_now, reset=True)
    assert all(report.created for report in reports)
    assert (tmp_path / "app.log").read_text() != "mine\n"
    assert not (tmp_path / "app.log.4").exists()


def test_a_short_history_has_no_archive(tmp_path: Path, log_now: datetime, monkeypatch) -> None:
    monkeypatch.setattr(logfiles, "APP_RECORDS", 50)
    write_demo_logs(tmp_path, random.Random(1), log_now)
    assert (tmp_path / "app.log").exists()
    assert not (tmp_path / "app.log.1").exists()
    assert not (tmp_path / "app.log.4.gz").exists()
