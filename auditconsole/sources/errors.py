"""What a source raises when it cannot answer at all: its store is down, slow or gone.

A file source reports an unreadable file per file and never raises; a remote store
(:mod:`auditconsole.sources.clickhouse`) can fail as a whole. It raises
:class:`SourceUnavailable`, whose text is safe to show (no DSN, no password, no SQL), and
the log views answer with that text and a 503, never a 500 or a traceback.
"""

from __future__ import annotations


class SourceUnavailable(Exception):
    """The source cannot be read now; ``str()`` of it is what a user may be shown."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return self.message
