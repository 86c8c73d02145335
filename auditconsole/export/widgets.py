"""import-export widgets for the console's CSV columns."""

from __future__ import annotations

import datetime
from typing import Any

from import_export.widgets import Widget


class UTCDateTimeWidget(Widget):
    """An aware datetime as ISO 8601 in UTC with a ``Z``: ``2026-11-22T10:30:00Z``.

    import-export's ``DateTimeWidget`` renders in the current time zone without an offset,
    which is ambiguous once the file leaves the server (and twice a year, within it).
    ``timespec`` is :meth:`datetime.isoformat`'s: ``"seconds"`` for LogEntry, as the admin
    shows it; ``"milliseconds"`` for log records, where many lines share a second.

    Text is taken to be formatted already (by the database, see
    :mod:`auditconsole.export.sql`); a naive datetime is taken to be in UTC.
    """

    def __init__(self, timespec: str = "seconds", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timespec = timespec

    def render(self, value: object, obj: Any = None, **kwargs: Any) -> str:
        if isinstance(value, str):
            return value
        if not isinstance(value, datetime.datetime):
            return ""
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(timespec=self.timespec) + "Z"
