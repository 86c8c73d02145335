"""Reading export records back, for "Exports by this user" on a user's page.

Through the log-source API, like any browse: the source named by
``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` (the console's own log by default), records of the
``auditconsole.exports`` logger whose ``user_id`` field is the user's, newest first, within
the usual scan budget. The viewer must be allowed to see that source (``view_logs`` and
the source's own permission); otherwise the section says why it is empty.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.urls import reverse

from auditconsole.conf import conf
from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.ledger import export_ref
from auditconsole.export.manifest import is_manifest
from auditconsole.permissions import VIEW_LOGS, has_console_perms
from auditconsole.sources.base import LogSource
from auditconsole.sources.query import FIELD, LOGGER, FieldFilter, Query
from auditconsole.sources.records import Record
from auditconsole.sources.registry import UnknownSource, get_source

#: Exports listed on a user's page; the rest are one link away, in the log itself.
HISTORY_LIMIT = 20

NOT_CONFIGURED = "not_configured"
NOT_ALLOWED = "not_allowed"


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


@dataclass
class ExportHistory:
    rows: list[ExportRow] = field(default_factory=list)
    #: ``None``, :data:`NOT_CONFIGURED` or :data:`NOT_ALLOWED`.
    problem: str | None = None
    source: LogSource | None = None
    #: The scan stopped on its budget or the limit: older exports may exist.
    more: bool = False
    #: The source's browse page, filtered the same way.
    browse_url: str | None = None


def history_query(user_id: int) -> Query:
    return Query(logger=LOGGER_NAME, fields=(FieldFilter(("user_id",), str(user_id)),))


def exports_of(user_id: int, viewer: Any, limit: int = HISTORY_LIMIT) -> ExportHistory:
    key = conf.EXPORT_AUDIT_SOURCE
    if not key:
        return ExportHistory(problem=NOT_CONFIGURED)
    try:
        source = get_source(key)
    except (UnknownSource, ImproperlyConfigured):
        return ExportHistory(problem=NOT_CONFIGURED)
    if not (has_console_perms(viewer, VIEW_LOGS) and source.visible_to(viewer)):
        return ExportHistory(problem=NOT_ALLOWED)
    page = source.page(history_query(user_id), limit=limit)
    params = QueryDict(mutable=True)
    params[LOGGER] = LOGGER_NAME
    params[FIELD] = f"user_id={user_id}"
    return ExportHistory(
        rows=[ExportRow.from_record(record) for record in page.records],
        source=source,
        more=page.cursor is not None,
        browse_url=f"{reverse('auditconsole:source', kwargs={'key': source.key})}?{params.urlencode()}",
    )
