"""The live writer and ``manage.py auditconsole_demo_writer``."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from project.demo.writer import APP_LOG_MAX_BYTES, LiveWriter, stop_on_signals

ROOT = Path(__file__).resolve().parents[3]
TEXT_HEAD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[[A-Z]+\] ")


def run(*args: str) -> str:
    out = StringIO()
    call_command("auditconsole_demo_writer", *args, stdout=out)
    return out.getvalue()


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.fixture
def log_dir(settings, tmp_path: Path, db: None) -> Path:
    # The command reads the desk's records (an empty desk here) for its audit lines; run
    # without a migrated database, it falls back (test_the_command_stops_quietly_on_a_signal).
    settings.LOG_DIR = tmp_path / "log"
    return settings.LOG_DIR


def test_count_appends_that_many_app_lines(log_dir: Path) -> None:
    output = run("--count", "5", "--interval", "0")
    app = (log_dir / "app.log").read_text(encoding="utf-8").splitlines()
    assert len(app) == 5
    for line in app:
        assert list(json.loads(line))[:5] == ["time", "level", "name", "module", "message"]
    assert "Stopped after 5 lines." in output


def test_appends_to_existing_files(log_dir: Path) -> None:
    log_dir.mkdir(parents=True)
    (log_dir / "app.log").write_text('{"time": "old"}\n')
    run("--count", "5", "--interval", "0", "--seed", "1")
    app = (log_dir / "app.log").read_text().splitlines()
    assert app[0] == '{"time": "old"}'
    assert len(app) == 6


def test_other_files_now_and_then(log_dir: Path) -> None:
    run("--count", "50", "--interval", "0", "--seed", "2")
    assert line_count(log_dir / "app.log") == 50  # a traceback stays inside its JSON line
    audit = [json.loads(line) for line in (log_dir / "audit.log").read_text().splitlines()]
    api = [json.loads(line) for line in (log_dir / "api.log").read_text().splitlines()]
    assert len(audit) == 3 and len(api) == 2  # lines 10, 30, 50 and 20, 40
    assert {r["level"] for r in audit} <= {"AUDIT", "LOGIN"}
    assert {r["level"] for r in api} == {"API"}
    django = (log_dir / "django.log").read_text().splitlines()
    heads = [line for line in django if TEXT_HEAD.match(line)]
    assert len(heads) == 10  # every 5th line
    assert django.count("Traceback (most recent call last):") >= 2  # lines 25 and 50


def test_rotates_app_log_at_one_megabyte(log_dir: Path) -> None:
    log_dir.mkdir(parents=True)
    (log_dir / "app.log").write_text("x" * (APP_LOG_MAX_BYTES - 10) + "\n")
    run("--count", "3", "--interval", "0")
    assert (log_dir / "app.log.1").stat().st_size == APP_LOG_MAX_BYTES - 9
    assert line_count(log_dir / "app.log") == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--interval", "-1"), "--interval"), (("--count", "0"), "--count must be 1 or more")],
)
def test_bad_options(log_dir: Path, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_run_stops_when_asked(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    with LiveWriter(tmp_path, random.Random(1)) as writer:
        assert writer.run(count=None, interval=0, stop=stop) == 0
    assert line_count(tmp_path / "app.log") == 0


def test_signals_set_the_stop_event_and_are_restored() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    stop = threading.Event()
    with stop_on_signals(stop):
        signal.raise_signal(signal.SIGTERM)
        assert stop.is_set()
        stop.clear()
        signal.raise_signal(signal.SIGINT)  # Ctrl+C: no KeyboardInterrupt
        assert stop.is_set()
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_signals_are_left_alone_outside_the_main_thread() -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen = []

    def body() -> None:
        with stop_on_signals(threading.Event()):
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [before]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_command_stops_quietly_on_a_signal(tmp_path: Path, signum: int) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "AUDITCONSOLE_VAR_DIR": str(tmp_path),
        "AUDITCONSOLE_LOG_DIR": str(tmp_path / "log"),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "auditconsole_demo_writer", "--interval", "0.02"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    app_log = tmp_path / "log" / "app.log"
    try:
        deadline = time.monotonic() + 60
        while line_count(app_log) < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert stderr == ""
    assert "Stopped after" in stdout
    lines = app_log.read_text().splitlines()
    assert len(lines) >= 3
    for line in lines:
        json.loads(line)  # the last line was finished, not cut off
