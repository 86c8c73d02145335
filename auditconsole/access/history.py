"""Reading access records back: "Viewed by" for an object, "Recent searches" for a user.

Through the log-source API, from the source named by ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE``
(the console's own log, where the export records are too), newest first, within the usual
scan budget. Only for holders of ``auditconsole.view_access`` (the views check it), who
must also be allowed to see that source when it requires a permission of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from auditconsole.access.events import OBJECT, SEARCH
from auditconsole.access.record import LOGGER_NAME
from auditconsole.ownlog import HISTORY_LIMIT, OwnLogHistory, read_own_log
from auditconsole.permissions import ConsoleUser
from auditconsole.sources.query import FieldFilter, Query
from auditconsole.sources.records import Record

#: What a panel lists (at most ``HISTORY_LIMIT``; the rest are one link away, in the log).
AccessHistory = OwnLogHistory


@dataclass(frozen=True)
class AccessRow:
    time: datetime.datetime | None
    user_id: int | None
    username: str
    url_name: str
    #: The source or record key, for log pages.
    key: str
    filters: list[tuple[str, str]]
    fragment: bool
    message: str

    @classmethod
    def from_record(cls, record: Record) -> AccessRow:
        data = record.data
        kwargs = data.get("kwargs")
        filters = data.get("filters")
        if not isinstance(kwargs, dict):
            kwargs = {}
        if not isinstance(filters, dict):
            filters = {}
        user_id = data.get("user_id")
        return cls(
            time=record.time,
            user_id=user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None,
            username=str(data.get("username") or ""),
            url_name=str(data.get("url_name") or ""),
            key=str(kwargs.get("key") or ""),
            filters=[
                (
                    str(name),
                    ", ".join(map(str, values)) if isinstance(values, list) else str(values),
                )
                for name, values in filters.items()
            ],
            fragment=data.get("fragment") is True,
            message=record.message,
        )


def viewers_query(content_type_id: int, object_id: str) -> Query:
    return Query(
        logger=LOGGER_NAME,
        fields=(
            FieldFilter(("event",), OBJECT),
            FieldFilter(("kwargs", "content_type_id"), str(content_type_id)),
            FieldFilter(("kwargs", "object_id"), object_id),
        ),
    )


def searches_query(user_id: int) -> Query:
    return Query(
        logger=LOGGER_NAME,
        fields=(FieldFilter(("event",), SEARCH), FieldFilter(("user_id",), str(user_id))),
    )


def viewers_of(
    content_type_id: int, object_id: str, viewer: ConsoleUser
) -> AccessHistory[AccessRow]:
    return _read(viewers_query(content_type_id, object_id), viewer)


def searches_of(user_id: int, viewer: ConsoleUser) -> AccessHistory[AccessRow]:
    return _read(searches_query(user_id), viewer)


def _read(
    query: Query, viewer: ConsoleUser, limit: int = HISTORY_LIMIT
) -> OwnLogHistory[AccessRow]:
    return read_own_log(query, viewer, AccessRow.from_record, limit=limit)
