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

Before the first byte, a shorter record says the export is starting (who, which view,
which filters, which file), under the name ``auditconsole.export_starts`` so that the
``auditconsole.exports`` records stay one per export. It goes through the handlers of
``auditconsole.exports``, the ones the export's own record will need, and is written
through :func:`auditconsole.export.delivery.deliver`, which knows whether it was. If it
was not, and ``AUDITCONSOLE_EXPORT_REQUIRE_RECORD`` is on (the default), the export is
refused before anything is read: :class:`ExportNotRecorded`. The record at the end is
checked the same way; by then the rows are gone, so the error only makes the end of the
export fail loudly (the download is cut short, the command exits with status 1) instead of
looking like a success. Either failure is also logged as an error by this module's logger.

The export's record carries its **manifest** (``"manifest": {...}``): who, when, how, the
page, the filters, the time range, the sources, the rows and bytes handed over and their
SHA-256, the console's version, and the hash of the previous manifest, signed with the
console's Ed25519 key (:mod:`auditconsole.export.manifest`, :mod:`auditconsole.export.keys`).
It is chained and written under the chain's lock (:mod:`auditconsole.export.chain`). An
export that cannot be signed (no usable key) cannot be recorded either: it is refused
before its first byte, like one whose start cannot be written.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import importlib.metadata
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError
from django.utils import timezone

import auditconsole
from auditconsole.conf import conf
from auditconsole.export import chain, keys, manifest
from auditconsole.export.delivery import deliver
from auditconsole.redaction import Redactor

if TYPE_CHECKING:
    from auditconsole.export.streaming import CsvStream
    from auditconsole.export.subject import ExportSubject

LOGGER_NAME = "auditconsole.exports"
logger = logging.getLogger(LOGGER_NAME)
#: The name of the records that say an export is starting. Not a child of LOGGER_NAME: the
#: log pages' logger filter is a prefix, and a search for the exports must find one record
#: per export. Written through LOGGER_NAME's handlers all the same.
START_NAME = "auditconsole.export_starts"
failures = logging.getLogger(__name__)

VIA_WEB = "web"
VIA_COMMAND = "command"
#: The distribution whose version the manifests name.
DISTRIBUTION = "django-auditconsole"


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
    #: The page, filters, time range and sources, for the manifest.
    subject: ExportSubject | None = field(default=None, compare=False)
    started: datetime.datetime = field(default_factory=timezone.now, compare=False)


class ExportNotRecorded(Exception):
    """A record of an export could not be written, and exports require one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def record_start(info: ExportInfo) -> None:
    """Log that an export is about to start: its authorisation, before the first byte.

    The signing key is checked first: an export whose manifest cannot be signed cannot be
    recorded, and is refused like one whose start cannot be written.
    """
    try:
        keys.private_key()
    except keys.SigningKeyError as exc:
        _failed(start_message(info), [f"its manifest cannot be signed: {exc}"])
    _write(START_NAME, start_message(info), start_payload(info))


def record_export(info: ExportInfo, stream: CsvStream) -> dict[str, Any] | None:
    """Log the export that ``stream`` has just finished (or abandoned), with its manifest.

    Returns the signed manifest, or ``None`` when it could not be made (no usable key, no
    database) and exports do not require a record.
    """
    text, extra = message(info, stream), payload(info, stream)
    written = False
    try:
        private_key = keys.private_key()
        with chain.extend() as link:
            signed = manifest.sign(unsigned_manifest(info, stream, link), private_key)
            _write(LOGGER_NAME, text, {**extra, "manifest": signed})
            written = True
            link.digest = manifest.digest(signed)
        return signed
    except keys.SigningKeyError as exc:
        problem = f"its manifest cannot be signed: {exc}"
    except DatabaseError as exc:
        problem = f"its manifest cannot be chained: {type(exc).__name__}: {exc}"
    _failed(text, [problem])
    if not written:
        # Not required: the export is still recorded, without the manifest it cannot have.
        _write(LOGGER_NAME, text, extra)
    return None


def unsigned_manifest(info: ExportInfo, stream: CsvStream, link: chain.Link) -> dict[str, Any]:
    """Everything the manifest says, before the key's id and the signature are added.

    Redacted as a whole, as a log source will redact it when reading it back: the
    signature must cover what will be read.
    """
    subject = info.subject.as_fields() if info.subject is not None else {}
    fields: dict[str, Any] = Redactor().redact(
        {
            "format": manifest.FORMAT,
            manifest.SEQ: link.seq,
            manifest.PREVIOUS: link.previous,
            "exported_by": {"user_id": info.user_id, "username": info.username},
            "via": info.via,
            "started": _utc(info.started),
            "finished": _utc(timezone.now()),
            "view": info.view,
            "page": subject.get("page"),
            "filters": subject.get("filters", {"words": [], "params": info.params}),
            "time_range": subject.get("time_range", {"since": None, "until": None}),
            "sources": subject.get("sources", []),
            "file": {
                "name": info.export_file,
                "rows": stream.written,
                "bytes": stream.bytes_written,
                "sha256": stream.sha256,
                "bom": stream.bom,
            },
            "completed": stream.completed,
            "capped": stream.capped,
            "max_rows": info.max_rows,
            "console": {"name": DISTRIBUTION, "version": console_version()},
        }
    )
    return fields


@functools.cache
def console_version() -> str:
    """The installed distribution's version, else the package's own (a source checkout)."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return auditconsole.__version__


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _write(name: str, text: str, extra: dict[str, Any]) -> None:
    # Where logger.info() would point: the record_* function that called us.
    path, line, function, _ = logger.findCaller(stacklevel=2)
    record = logger.makeRecord(name, logging.INFO, path, line, text, (), None, function, extra)
    problems = deliver(logger, record)
    if problems:
        _failed(text, problems)


def _failed(text: str, problems: list[str]) -> None:
    """Report a record that cannot be written; raise if exports require one."""
    required = conf.EXPORT_REQUIRE_RECORD
    # The handlers that failed the record may fail this report too, and one whose emit()
    # raises would raise here: the refusal below must not turn into a server error.
    with contextlib.suppress(Exception):
        failures.error(
            "Export record not written (%s): %s. %s",
            text,
            "; ".join(problems),
            "Exports require one (AUDITCONSOLE_EXPORT_REQUIRE_RECORD)."
            if required
            else "AUDITCONSOLE_EXPORT_REQUIRE_RECORD is off: the export goes ahead.",
        )
    if required:
        raise ExportNotRecorded(problems)


def _subject(info: ExportInfo) -> dict[str, Any]:
    """Who exported what: the first keys of both records of an export."""
    return {
        "user_id": info.user_id,
        "username": info.username,
        "view": info.view,
        "source_key": info.source_key,
        "params": info.params,
    }


def _delivery(info: ExportInfo) -> dict[str, Any]:
    return {"max_rows": info.max_rows, "export_file": info.export_file, "via": info.via}


def start_payload(info: ExportInfo) -> dict[str, Any]:
    return {**_subject(info), **_delivery(info)}


def start_message(info: ExportInfo) -> str:
    return f"{info.username} started an export of {info.noun}"


def payload(info: ExportInfo, stream: CsvStream) -> dict[str, Any]:
    return {
        **_subject(info),
        "rows": stream.written,
        "capped": stream.capped,
        "completed": stream.completed,
        **_delivery(info),
    }


def message(info: ExportInfo, stream: CsvStream) -> str:
    text = f"{info.username} exported {stream.written:,} {info.noun}"
    if stream.capped:
        text += f" (stopped at the cap of {info.max_rows:,}; more matched)"
    if not stream.completed:
        text += " (interrupted before the end)"
    return text
