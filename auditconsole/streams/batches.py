"""One batch of new lines as a Server-Sent Event: rendered once, sent to every tab sharing it.

Nothing here depends on who reads it: the lines are the source's (secrets already
masked), the record links are signed per record, and the position is signed for the
source. That is what lets the hub send the same bytes to every tab at the same position
with the same filters, whoever they belong to (each was checked on connect).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from auditconsole.sources import cursor as cursors
from auditconsole.sources.base import LogSource
from auditconsole.sources.tails import TailResult
from auditconsole.streams import sse

#: New lines (appended to ``#tail-lines``), with the position as the event's id.
LINES = "tail-lines"
#: The end of a stream: the data replaces the page's ``#tail-poller`` (out of band),
#: with a poller (fallback, a session that ended) or a fresh stream (its life is over).
END = "tail-end"

BATCH_TEMPLATE = "auditconsole/tail/stream_batch.html"


def render(source: LogSource, result: TailResult) -> tuple[str, bytes]:
    """The signed position after ``result``, and the event that shows its lines."""
    token = cursors.dumps(cursors.TAIL, source.scope, result.cursor)
    html = render_to_string(
        BATCH_TEMPLATE,
        {
            "records": result.records,
            "events": result.events,
            "show_source": source.is_merged,
            "new": True,
            "token": token,
        },
    )
    return token, sse.event(LINES, html.strip(), id=token)
