"""Following a source as it is written: what a live tail shows, whatever carries it.

The polling view (:mod:`auditconsole.views.tail`) calls :func:`follow` once per request,
with the position it signed into the page's URL; a pushed stream would call it in a loop
with the position it holds. Nothing here knows about requests: a source, a query and a
position go in, a :class:`~auditconsole.sources.tails.TailResult` comes out, whose
``cursor`` is the next position. Rotation and truncation are the source's business
(:meth:`LogSource.tail <auditconsole.sources.base.LogSource.tail>`); this module decides
which records a follower is shown.

Records are told apart by their reference (file identity, offset, checksum), so a record
is never shown twice, even when the lines before a position are shown again as context.
"""

from __future__ import annotations

from dataclasses import replace

from auditconsole.sources.base import LogSource
from auditconsole.sources.cursor import State
from auditconsole.sources.query import Query
from auditconsole.sources.tails import TailResult

#: Records read per poll at most. A burst larger than this is read over several polls
#: (the result says ``more``: poll again at once), so one request stays short.
POLL_BATCH = 500
#: With a filter, the first lines shown are the matches among this many newest records:
#: reading further back would make every filter change a scan of the whole log.
FILTERED_WINDOW = 2000


def follow(
    source: LogSource,
    query: Query,
    position: State = None,
    *,
    lines: int | None = None,
    window: int = FILTERED_WINDOW,
    batch: int = POLL_BATCH,
) -> TailResult:
    """What a follower of ``source`` filtered by ``query`` is shown next.

    With ``lines``, the follower starts (a page, new filters): up to ``lines`` recent
    records, and everything after ``position`` if one is given (:func:`latest`). Without,
    it polls: the records written after ``position`` (:func:`since`). Raises
    ``ValueError`` for a position the source does not understand.
    """
    if lines is None:
        return since(source, query, position, limit=batch)
    return latest(source, query, position, lines=lines, window=window, batch=batch)


def latest(
    source: LogSource,
    query: Query,
    state: State = None,
    *,
    lines: int,
    window: int = FILTERED_WINDOW,
    batch: int = POLL_BATCH,
) -> TailResult:
    """The last ``lines`` records matching ``query`` and, given a position, all after it.

    Unfiltered, that is the last ``lines`` records; filtered, the matches among the last
    ``window``. With a position ``state`` (a filter change, a no-JS refresh), every record
    written after it is included too, even beyond ``lines``, and none twice. The window is
    read first, so whatever the position read brings in is never older than the window's
    end.
    """
    recent = source.tail(None, window if query.is_filtered else lines)
    if state is None:
        matching = [record for record in recent.records if query.matches(record)]
        return TailResult(
            records=matching[-lines:] if lines else [],
            cursor=recent.cursor,
            scanned=len(recent.records),
            notices=list(recent.notices),
        )
    after = since(source, query, state, limit=batch)
    seen = {record.ref for record in after.records}
    # With ``more``, records past this batch may be in the window: shown now, they would
    # come again with the next batch, so the context before the position is left out.
    before = [] if after.more else [r for r in recent.records if r.ref not in seen]
    context = [record for record in before if query.matches(record)]
    room = max(0, lines - len(after.records))
    return replace(
        after,
        records=(context[-room:] if room else []) + after.records,
        scanned=len(recent.records) + after.scanned,
        notices=list(dict.fromkeys([*recent.notices, *after.notices])),
    )


def since(source: LogSource, query: Query, state: State, *, limit: int = POLL_BATCH) -> TailResult:
    """The records matching ``query`` written after ``state`` (one poll)."""
    after = source.tail(state, limit)
    fresh = [record for record in after.records if query.matches(record)]
    return replace(after, records=fresh, scanned=len(after.records), fresh=len(fresh))
