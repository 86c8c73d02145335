"""The kinds of reads the console records, by the setting's names."""

from __future__ import annotations

#: An object's history page (``auditconsole:object``).
OBJECT = "object"
#: A user's activity page (``auditconsole:user``).
USER = "user"
#: One log record's page (``auditconsole:record``).
RECORD = "record"
#: The activity list or a log source browsed (``activity``, ``source``, ``merged``).
SEARCH = "search"
#: A live tail started (``tail``, ``tail_merged``), or its filters changed.
TAIL = "tail"

#: Every kind, the default of ``AUDITCONSOLE_ACCESS_LOG_EVENTS``.
EVENTS: tuple[str, ...] = (OBJECT, USER, RECORD, SEARCH, TAIL)
