"""Scans: newest-first record iterators that know where to resume, and how to merge them.

A *scan* is the unit every source is built from (see :class:`Scan`). It yields matching
records newest first and can say, at any point, where a later request should resume:

* ``scan.cursor``: resume after everything already yielded (``None`` when nothing is left);
* ``scan.cursor_before(record)``: resume *at* ``record``, which the caller read but did not
  use (a merge reads one record ahead from each input).

Cursor states are plain JSON-able data; :mod:`auditconsole.sources.cursor` signs them.

A scan stops early when its :class:`Budget` (time and bytes) is spent; it then still has
a cursor, so the page can offer "continue scanning" instead of hanging the request.

A scan holds files open while it is suspended inside one: whoever stops reading it early
reads it through :func:`reading` (or :func:`take`), which closes it.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from auditconsole.sources.cursor import State
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record

#: Distinct logger names counted per scan; beyond it they are lumped together, so a log
#: with a unique logger per line cannot grow the facets without bound.
MAX_LOGGER_KEYS = 1000
OTHER_LOGGERS = "(other loggers)"


class Budget:
    """How much one request may read: a deadline and a byte count, whichever comes first."""

    def __init__(self, seconds: float | None = None, max_bytes: int | None = None) -> None:
        self.started = time.monotonic()
        self.deadline = None if seconds is None else self.started + seconds
        self.max_bytes = max_bytes
        self.bytes = 0

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(None, None)

    def charge(self, count: int) -> None:
        self.bytes += count

    @property
    def exhausted(self) -> bool:
        if self.max_bytes is not None and self.bytes >= self.max_bytes:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class ScanStats:
    """What a scan looked at: counts, facet tallies and notices for the page."""

    records: int = 0
    bytes: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    loggers: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)
    #: Whether lines a byte search skipped are counted in ``records`` (a page shows the
    #: count; an export, which reads no statistics, saves the time).
    counting: bool = True
    #: Facets (``"levels"``, ``"loggers"``) that did not see every scanned record: a byte
    #: prefilter skipped lines below the minimum level (of other loggers) unread.
    partial_facets: frozenset[str] = frozenset()

    def observe(self, record: Record, flags: tuple[bool, bool, bool]) -> None:
        _, without_level, without_logger = flags
        if without_level:
            self.levels[record.level] += 1
        if without_logger:
            name = record.logger
            if name not in self.loggers and len(self.loggers) >= MAX_LOGGER_KEYS:
                name = OTHER_LOGGERS
            self.loggers[name] += 1

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


@dataclass
class ScanContext:
    query: Query
    budget: Budget
    stats: ScanStats = field(default_factory=ScanStats)


class Scan(Protocol):
    def __iter__(self) -> Iterator[Record]: ...

    @property
    def cursor(self) -> State: ...

    def cursor_before(self, record: Record) -> State: ...


@contextlib.contextmanager
def reading(scan: Iterable[Record]) -> Iterator[Iterator[Record]]:
    """The records of ``scan``, which is closed when the ``with`` block ends.

    However few records were read, the files the scan has open are closed at once rather
    than whenever the garbage collector reaches the suspended generator.
    """
    records = iter(scan)
    try:
        yield records
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def take(scan: Iterable[Record], count: int) -> list[Record]:
    """The first ``count`` records of ``scan`` (no more are read), which is then closed."""
    with reading(scan) as records:
        return list(itertools.islice(records, count))


class EmptyScan:
    """A scan with nothing in it (a source whose files are all gone)."""

    def __iter__(self) -> Iterator[Record]:
        return iter(())

    @property
    def cursor(self) -> None:
        return None

    def cursor_before(self, record: Record) -> None:  # pragma: no cover - never yields
        return None


class MergedScan:
    """Several scans interleaved by time, newest first.

    Each input is assumed to be newest-first already (a log file nearly is); ties and
    records without a time keep their input's order: an untimed record sorts with the
    last time seen in its own input, so a malformed line stays beside its neighbours.
    The cursor state is ``{name: input state}`` (``None`` for a finished input).
    """

    def __init__(self, scans: Mapping[str, Scan]) -> None:
        self.scans = dict(scans)
        self._heads: dict[str, Record] = {}
        self._done: set[str] = set()
        self._last: tuple[str, Record] | None = None

    def __iter__(self) -> Iterator[Record]:
        iterators = {name: iter(scan) for name, scan in self.scans.items()}
        sticky: dict[str, float] = {}
        order = itertools.count()
        heap: list[tuple[float, int, str]] = []
        refill = list(self.scans)
        while True:
            for name in refill:
                record = next(iterators[name], None)
                if record is None:
                    if self.scans[name].cursor is None:
                        self._done.add(name)
                    continue
                when = record.time.timestamp() if record.time is not None else None
                key = sticky.get(name, math.inf) if when is None else when
                if when is not None:
                    sticky[name] = when
                self._heads[name] = record
                heapq.heappush(heap, (-key, next(order), name))
            # An input that stopped on the budget (no head, not done) could still hold
            # records newer than the other heads: merging further would misorder them.
            stalled = any(name not in self._heads and name not in self._done for name in self.scans)
            if stalled or not heap:
                return
            _, _, name = heapq.heappop(heap)
            record = self._heads.pop(name)
            self._last = (name, record)
            refill = [name]
            yield record

    def _state(self, exclude: str | None = None) -> dict[str, State]:
        state: dict[str, State] = {}
        for name, scan in self.scans.items():
            if name == exclude:
                continue
            if name in self._heads:
                state[name] = scan.cursor_before(self._heads[name])
            elif name in self._done:
                state[name] = None
            else:
                state[name] = scan.cursor
        return state

    @property
    def cursor(self) -> dict[str, State] | None:
        state = self._state()
        return state if any(value is not None for value in state.values()) else None

    def cursor_before(self, record: Record) -> dict[str, State]:
        if self._last is None or self._last[1] is not record:
            raise ValueError("cursor_before() only applies to the record just yielded")
        name = self._last[0]
        state = self._state(exclude=name)
        state[name] = self.scans[name].cursor_before(record)
        return state
