"""Recording every export: who, when, which view, which filters, how many rows.

The record is one log record on the ``auditconsole.exports`` logger, its details as
``extra`` fields, so a JSON formatter (python-json-logger, as :mod:`auditconsole.logconfig`
sets up) writes them as keys of their own::

    {"time": "...", "level": "INFO", "name": "auditconsole.exports",
     "message": "agent exported 1,234 activity rows", "user_id": 14, "username": "agent",
     "view": "activity", "source_key": null, "params": {"action": ["change"]},
     "rows": 1234, "capped": false, "completed": true, "max_rows": 1000000,
     "export_file": "activity-2026-11-22T1030Z.csv", "via": "web"}

The console reads that file back as one of its own log sources (setting
``AUDITCONSOLE_EXPORT_AUDIT_SOURCE``), which is how a user's page lists their exports:
see :mod:`auditconsole.export.history`. The console never writes ``LogEntry`` rows for
exports; that table is the host project's record of changes to its data.

The record is written when the stream ends, because only then is the row count known:
after the last row, or when the download was interrupted (``completed: false``, with the
rows handed over until then).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditconsole.export.streaming import CsvStream

LOGGER_NAME = "auditconsole.exports"
logger = logging.getLogger(LOGGER_NAME)

VIA_WEB = "web"
VIA_COMMAND = "command"


@dataclass(frozen=True)
class ExportInfo:
    """What is known of an export before its first row."""

    user_id: int | None
    username: str
    #: ``activity`` or ``logs``.
    view: str
    #: The filters as given (query-string names, every value), paging left out.
    params: dict[str, list[str]]
    export_file: str
    source_key: str | None = None
    via: str = VIA_WEB
    max_rows: int | None = None
    #: How the rows are called in the message: "activity rows", "records of log 'app'".
    noun: str = field(default="rows", compare=False)


def record_export(info: ExportInfo, stream: CsvStream) -> None:
    """Log the export that ``stream`` has just finished (or abandoned)."""
    logger.info(message(info, stream), extra=payload(info, stream))


def payload(info: ExportInfo, stream: CsvStream) -> dict[str, Any]:
    return {
        "user_id": info.user_id,
        "username": info.username,
        "view": info.view,
        "source_key": info.source_key,
        "params": info.params,
        "rows": stream.written,
        "capped": stream.capped,
        "completed": stream.completed,
        "max_rows": info.max_rows,
        "export_file": info.export_file,
        "via": info.via,
    }


def message(info: ExportInfo, stream: CsvStream) -> str:
    text = f"{info.username} exported {stream.written:,} {info.noun}"
    if stream.capped:
        text += f" (stopped at the cap of {info.max_rows:,}; more matched)"
    if not stream.completed:
        text += " (interrupted before the end)"
    return text
