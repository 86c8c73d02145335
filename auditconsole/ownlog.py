"""Reading the console's own log back: the records of exports and of page views.

The console writes both as JSON records of its own loggers (``auditconsole.exports``,
``auditconsole.access``) into its own log, and reads them back through the log source
named by ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE``, with that source's own permission, so a
viewer sees these records exactly where they could see the log itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.urls import reverse

from auditconsole.conf import conf
from auditconsole.permissions import VIEW_LOGS, ConsoleUser, has_console_perms
from auditconsole.sources.base import LogSource
from auditconsole.sources.query import FIELD, LOGGER, Query
from auditconsole.sources.records import Record
from auditconsole.sources.registry import UnknownSource, get_source

HISTORY_LIMIT = 20
#: Why a history is empty: no such source is configured, or this viewer may not read it.
NOT_CONFIGURED = "not_configured"
NOT_ALLOWED = "not_allowed"

Row = TypeVar("Row")


@dataclass
class OwnLogHistory(Generic[Row]):
    rows: list[Row] = field(default_factory=list)
    #: ``None``, :data:`NOT_CONFIGURED` or :data:`NOT_ALLOWED`.
    problem: str | None = None
    source: LogSource | None = None
    #: The scan stopped on its budget or the limit: older records may exist.
    more: bool = False
    #: The same records on the source's browse page, for viewers who may browse logs.
    browse_url: str | None = None


def read_own_log(
    query: Query,
    viewer: ConsoleUser,
    row: Callable[[Record], Row],
    *,
    limit: int = HISTORY_LIMIT,
    needs_view_logs: bool = False,
) -> OwnLogHistory[Row]:
    """The newest records of ``query.logger`` matching ``query``, as rows.

    ``needs_view_logs``: the history is refused to viewers without the log permission
    (exports, which are records of log reads too); otherwise the source's own permission
    decides, and only the link to the browse page needs the log permission.
    """
    key = conf.EXPORT_AUDIT_SOURCE
    if not key or not isinstance(key, str):
        return OwnLogHistory(problem=NOT_CONFIGURED)
    try:
        source = get_source(key)
    except (UnknownSource, ImproperlyConfigured):
        return OwnLogHistory(problem=NOT_CONFIGURED)
    may_browse = has_console_perms(viewer, VIEW_LOGS)
    if not source.visible_to(viewer) or (needs_view_logs and not may_browse):
        return OwnLogHistory(problem=NOT_ALLOWED)
    page = source.page(query, limit=limit)
    browse_url = None
    if may_browse:
        params = QueryDict(mutable=True)
        params[LOGGER] = query.logger
        params.setlist(FIELD, [str(f) for f in query.fields])
        path = reverse("auditconsole:source", kwargs={"key": source.key})
        browse_url = f"{path}?{params.urlencode()}"
    return OwnLogHistory(
        rows=[row(record) for record in page.records if record.logger == query.logger],
        source=source,
        more=page.cursor is not None,
        browse_url=browse_url,
    )
