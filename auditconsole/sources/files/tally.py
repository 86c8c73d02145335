"""Per-minute counts of a file's records by level and logger, kept between requests.

The facets and the volume histogram of a time range (:mod:`.facets`) are sums over these
tallies. Counting reads every record's time, level and logger, and nothing else: a JSON
line is decoded but no record is built (:meth:`~.parsing.Parser.line_heading`); a text
record, or a JSON line only the full parse can read, goes through the parser as a browse
would, so a tally never disagrees with what browsing shows.

A rotated or compressed file never changes and the live file only grows, so each file's
tally is kept in :data:`TALLIES`, keyed by the parser's settings and the file's identity
(device, inode). Before use it is checked against the file:

* same size and modification time, and counted to the end: used as it is, unopened (a
  ``.gz`` is not decompressed again);
* grown, with the same first bytes: counting goes on from where it stopped (the live
  file's new lines, or a file a budget stopped half-way through);
* smaller, or other first bytes (truncated, replaced, an inode reused): counted afresh.

In a text file the live file's last record may still get continuation lines (a traceback
being written), so it is counted for the request but not kept: the next count reads it
again.
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter, OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

from auditconsole.conf import conf
from auditconsole.sources.files.discovery import LogFile
from auditconsole.sources.files.forward import readable_end
from auditconsole.sources.files.lines import Line, iter_forward
from auditconsole.sources.files.opening import OpenedFile
from auditconsole.sources.files.parsing import (
    JSON,
    MAX_CONTINUATION_LINES,
    Parser,
    has_long_digits,
)
from auditconsole.sources.minutes import minute_of
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import Budget

#: ``(epoch minute or None for an untimed record, levelno, level, logger)``.
Key = tuple[int | None, int, str, str]
#: The first bytes a tally remembers its file by (a checksum of them).
HEAD_BYTES = 4096
#: Text records counted between two looks at the budget.
BUDGET_STRIDE = 2048
#: Bytes of JSON lines read at a time (the budget is looked at between blocks).
COUNT_BLOCK = 4 * 1024 * 1024


@dataclass
class Tally:
    """What one file holds, from its start to ``end``."""

    counts: Counter[Key] = field(default_factory=Counter)
    #: Bytes counted from the start of the file, to a record boundary.
    end: int = 0
    #: The file as it was when counted (discovery's size and mtime).
    size: int = -1
    mtime: float = -1.0
    head: int = 0
    head_length: int = 0
    #: Counted to the end of a file that is not the live one: it will not change.
    complete: bool = False

    @property
    def weight(self) -> int:
        return len(self.counts)


@dataclass
class Counted:
    """A file's counts for one request: the kept tally, and what was read past it."""

    tally: Tally
    #: The live text file's last record, counted but not kept (see the module docstring).
    extra: Counter[Key]
    #: Whether every record of the file is in ``tally`` and ``extra``.
    finished: bool
    #: Bytes of the file (decompressed) and bytes counted.
    total_bytes: int
    counted_bytes: int


class TallyCache:
    """The tallies of the files counted lately, least recently used dropped first once
    their keys add up to more than ``FACET_CACHE_KEYS``. One per process; thread-safe."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, Tally] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Tally | None:
        with self._lock:
            tally = self._entries.get(key)
            if tally is not None:
                self._entries.move_to_end(key)
            return tally

    def put(self, key: Hashable, tally: Tally) -> None:
        with self._lock:
            self._entries[key] = tally
            self._entries.move_to_end(key)
            limit = conf.FACET_CACHE_KEYS
            weight = sum(entry.weight for entry in self._entries.values())
            while weight > limit and len(self._entries) > 1:
                _, dropped = self._entries.popitem(last=False)
                weight -= dropped.weight
            if weight > limit:  # one file alone is over the cap: not kept at all
                self._entries.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


TALLIES = TallyCache()


def cached_tally(key: Hashable, log_file: LogFile) -> Tally | None:
    """The kept tally of ``log_file`` when it can be used without opening the file."""
    tally = TALLIES.get(key)
    if (
        tally is not None
        and tally.complete
        and tally.size == log_file.size
        and tally.mtime == log_file.mtime
    ):
        return tally
    return None


def count_file(key: Hashable, opened: OpenedFile, budget: Budget) -> Counted:
    """The counts of the open file, from its kept tally on, within ``budget``."""
    reader = opened.reader
    head_data = reader.read(0, HEAD_BYTES)
    head = zlib.crc32(head_data)
    stop = readable_end(opened)
    tally = TALLIES.get(key)
    if (
        tally is None
        or tally.end > stop
        or tally.head_length > len(head_data)
        or zlib.crc32(head_data[: tally.head_length]) != tally.head
    ):
        tally = Tally()
    else:
        # A copy: another request may be reading the kept one.
        tally = Tally(
            Counter(tally.counts), tally.end, tally.size, tally.mtime, tally.head, tally.head_length
        )
    tally.head, tally.head_length = head, len(head_data)
    log_file = opened.file
    extra: Counter[Key] = Counter()
    if opened.format == JSON:
        reached = _count_json(tally, opened, stop, budget)
    else:
        reached = _count_text(tally, extra, opened, stop, budget)
    finished = reached >= stop
    tally.size, tally.mtime = log_file.size, log_file.mtime
    tally.complete = finished and not log_file.live and not extra
    TALLIES.put(key, tally)
    return Counted(tally, extra, finished, reader.size, reached)


def record_key(record: Record) -> Key:
    minute = None if record.time is None else minute_of(record.time)
    return (minute, record.levelno, record.level, record.logger)


def _count_json(tally: Tally, opened: OpenedFile, stop: int, budget: Budget) -> int:
    """Count lines from ``tally.end`` to ``stop``; return where counting got to.

    Lines are cut from blocks with ``bytes.split`` rather than read one by one: at a few
    µs a line, the per-line Python is the cost. Lines as :func:`~.lines.iter_forward`
    gives them: a line over the length cap is read as its head, flagged truncated.
    """
    reader = opened.reader
    max_line = opened.max_line
    position = tally.end
    carry = b""  # the start of a line the last block cut
    long_line = False  # ``carry`` is the head of a line over the cap; skip to its end
    while position < stop:
        if budget.exhausted:
            return tally.end
        chunk = reader.read(position, min(COUNT_BLOCK, stop - position))
        if not chunk:
            break
        position += len(chunk)
        budget.charge(len(chunk))
        last = chunk.rfind(b"\n")
        if last < 0:
            if not long_line:
                carry += chunk
                if len(carry) > max_line:
                    long_line, carry = True, carry[:max_line]
            continue
        first = chunk.find(b"\n")
        if long_line:
            _count_lines(tally, opened, [carry], truncated=True)
            body = chunk[first + 1 : last]
            long_line = False
            lines = body.split(b"\n") if first < last else []
        else:
            body = carry + chunk[:last]
            lines = body.split(b"\n")
        carry = chunk[last + 1 :]
        if len(carry) > max_line:
            long_line, carry = True, carry[:max_line]
        _count_lines(tally, opened, lines, long_digits=has_long_digits(body))
        tally.end = position - (len(chunk) - last - 1)
    if (carry or long_line) and position >= stop:
        # A last line without its newline (a file that is not the live one: the live
        # file is only read to its last newline).
        _count_lines(tally, opened, [carry], truncated=long_line)
        tally.end = position
    return tally.end if position < stop else stop


def _count_lines(
    tally: Tally,
    opened: OpenedFile,
    lines: list[bytes],
    *,
    long_digits: bool = True,
    truncated: bool = False,
) -> None:
    parser = opened.parser
    counts = tally.counts
    names: dict[str, str] = {}  # one string per logger name, not one per line
    max_line = opened.max_line
    for data in lines:
        if not data.strip():
            continue
        cut = truncated or len(data) > max_line
        heading = None if cut else parser.line_heading(data, long_digits=long_digits)
        if heading is None:
            record = parser.parse_line(
                data[:max_line], opened.origin, 0, 0, truncated=cut, length=len(data)
            )
            counts[record_key(record)] += 1
            continue
        minute, level, levelno, logger = heading
        counts[(minute, levelno, level, names.setdefault(logger, logger))] += 1


def _count_text(
    tally: Tally, extra: Counter[Key], opened: OpenedFile, stop: int, budget: Budget
) -> int:
    """Count records from ``tally.end`` to ``stop``; the live file's last one goes to
    ``extra``. Return where counting got to.

    Lines are grouped into records as :func:`~.forward.iter_forward_records` groups them,
    and each record's heading read from its first line alone
    (:meth:`~.parsing.Parser.group_heading`): no record is built.
    """
    parser = opened.parser
    counts = tally.counts
    start = tally.end
    group: list[Line] = []
    pending: tuple[Key | None, int] | None = None  # the last whole record: key and end
    seen = 0
    for line in iter_forward(
        opened.reader, start, stop, max_line=opened.max_line, hold_partial=False
    ):
        if group and (parser.starts_record(line.data) or len(group) >= MAX_CONTINUATION_LINES):
            if pending is not None:
                _add(counts, pending[0])
                tally.end = pending[1]
            pending = _heading_of(parser, group)
            group = []
            seen += 1
            if seen >= BUDGET_STRIDE:
                seen = 0
                if budget.exhausted:
                    # ``pending`` is read again next time.
                    budget.charge(tally.end - start)
                    return tally.end
        group.append(line)
    if pending is not None:
        _add(counts, pending[0])
        tally.end = pending[1]
    if group:
        last = _heading_of(parser, group)
        if opened.file.live:
            _add(extra, last[0])
        else:
            _add(counts, last[0])
            tally.end = last[1]
    budget.charge(stop - start)
    return stop


def _add(counts: Counter[Key], key: Key | None) -> None:
    if key is not None:
        counts[key] += 1


def _heading_of(parser: Parser, group: list[Line]) -> tuple[Key | None, int]:
    """The key of the record ``group`` makes (``None``: no record), and where it ends."""
    if group[0].start == 0 and not any(line.data.strip() for line in group):
        # Blank lines opening a file: browsing shows no record for them.
        return None, group[-1].end
    minute, level, levelno, logger = parser.group_heading(
        [line.data for line in group], truncated=any(line.truncated for line in group)
    )
    return (minute, levelno, level, logger), group[-1].end
