"""Reading export records back, for "Exports by this user" on a user's page.

Through the log-source API, like any browse: the source named by
``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` (the console's own log by default), records of the
``auditconsole.exports`` logger whose ``user_id`` field is the user's, newest first, within
the usual scan budget. The viewer must be allowed to see that source (``view_logs`` and
the source's own permission); otherwise the section says why it is empty.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.ledger import export_ref
from auditconsole.export.manifest import is_manifest
from auditconsole.ownlog import (
    HISTORY_LIMIT,
    NOT_ALLOWED,
    NOT_CONFIGURED,
    OwnLogHistory,
    read_own_log,
)
from auditconsole.permissions import ConsoleUser
from auditconsole.sources.query import FieldFilter, Query
from auditconsole.sources.records import Record

__all__ = ["NOT_ALLOWED", "NOT_CONFIGURED", "ExportHistory", "ExportRow", "exports_of"]

#: The exports listed on a user's page (at most ``HISTORY_LIMIT``; the rest are one link
#: away, in the log itself).
ExportHistory = OwnLogHistory


@dataclass(frozen=True)
class ExportRow:
    time: datetime.datetime | None
    view: str
    source_key: str | None
    params: list[tuple[str, str]]
    rows: int | None
    capped: bool
    completed: bool
    export_file: str
    via: str
    message: str
    #: Where its signed manifest downloads from (``None``: the record has none).
    manifest_url: str | None = None

    @classmethod
    def from_record(cls, record: Record) -> ExportRow:
        data = record.data
        params = data.get("params")
        pairs = (
            [
                (str(k), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                for k, v in params.items()
            ]
            if isinstance(params, dict)
            else []
        )
        rows = data.get("rows")
        return cls(
            time=record.time,
            view=str(data.get("view") or ""),
            source_key=data.get("source_key") or None,
            params=pairs,
            rows=rows if isinstance(rows, int) and not isinstance(rows, bool) else None,
            capped=data.get("capped") is True,
            completed=data.get("completed") is not False,
            export_file=str(data.get("export_file") or ""),
            via=str(data.get("via") or ""),
            message=record.message,
            manifest_url=(
                reverse("auditconsole:export_manifest", kwargs={"export_ref": export_ref(record)})
                if is_manifest(data.get("manifest"))
                else None
            ),
        )


def history_query(user_id: int) -> Query:
    return Query(logger=LOGGER_NAME, fields=(FieldFilter(("user_id",), str(user_id)),))


def exports_of(
    user_id: int, viewer: ConsoleUser, limit: int = HISTORY_LIMIT
) -> OwnLogHistory[ExportRow]:
    return read_own_log(
        history_query(user_id), viewer, ExportRow.from_record, limit=limit, needs_view_logs=True
    )
