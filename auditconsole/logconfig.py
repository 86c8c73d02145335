"""Sensible ``LOGGING`` in one call from settings::

    from auditconsole import logconfig

    LOGGING = logconfig.build(debug=DEBUG, log_file=os.environ.get("LOG_FILE"))

Development gets readable lines on the console, in the classic text format the console's log
sources also read. Production gets one JSON object per line on stdout (python-json-logger's
``JsonFormatter``) with ``time``, ``level``, ``name``, ``module``, ``message`` and, for
errors, ``exception``; container platforms collect stdout as it is. ``log_file`` adds a
rotating file in the same JSON format, which a log source can point at.

Handlers hang on the root logger only, and the named loggers just set levels and
propagate. Every configured logger therefore reaches the console and the file, and so do
loggers added later, a library's, or pytest's ``caplog``, which listens on the root.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_BACKUP_COUNT = 5
DEFAULT_APP_LOGGERS: tuple[str, ...] = ("apps", "auditconsole")
"""Your own code's top-level packages: ``logging.getLogger(__name__)`` in ``apps/x/views.py``
is ``apps.x.views``, a child of ``apps``."""

TEXT_FORMAT = "%(asctime)s [%(levelname)s] %(name)s: %(message)s"
"""``2026-04-04 12:34:56,789 [INFO] apps.tickets: Ticket 42 closed``."""

JSON_FIELDS: tuple[str, ...] = ("levelname", "name", "module", "message")
JSON_RENAMES: dict[str, str] = {"levelname": "level", "exc_info": "exception"}

# Logger -> (development level, production level).
DJANGO_LEVELS: dict[str, tuple[str, str]] = {
    "django": ("INFO", "WARNING"),
    "django.request": ("DEBUG", "ERROR"),
    "django.security": ("INFO", "WARNING"),
    # runserver's request lines; Django's default config keeps them on a handler of their
    # own, which would bypass the JSON formatter.
    "django.server": ("INFO", "WARNING"),
}
APP_LEVELS: tuple[str, str] = ("DEBUG", "INFO")
ROOT_LEVEL = "WARNING"
#: The console's own trail: its exports (and their starts) and its reads. Always at INFO,
#: whatever ``app_loggers`` says: leaving "auditconsole" out must not silently stop the
#: trail (exports would then be refused, and every page would warn).
TRAIL_LOGGERS: tuple[str, ...] = (
    "auditconsole.exports",
    "auditconsole.export_starts",
    "auditconsole.access",
)
TRAIL_LEVEL = "INFO"


class SharedRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler that follows a rotation made by another process.

    gunicorn runs several workers, each with its own handler on the same file. When one
    worker rotates, the plain handler in the others keeps writing into the renamed file
    (app.log.1), which then grows past the limit and is rotated again, out of order. Like
    ``WatchedFileHandler``, this one checks before each record that its open file is still
    the one at the path, and reopens it if not. Two workers deciding to rotate at the very
    same moment can still rotate twice; for heavy multi-process logging, prefer stdout and
    a collector.
    """

    _file_id: tuple[int, int] | None = None
    # None after close() and until a failed reopen is retried, as in FileHandler itself;
    # the stubs bundled with mypy 1.19 leave None out.
    stream: TextIOWrapper | None  # type: ignore[assignment]

    def _open(self) -> TextIOWrapper:
        # Every open (at start, delayed, after a rollover, after a reopen) notes which file
        # it got, as (device, inode): a rename by another process keeps the inode.
        stream = super()._open()
        result = os.fstat(stream.fileno())
        self._file_id = (result.st_dev, result.st_ino)
        return stream

    def _reopen_if_rotated(self) -> None:
        if self.stream is None:
            return
        try:
            result = os.stat(self.baseFilename)
            current: tuple[int, int] | None = (result.st_dev, result.st_ino)
        except FileNotFoundError:
            current = None
        if current == self._file_id:
            return
        self.stream.close()
        # Cleared first: if the open fails, the next record retries instead of writing
        # to a closed file.
        self.stream = None
        self.stream = self._open()

    def shouldRollover(self, record: logging.LogRecord) -> int:
        # The size is the file's, not what this process wrote: Python 3.13 stopped seeking to
        # the end before measuring (gh-116263), so without this a file shared by several
        # workers would grow past maxBytes, each one counting only its own lines.
        if self.stream is not None:
            self.stream.seek(0, os.SEEK_END)
        return super().shouldRollover(record)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._reopen_if_rotated()
        except OSError:
            self.handleError(record)
            return
        super().emit(record)


def json_formatter() -> dict[str, Any]:
    """The formatter config: python-json-logger with the console's field names.

    ``timestamp="time"`` gives an ISO 8601 UTC time with microseconds
    (``2026-04-04T12:34:56.789012+00:00``), unambiguous across servers and time zones.
    ``extra={...}`` fields of a record are kept as keys of their own.
    """
    return {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": list(JSON_FIELDS),
        "rename_fields": dict(JSON_RENAMES),
        "timestamp": "time",
    }


def prepare_log_file(path: str | os.PathLike[str]) -> Path:
    """Create the directory of ``path`` and check the file can be appended to.

    Raised here, the error names the path and the reason; left to the logging machinery it
    would be "Unable to configure handler 'file'" at some later, less obvious moment.
    """
    log_file = Path(path).expanduser()
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"LOG_FILE {str(log_file)!r}: cannot create its directory "
            f"{str(log_file.parent)!r}: {exc.strerror or exc}."
        ) from exc
    try:
        with log_file.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ImproperlyConfigured(
            f"LOG_FILE {str(log_file)!r} cannot be opened for writing: {exc.strerror or exc}."
        ) from exc
    return log_file


def build(
    *,
    debug: bool,
    log_file: str | os.PathLike[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backup_count: int = DEFAULT_BACKUP_COUNT,
    app_loggers: Sequence[str] = DEFAULT_APP_LOGGERS,
) -> dict[str, Any]:
    """A ``LOGGING`` dict for ``logging.config.dictConfig``.

    - ``debug``: readable text and verbose levels (apps DEBUG, django INFO, django.request
      DEBUG, django.security INFO); otherwise JSON lines and quieter levels (apps INFO,
      django WARNING, django.request ERROR, django.security WARNING).
    - ``log_file``: also write JSON lines to this file, rotated at ``max_bytes`` with
      ``backup_count`` old files kept (app.log.1 ... app.log.5). Its directory is created;
      if that or opening the file fails, ImproperlyConfigured says which path and why.
    - ``app_loggers``: the top-level logger names of your own code.

    The console's own trail (:data:`TRAIL_LOGGERS`: export records, access records) is
    at INFO in both modes, and reaches the file like everything else.

    The result is a plain dict: adjust it afterwards like any LOGGING
    (``LOGGING["loggers"]["apps.noisy"] = {"level": "WARNING"}``).
    """
    if max_bytes < 1:
        raise ImproperlyConfigured(f"Log file max_bytes must be positive, not {max_bytes!r}.")
    if backup_count < 0:
        raise ImproperlyConfigured(f"Log file backup_count must be >= 0, not {backup_count!r}.")
    mode = 0 if debug else 1
    handlers: dict[str, dict[str, Any]] = {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "text" if debug else "json",
        }
    }
    if log_file is not None:
        handlers["file"] = {
            "class": "auditconsole.logconfig.SharedRotatingFileHandler",
            "filename": str(prepare_log_file(log_file)),
            "maxBytes": max_bytes,
            "backupCount": backup_count,
            "encoding": "utf-8",
            "formatter": "json",
        }
    loggers: dict[str, dict[str, Any]] = {
        name: {"level": levels[mode], "handlers": [], "propagate": True}
        for name, levels in DJANGO_LEVELS.items()
    }
    for name in app_loggers:
        loggers[name] = {"level": APP_LEVELS[mode], "handlers": [], "propagate": True}
    for name in TRAIL_LOGGERS:
        loggers[name] = {"level": TRAIL_LEVEL, "handlers": [], "propagate": True}
    return {
        "version": 1,
        # Loggers created at import time (before settings are read) must keep working.
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": json_formatter(),
        },
        "handlers": handlers,
        "root": {"level": ROOT_LEVEL, "handlers": list(handlers)},
        "loggers": loggers,
    }
