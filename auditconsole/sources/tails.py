"""What following a log returns, at every level: one file stream, a source, several merged.

:meth:`LogSource.tail <auditconsole.sources.base.LogSource.tail>` answers a
:class:`TailResult`; so does each stream of a ``FileSource``, and so does
:func:`~auditconsole.sources.follow.follow`, which the live tail shows. Results of
several streams or sources followed together are :meth:`TailResult.combine`-d: records
interleaved by time, one cursor holding each one's, and what happened to any file said
once for all.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from auditconsole.sources.cursor import State
from auditconsole.sources.records import Record


@dataclass
class TailResult:
    """New records since ``cursor``, oldest first, and the cursor for the next poll.

    ``rotated``: the followed file was rotated and its remainder was read before the new
    file. ``truncated``: the file was truncated in place (copytruncate) and read from the
    start. ``gap``: the followed file vanished, so records may have been missed. ``more``:
    the limit was hit; poll again at once to catch up.

    ``scanned`` and ``fresh`` say what the live tail's view of it took: how many records
    were read to pick these, and how many of them came after the position it was given
    (``None``: it was given none).
    """

    records: list[Record]
    cursor: State
    rotated: bool = False
    truncated: bool = False
    gap: bool = False
    more: bool = False
    notices: list[str] = field(default_factory=list)
    scanned: int = 0
    fresh: int | None = None

    @classmethod
    def combine(cls, results: Mapping[str, TailResult]) -> TailResult:
        """Several followed together as one; the cursor is ``{name: that one's cursor}``.

        ``more`` if any one hit its limit: polling again at once catches that one up, and
        the others simply answer what came since.
        """
        parts = list(results.values())
        return cls(
            records=_merge_ascending([part.records for part in parts]),
            cursor={name: part.cursor for name, part in results.items()},
            rotated=any(part.rotated for part in parts),
            truncated=any(part.truncated for part in parts),
            gap=any(part.gap for part in parts),
            more=any(part.more for part in parts),
            notices=[notice for part in parts for notice in part.notices],
            scanned=sum(part.scanned for part in parts),
        )

    @property
    def state(self) -> State:
        """Another name for ``cursor``: the live tail called its position ``state``."""
        return self.cursor

    @property
    def events(self) -> list[str]:
        """What happened to the files since the position, as ``tail -F`` would say it."""
        events = []
        if self.rotated:
            events.append(
                "The log was rotated: the rest of the old file was read, then the new one."
            )
        if self.truncated:
            events.append("The log was truncated in place: reading it again from the start.")
        if self.gap:
            events.append(
                "The file being followed disappeared before it was read to the end: "
                "some lines may be missing here."
            )
        return events + self.notices


def _merge_ascending(lists: list[list[Record]]) -> list[Record]:
    """Several oldest-first lists as one, by time; each list keeps its own order.

    An untimed record inherits the time before it in its list, so it stays beside its
    neighbours; ``heapq.merge`` never reorders items within one input.
    """
    non_empty = [records for records in lists if records]
    if len(non_empty) <= 1:
        return list(non_empty[0]) if non_empty else []
    keyed = [list(_with_times(records)) for records in non_empty]
    return [record for _, record in heapq.merge(*keyed, key=lambda item: item[0])]


def _with_times(records: list[Record]) -> Iterator[tuple[float, Record]]:
    last = float("-inf")
    for record in records:
        if record.time is not None:
            last = record.time.timestamp()
        yield last, record
