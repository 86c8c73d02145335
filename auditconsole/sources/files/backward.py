"""One backward pass over one file: the bookkeeping the JSON and the text scans share.

A pass reads a file from ``end`` down to ``floor`` (both line boundaries, narrowed by the
time seek). The format scans (:mod:`.jsonscan`, :mod:`.textscan`) parse records and
:meth:`~FilePass.offer` each one, which says whether to hand it out (the query, the
time bounds), and :meth:`~FilePass.mark` each block they finish, so that
:meth:`~FilePass.position` says at any moment where a later request resumes. A scan
returns one of :data:`COMPLETE`, :data:`BUDGET` or :data:`SINCE`, which tells
:class:`~.streamscan.StreamScan` whether to go on to the next (older) file.

A record older than ``since`` (less the seek's tolerance) ends the pass, at the end of its
block rather than at once: a record inside the range later in that block shows the file
is out of order, and the pass then reads on to its floor and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from auditconsole.sources.files.opening import OpenedFile
from auditconsole.sources.files.positions import ScanPosition
from auditconsole.sources.files.seeking import SKEW
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import ScanContext

#: The pass reached its floor.
COMPLETE = "complete"
#: The scan budget ran out: the position continues the scan.
BUDGET = "budget"
#: A record older than the query's ``since`` was reached: older files hold only older ones.
SINCE = "since"


class Verdict(Enum):
    """What :meth:`FilePass.offer` says of a record."""

    SHOW = "show"
    SKIP = "skip"


SHOW, SKIP = Verdict.SHOW, Verdict.SKIP


def out_of_order(name: str) -> str:
    minutes = int(SKEW.total_seconds() // 60)
    return (
        f"{name}: its records are out of time order by more than {minutes} minutes, so "
        "the time range was found by reading the file rather than by seeking."
    )


@dataclass(slots=True)
class FilePass:
    """Reading ``opened`` backwards from ``end`` to ``floor`` for the scan context ``ctx``.

    ``final``: nothing older than this pass will be read (the stream's oldest file, or a
    floor set by ``since``), so once the record at the floor is handed out the stream is
    finished. ``since_limit`` and ``until`` bound the records' times (``None``: no bound).

    Where to resume is kept in plain fields rather than a :class:`ScanPosition`: it
    changes with every record, and building a frozen position each time would cost more
    than parsing a short line. :meth:`position` builds one when a cursor is asked for.
    """

    opened: OpenedFile
    ctx: ScanContext
    end: int
    floor: int
    final: bool
    since_limit: datetime | None
    until: datetime | None
    offset: int = field(init=False)
    anchor: int | None = field(init=False, default=None)
    crc: int | None = field(init=False, default=None)
    #: The last record handed out: the position keeps its time.
    last: Record | None = field(init=False, default=None)
    #: The record just handed out was the stream's last: there is nothing to resume.
    finished: bool = field(init=False, default=False)
    #: A record older than ``since_limit`` was seen: the pass ends with this block, unless
    #: a record inside the range turns up after it (the file is then out of order).
    stopping: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.offset = self.end

    def offer(self, record: Record) -> Verdict:
        """Whether to hand out ``record``; one that is (:data:`SHOW`) becomes the position."""
        when = record.time
        if self.since_limit is not None and when is not None:
            if when < self.since_limit:
                self.stopping = True
                return SKIP
            since = self.ctx.query.since
            if self.stopping and since is not None and when >= since:
                # Older than a record before the range, yet inside it: the writers are
                # out of order beyond the tolerance, so read on to the floor.
                self.ctx.stats.notice(out_of_order(self.opened.file.name))
                self.stopping = False
                self.since_limit = None
        if self.until is not None and when is not None and when > self.until:
            return SKIP
        flags = self.ctx.query.evaluate(record)
        self.ctx.stats.observe(record, flags)
        if not flags[0]:
            return SKIP
        self.offset = self.anchor = record.offset
        self.crc = record.checksum
        self.last = record
        self.finished = self.final and record.offset <= self.floor
        return SHOW

    def mark(self, offset: int, anchor: int | None, crc: int | None) -> None:
        """Everything from ``offset`` on has been handed out or left behind."""
        self.offset = offset
        self.anchor = anchor
        self.crc = crc
        self.finished = False

    def position(self) -> ScanPosition:
        last = self.last
        when = last.time.timestamp() if last is not None and last.time is not None else None
        log_file = self.opened.file
        return ScanPosition(
            log_file.name, log_file.dev, log_file.ino, self.offset, when, self.anchor, self.crc
        )
