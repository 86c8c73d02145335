"""Helpers of the export tests: a real audit log file read back by a real log source,
and CSV read back by Python's csv module. Used by tests/views/test_export.py too."""

from __future__ import annotations

import contextlib
import csv
import io
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils.module_loading import import_string

from auditconsole.export.audit import LOGGER_NAME, ExportInfo
from auditconsole.export.resources import LogRecordResource
from auditconsole.export.streaming import BOM, CsvStream
from auditconsole.logconfig import json_formatter
from auditconsole.sources.records import Record
from tests.sources.helpers import FILE_SOURCE


def json_handler(path: Path) -> logging.Handler:
    """A file handler with the formatter :mod:`auditconsole.logconfig` configures."""
    config = json_formatter()
    factory = import_string(config.pop("()"))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(factory(**config))
    return handler


@pytest.fixture
def audit_log(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """Export records go to ``console.log`` in tmp_path, which the "console" source reads."""
    path = tmp_path / "console.log"
    handler = json_handler(path)
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "console": {"BACKEND": FILE_SOURCE, "LABEL": "This console", "OPTIONS": {"path": str(path)}}
    }
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    yield path
    logger.removeHandler(handler)
    handler.close()


@contextlib.contextmanager
def restored_logger(name: str) -> Iterator[logging.Logger]:
    """The logger ``name``, its level, propagation and handlers restored after."""
    logger = logging.getLogger(name)
    saved = (logger.level, logger.propagate, list(logger.handlers))
    yield logger
    logger.setLevel(saved[0])
    logger.propagate = saved[1]
    logger.handlers[:] = saved[2]


@pytest.fixture
def exports_logger() -> Iterator[logging.Logger]:
    """The ``auditconsole.exports`` logger, its level, propagation and handlers restored after."""
    with restored_logger(LOGGER_NAME) as logger:
        yield logger


class FailingHandler(logging.Handler):
    """A handler whose ``emit`` raises, as a broken custom or third-party handler does."""

    def emit(self, record: logging.LogRecord) -> None:
        raise OSError(28, "No space left on device")


@pytest.fixture
def add_exports_handler(exports_logger: logging.Logger) -> Iterator[Any]:
    """``add_exports_handler(handler)``: one more handler of export records, closed after."""
    added: list[logging.Handler] = []

    def add(handler: logging.Handler) -> logging.Handler:
        exports_logger.addHandler(handler)
        added.append(handler)
        return handler

    yield add
    for handler in added:
        # A handler broken on purpose may fail to close the same way.
        with contextlib.suppress(OSError, ValueError):
            handler.close()


@pytest.fixture(autouse=True)
def _no_time_budget(settings: Any) -> None:
    """Scans stop on bytes, never on the clock, so no test depends on the machine's speed."""
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 3600


def read_csv(text: str | bytes | Iterable[str | bytes]) -> list[list[str]]:
    """Every row of an export, header first, read by Python's csv module (BOM checked)."""
    if not isinstance(text, str | bytes):
        text = "".join(part.decode() if isinstance(part, bytes) else part for part in text)
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def make_records(count: int) -> list[Record]:
    return [
        Record(
            time=None,
            level="INFO",
            levelno=20,
            logger="app",
            message=f"line {n}",
            fields={},
            raw="",
        )
        for n in range(count)
    ]


INFO = ExportInfo(
    user_id=14,
    username="agent",
    view="logs",
    params={"level": ["ERROR"], "field": ["status=failed", "user_id=3"]},
    export_file="logs-app-2026-11-22T1030Z.csv",
    source_key="app",
    max_rows=5,
    noun="records of log source 'app'",
)


def finished(count: int, max_rows: int | None = 5, stop_after: int | None = None) -> CsvStream:
    stream = CsvStream(LogRecordResource(), make_records(count), max_rows=max_rows, batch_rows=1)
    iterator = iter(stream)
    for taken, _ in enumerate(iterator, start=1):
        if stop_after is not None and taken == stop_after:
            break
    stream.close()
    return stream
