"""A process that keeps the demo logs moving, so the console's live tail has something to show.

About one app.log line per interval through a real ``RotatingFileHandler`` (1 MB, three
backups, the seed's JSON formatter); every 10th line also an audit.log or api.log record,
every 5th a django.log line, every 25th one with a traceback. Records are made by the
same :mod:`project.demo.logshapes` code as the seeded files, stamped with the real time.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler, WatchedFileHandler
from pathlib import Path
from types import FrameType, TracebackType

from django.utils import timezone

from project.demo import logshapes
from project.demo.catalogue import Catalogue

APP_LOG_MAX_BYTES = 1024 * 1024
APP_LOG_BACKUPS = 3
# django-activity-audit's own handler settings for its audit and API files.
AUDIT_LOG_MAX_BYTES = 10 * 1024 * 1024
AUDIT_LOG_BACKUPS = 5

AUDIT_EVERY = 10
DJANGO_EVERY = 5
TRACEBACK_EVERY = 25

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


class LiveWriter:
    def __init__(
        self, log_dir: Path, rng: random.Random, catalogue: Catalogue | None = None
    ) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.factory = logshapes.LogFactory(rng, catalogue)
        self.written = 0
        self.app = RotatingFileHandler(
            log_dir / "app.log",
            maxBytes=APP_LOG_MAX_BYTES,
            backupCount=APP_LOG_BACKUPS,
            encoding="utf-8",
        )
        self.app.setFormatter(logshapes.app_formatter())
        self.audit = RotatingFileHandler(
            log_dir / "audit.log",
            maxBytes=AUDIT_LOG_MAX_BYTES,
            backupCount=AUDIT_LOG_BACKUPS,
            encoding="utf-8",
        )
        self.api = RotatingFileHandler(
            log_dir / "api.log",
            maxBytes=AUDIT_LOG_MAX_BYTES,
            backupCount=AUDIT_LOG_BACKUPS,
            encoding="utf-8",
        )
        for handler in (self.audit, self.api):
            handler.setFormatter(logshapes.ActivityAuditFormatter())
        # django.log is rotated by logrotate in SmallStack's layout; WatchedFileHandler
        # reopens the file when logrotate moves it away.
        self.django = WatchedFileHandler(log_dir / "django.log", encoding="utf-8")
        self.django.setFormatter(logshapes.text_formatter())

    def __enter__(self) -> LiveWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for handler in (self.app, self.audit, self.api, self.django):
            handler.close()

    def write_one(self) -> None:
        now = timezone.now()
        self.written += 1
        number = self.written
        self.app.handle(self.factory.app(now))
        if number % AUDIT_EVERY == 0:
            if (number // AUDIT_EVERY) % 2:
                self.audit.handle(self.factory.audit(now))
            else:
                self.api.handle(self.factory.api(now))
        if number % TRACEBACK_EVERY == 0:
            self.django.handle(self.factory.django_error(now))
        elif number % DJANGO_EVERY == 0:
            self.django.handle(self.factory.django(now))

    def run(self, *, count: int | None, interval: float, stop: threading.Event) -> int:
        """Write until ``count`` lines are written or ``stop`` is set; return lines written."""
        while not stop.is_set() and (count is None or self.written < count):
            self.write_one()
            if count is not None and self.written >= count:
                break
            stop.wait(interval)
        return self.written


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn Ctrl+C and SIGTERM into ``stop.set()`` while the block runs.

    The writer then finishes its current line and closes its files instead of dying
    with a KeyboardInterrupt traceback or a half-written line.
    """
    if threading.current_thread() is not threading.main_thread():
        # Python only lets the main thread install signal handlers.
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
