"""The demo's log directory: the files a small Django shop accumulates in a few days.

Each family is written the way its real producer writes it: JSON app logs through a
``RotatingFileHandler`` (hence app.log.1 to .3), the oldest backup gzip-compressed as
logrotate's ``compress`` leaves it, django-activity-audit's records through a
``FileHandler``, the text log through the classic formatter, structlog lines and the
update script's JSONL as plain appends. A family is only written when its main file is
missing, so running the demo command again never duplicates or rewrites a log.
"""

from __future__ import annotations

import gzip
import logging
import random
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from logging.handlers import RotatingFileHandler
from pathlib import Path

from project.demo import logshapes
from project.demo.catalogue import Catalogue
from project.demo.timeline import Clock

#: Small on purpose: a few days of records fill app.log and its backups.
APP_LOG_MAX_BYTES = 192 * 1024
APP_LOG_BACKUPS = 3
APP_ARCHIVE = "app.log.4.gz"
APP_RECORDS = 5000
AUDIT_RECORDS = 700
API_RECORDS = 450
DJANGO_RECORDS = 1500
WORKER_JOBS = 500
UPDATE_DAYS = 60

#: Lines in worker.log that are not JSON objects, as a crash or a stray print leaves them.
MALFORMED_WORKER_LINES = 3

FAMILIES: dict[str, tuple[str, ...]] = {
    "app.log": (
        "app.log",
        *(f"app.log.{n}" for n in range(1, APP_LOG_BACKUPS + 2)),
        APP_ARCHIVE,
    ),
    "audit.log": ("audit.log",),
    "api.log": ("api.log",),
    "django.log": ("django.log",),
    "worker.log": ("worker.log",),
    "update-history.jsonl": ("update-history.jsonl",),
}


@dataclass(frozen=True)
class LogFileReport:
    name: str
    lines: int
    size: int
    created: bool


@contextmanager
def attached(handler: logging.Handler, formatter: logging.Formatter) -> Iterator[logging.Handler]:
    handler.setFormatter(formatter)
    try:
        yield handler
    finally:
        handler.close()


def emit_all(handler: logging.Handler, records: Iterable[logging.LogRecord]) -> None:
    for record in records:
        handler.handle(record)


class DemoLogWriter:
    def __init__(
        self, log_dir: Path, rng: random.Random, now: datetime, catalogue: Catalogue | None = None
    ) -> None:
        self.log_dir = log_dir
        self.rng = rng
        self.now = now
        self.factory = logshapes.LogFactory(rng, catalogue)
        # Machines work at night too, only less: a floor under the office-hours curve.
        self.clock = Clock(rng, floor=0.15)

    def path(self, name: str) -> Path:
        return self.log_dir / name

    def times(self, days: float, count: int) -> list[datetime]:
        return self.clock.sorted_between(self.now - timedelta(days=days), self.now, count)

    def write(self, *, reset: bool = False) -> list[LogFileReport]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        writers = {
            "app.log": self.write_app,
            "audit.log": self.write_audit,
            "api.log": self.write_api,
            "django.log": self.write_django,
            "worker.log": self.write_worker,
            "update-history.jsonl": self.write_updates,
        }
        created: set[str] = set()
        for family, write in writers.items():
            if reset:
                for name in FAMILIES[family]:
                    self.path(name).unlink(missing_ok=True)
            if not self.path(family).exists():
                write()
                created.update(FAMILIES[family])
        return [
            _report(self.path(name), name in created)
            for family in writers
            for name in FAMILIES[family]
            if self.path(name).exists()
        ]

    def write_app(self) -> None:
        """Four backups' worth through a RotatingFileHandler, then archive the oldest.

        The handler keeps one backup more than the live writer's (backupCount=3) so the
        oldest can be gzip-compressed into app.log.4.gz, as logrotate's ``compress`` would.
        """
        handler = RotatingFileHandler(
            self.path("app.log"),
            maxBytes=APP_LOG_MAX_BYTES,
            backupCount=APP_LOG_BACKUPS + 1,
            encoding="utf-8",
        )
        with attached(handler, logshapes.app_formatter()):
            emit_all(handler, (self.factory.app(when) for when in self.times(5, APP_RECORDS)))
        oldest = self.path(f"app.log.{APP_LOG_BACKUPS + 1}")
        if oldest.exists():
            with oldest.open("rb") as source, gzip.open(self.path(APP_ARCHIVE), "wb") as target:
                shutil.copyfileobj(source, target)
            oldest.unlink()

    def write_audit(self) -> None:
        handler = logging.FileHandler(self.path("audit.log"), encoding="utf-8")
        with attached(handler, logshapes.ActivityAuditFormatter()):
            emit_all(handler, (self.factory.audit(when) for when in self.times(3, AUDIT_RECORDS)))

    def write_api(self) -> None:
        handler = logging.FileHandler(self.path("api.log"), encoding="utf-8")
        with attached(handler, logshapes.ActivityAuditFormatter()):
            emit_all(handler, (self.factory.api(when) for when in self.times(3, API_RECORDS)))

    def write_django(self) -> None:
        handler = logging.FileHandler(self.path("django.log"), encoding="utf-8")
        with attached(handler, logshapes.text_formatter()):
            emit_all(handler, (self.factory.django(when) for when in self.times(3, DJANGO_RECORDS)))

    def write_worker(self) -> None:
        events = [
            event for when in self.times(2, WORKER_JOBS) for event in self.factory.worker_job(when)
        ]
        events.sort(key=lambda event: event["timestamp"])
        lines = [logshapes.structlog_line(event) for event in events]
        # What a worker log really picks up besides JSON: a line cut short when the
        # process was killed mid-write, a stray print() of a list, and a Python warning
        # from stderr, which supervisord sends to the same file.
        damage = [
            lines[len(lines) // 3][: len(lines[len(lines) // 3]) // 2],
            '["x", "worker restarted"]',
            "/srv/app/apps/worker/tasks.py:88: RuntimeWarning: coroutine 'send_digest' was "
            "never awaited",
        ]
        for offset, line in zip((3, 2, 1), damage, strict=True):
            lines.insert(len(lines) * offset // 4, line)
        self.path("worker.log").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def write_updates(self) -> None:
        sha = self.factory.token(7)
        lines = []
        for day in range(UPDATE_DAYS, 0, -1):
            date = self.now - timedelta(days=day)
            # The nightly cron run at 03:00, and now and then someone updating by hand.
            runs = [
                date.replace(hour=3, minute=self.rng.randrange(5), second=self.rng.randrange(60))
            ]
            if self.rng.random() < 0.15:
                runs.append(
                    date.replace(hour=self.rng.randrange(10, 17), minute=self.rng.randrange(60))
                )
            for when in runs:
                record = self.factory.update(when.replace(microsecond=0), sha)
                sha = record["new_sha"]
                lines.append(logshapes.update_history_line(record))
        self.path("update-history.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _report(path: Path, created: bool) -> LogFileReport:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return LogFileReport(path.name, data.count(b"\n"), path.stat().st_size, created)


def write_demo_logs(
    log_dir: Path,
    rng: random.Random,
    now: datetime,
    *,
    reset: bool = False,
    catalogue: Catalogue | None = None,
) -> list[LogFileReport]:
    return DemoLogWriter(log_dir, rng, now, catalogue).write(reset=reset)
