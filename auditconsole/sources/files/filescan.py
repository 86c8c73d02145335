"""Reading one stream of files: backwards scans, forward reads, time seeks.

:class:`StreamScan` is the workhorse of browsing. It reads a stream newest-first, block
by block from the end of each file, and for JSON files with a text (or ``field=value``)
filter it looks for the search bytes in the *raw, lower-cased block* before splitting
lines: only lines containing them are parsed. That is what lets a filtered scan run at
the speed of ``bytes.find`` rather than of JSON parsing.

Its cursor state is ``[file name, st_dev, st_ino, offset, time, anchor, crc]``: resume
reading backwards from ``offset`` in the file with that identity (``offset`` ``None`` =
from its end). Identity survives rotation (``app.log`` becoming ``app.log.1``); ``crc``
is the checksum of the line at ``anchor``, which proves the file still holds what it
held (an inode number can be reused by a new file once the old one is deleted). When
the file is gone (deleted, compressed into a new inode, or truncated and rewritten), the
scan resumes from the newest file, skipping records newer than ``time``: records sharing
that exact timestamp may then be shown twice, none are lost.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditconsole.sources.files.discovery import LogFile, Stream
from auditconsole.sources.files.lines import (
    Block,
    LongLine,
    complete_end,
    iter_backward,
    iter_forward,
)
from auditconsole.sources.files.parsing import JSON, Origin, Parser
from auditconsole.sources.files.readers import GzipReader, PlainReader, Reader
from auditconsole.sources.files.safety import open_checked
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import ScanContext

#: Files are assumed to be in time order within this much, when seeking by time. Lines
#: from several processes interleave slightly out of order; more than this is unusual.
SKEW = timedelta(minutes=5)
SNIFF_BYTES = 4096
SEEK_PROBE = 64 * 1024
#: A run of continuation lines longer than this is shown as its own record, so a text
#: file without any recognisable record start cannot grow memory without bound.
MAX_CONTINUATION_LINES = 2000

#: Cursor times must fall inside years 1..9999 with a day to spare in every time zone:
#: ``datetime`` cannot represent the others.
_MIN_TIMESTAMP = -62_135_596_800 + 86_400
_MAX_TIMESTAMP = 253_402_300_799 - 86_400

_COMPLETE = "complete"
_BUDGET = "budget"
_SINCE = "since"


class InvalidState(ValueError):
    """A cursor state that does not describe a position in this stream."""


@dataclass
class OpenedFile:
    file: LogFile
    reader: Reader
    format: str
    origin: Origin


@contextlib.contextmanager
def open_file(
    stream: Stream, log_file: LogFile, parser: Parser, source: str, label: str
) -> Iterator[OpenedFile]:
    fd = open_checked(log_file.path, stream.root, log_file.identity)
    try:
        reader: Reader = GzipReader(fd) if log_file.compressed else PlainReader(fd)
        fmt = parser.file_format(reader.read(0, SNIFF_BYTES))
        origin = Origin(source, stream.name, log_file.name, log_file.identity, label)
        yield OpenedFile(log_file, reader, fmt, origin)
    finally:
        os.close(fd)


def parse_state(
    state: Any,
) -> tuple[str, int, int, int | None, float | None, int | None, int | None]:
    if not isinstance(state, list) or len(state) != 7:
        raise InvalidState("malformed position")
    name, dev, ino, offset, when, anchor, crc = state

    def count(value: Any, optional: bool = False) -> bool:
        if value is None:
            return optional
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    # A time a datetime can hold (a signed token is trusted, but not to be well-formed).
    when_ok = when is None or (
        isinstance(when, int | float)
        and not isinstance(when, bool)
        and _MIN_TIMESTAMP <= when <= _MAX_TIMESTAMP
    )
    ok = (
        isinstance(name, str)
        and count(dev)
        and count(ino)
        and count(offset, optional=True)
        and when_ok
        and count(anchor, optional=True)
        and count(crc, optional=True)
        and (anchor is None) == (crc is None)
    )
    if not ok:
        raise InvalidState("malformed position")
    return name, dev, ino, offset, when, anchor, crc


def line_checksum(line: bytes, max_line: int) -> int:
    """The checksum a record read from this line carries (see ``Record.checksum``)."""
    return zlib.crc32(line[:max_line].rstrip(b"\r"))


def checksum_at(reader: Reader, offset: int, max_line: int) -> int | None:
    """:func:`line_checksum` of the line starting at ``offset``, or ``None`` past the end."""
    data = reader.read(offset, max_line + 1)
    if not data:
        return None
    newline = data.find(b"\n")
    return line_checksum(data if newline < 0 else data[:newline], max_line)


def _timestamp(record: Record) -> float | None:
    return record.time.timestamp() if record.time is not None else None


class StreamScan:
    def __init__(
        self,
        stream: Stream,
        state: Any,
        ctx: ScanContext,
        parser: Parser,
        *,
        source: str,
        label: str,
        max_line: int,
    ) -> None:
        self.stream = stream
        self.ctx = ctx
        self.parser = parser
        self.source = source
        self.label = label
        self.max_line = max_line
        self._start = None if state is None else parse_state(state)
        self._position: list[Any] | None = None
        self._done = False
        self._done_after_yield = False
        self._until: datetime | None = ctx.query.until

    @property
    def cursor(self) -> list[Any] | None:
        if self._done or self._done_after_yield:
            return None
        if self._position is None:  # never started: resume where we were asked to start
            return list(self._start) if self._start else self._newest_state()
        return list(self._position)

    def _newest_state(self) -> list[Any] | None:
        if not self.stream.files:
            return None
        first = self.stream.files[0]
        return [first.name, first.dev, first.ino, None, None, None, None]

    def cursor_before(self, record: Record) -> list[Any]:
        dev, ino = record.file_id
        return [
            record.file,
            dev,
            ino,
            record.end,
            _timestamp(record),
            record.offset,
            record.checksum,
        ]

    def _anchor(
        self, offset: int | None, when: float | None, anchor: int | None, crc: int | None
    ) -> None:
        self._position[3:7] = [offset, when, anchor, crc]

    def _resolve_start(self) -> tuple[int | None, int | None]:
        files = self.stream.files
        if self._start is None:
            return (0 if files else None), None
        _, dev, ino, offset, when, anchor, crc = self._start
        index = self.stream.index_of((dev, ino))
        if index is not None and (
            offset is None or self._still_there(files[index], offset, anchor, crc)
        ):
            return index, offset
        # The file was rotated away or rewritten: carry on by time instead.
        self.ctx.stats.notice(
            "A file this view was reading has been rotated or truncated since; "
            "continuing from the newest file, before the last time shown."
        )
        if when is None:
            return None, None
        cutoff = datetime.fromtimestamp(when, tz=self._tz())
        self._until = cutoff if self._until is None else min(self._until, cutoff)
        return (0 if files else None), None

    def _still_there(
        self, log_file: LogFile, offset: int, anchor: int | None, crc: int | None
    ) -> bool:
        try:
            with open_file(self.stream, log_file, self.parser, self.source, self.label) as opened:
                if opened.reader.size < offset:
                    return False  # truncated in place (copytruncate)
                return anchor is None or checksum_at(opened.reader, anchor, self.max_line) == crc
        except OSError:
            return False

    def _tz(self) -> Any:
        return self.parser.zone

    def __iter__(self) -> Iterator[Record]:
        index, offset = self._resolve_start()
        if index is None:
            self._done = True
            return
        files = self.stream.files
        stats = self.ctx.stats
        for position in range(index, len(files)):
            log_file = files[position]
            start_offset = offset if position == index else None
            self._position = [
                log_file.name,
                log_file.dev,
                log_file.ino,
                start_offset,
                None,
                None,
                None,
            ]
            if position > index and self.ctx.budget.exhausted:
                return  # stop at a file boundary; the cursor names the next file
            is_last = position == len(files) - 1
            try:
                with open_file(
                    self.stream, log_file, self.parser, self.source, self.label
                ) as opened:
                    status = yield from self._scan_file(opened, start_offset, is_last)
            except OSError as exc:
                stats.notice(f"{log_file.name}: cannot be read ({exc.strerror or exc}).")
                continue
            if status == _BUDGET:
                return
            if status == _SINCE:
                break
        self._done = True

    def _scan_file(
        self, opened: OpenedFile, start_offset: int | None, is_last: bool
    ) -> Iterator[Record]:
        reader = opened.reader
        log_file = opened.file
        query = self.ctx.query
        if reader.error and start_offset is None:
            message = f"{log_file.name}: {reader.error}"
            self.ctx.stats.notice(message)
            broken = self.parser.broken(opened.origin, reader.size, message)
            flags = query.evaluate(broken)
            self.ctx.stats.observe(broken, flags)
            self._anchor(reader.size, None, None, None)  # resuming must not show the notice again
            if flags[0]:
                yield broken
        end = reader.size if start_offset is None else min(start_offset, reader.size)
        if log_file.live and start_offset is None:
            end = complete_end(reader, end)  # a half-written last line waits for its newline
        floor = 0
        since_limit = query.since - SKEW if query.since is not None else None
        if not log_file.compressed:
            if self._until is not None and end > 0:
                end = seek_time(
                    self.parser, opened, self._until + SKEW, 0, end, self.max_line, unknown="high"
                )
            if since_limit is not None and end > 0:
                floor = seek_time(
                    self.parser, opened, since_limit, 0, end, self.max_line, unknown="low"
                )
        self._anchor(end, None, None, None)
        final = is_last or floor > 0
        if opened.format == JSON:
            status = yield from self._scan_json(opened, floor, end, final, since_limit)
        else:
            status = yield from self._scan_text(opened, floor, end, final, since_limit)
        if status == _COMPLETE and floor > 0:
            return _SINCE  # older files hold only older records
        return status

    # -- shared per-record handling --------------------------------------------------

    def _consider(self, record: Record, since_limit: datetime | None) -> tuple[bool, bool]:
        """(yield it?, stop the stream?) for a parsed record."""
        when = record.time
        if since_limit is not None and when is not None and when < since_limit:
            return False, True
        if self._until is not None and when is not None and when > self._until:
            return False, False
        flags = self.ctx.query.evaluate(record)
        self.ctx.stats.observe(record, flags)
        return flags[0], False

    def _before_yield(self, record: Record, floor: int, final: bool) -> None:
        self._anchor(record.offset, _timestamp(record), record.offset, record.checksum)
        self._done_after_yield = final and record.offset <= floor

    # -- JSON lines -----------------------------------------------------------------

    def _scan_json(
        self, opened: OpenedFile, floor: int, end: int, final: bool, since_limit: datetime | None
    ) -> Iterator[Record]:
        stats = self.ctx.stats
        budget = self.ctx.budget
        needle = self.ctx.query.needle
        parse = self.parser.parse_line
        origin = opened.origin
        max_line = self.max_line
        for item in iter_backward(opened.reader, end, max_line=max_line, floor=floor):
            if isinstance(item, LongLine):
                size = item.end - item.start
                stats.bytes += size
                stats.records += 1
                budget.charge(size)
                record = parse(item.head, origin, item.start, item.end, truncated=True, length=size)
                wanted, stop = self._consider(record, since_limit)
                if stop:
                    return _SINCE
                if wanted:
                    self._before_yield(record, floor, final)
                    yield record
            else:
                stats.bytes += item.end - item.start
                budget.charge(item.end - item.start)
                lines = _candidates(item, needle, stats) if needle else _lines(item, stats)
                secrets: bool | None = None  # does the block mention a secret? asked lazily
                for start, stop_at, line in lines:
                    if secrets is None:
                        secrets = self.parser.redactor.might_contain_secrets(item.data)
                    if len(line) > max_line:
                        record = parse(
                            line[:max_line],
                            origin,
                            start,
                            stop_at,
                            truncated=True,
                            length=len(line),
                        )
                    else:
                        record = parse(line, origin, start, stop_at, secrets=secrets)
                    wanted, stop = self._consider(record, since_limit)
                    if stop:
                        return _SINCE
                    if wanted:
                        self._before_yield(record, floor, final)
                        yield record
            self._anchor(
                item.start, self._position[4], item.start, _first_line_checksum(item, max_line)
            )
            self._done_after_yield = False
            if budget.exhausted and item.start > floor:
                return _BUDGET
        return _COMPLETE

    # -- classic text with continuation lines ------------------------------------------

    def _scan_text(
        self, opened: OpenedFile, floor: int, end: int, final: bool, since_limit: datetime | None
    ) -> Iterator[Record]:
        stats = self.ctx.stats
        budget = self.ctx.budget
        parser = self.parser
        origin = opened.origin
        max_line = self.max_line
        pending: list[tuple[int, int, bytes, bool]] = []  # continuation lines, newest first

        def group_record(first: tuple[int, int, bytes, bool]) -> Record:
            group = [first, *reversed(pending)]
            lines = [line for _, _, line, _ in group]
            truncated = any(flag for _, _, _, flag in group)
            return parser.parse_group(lines, origin, group[0][0], group[-1][1], truncated=truncated)

        for item in iter_backward(opened.reader, end, max_line=max_line, floor=floor):
            size = item.end - item.start
            stats.bytes += size
            budget.charge(size)
            if isinstance(item, LongLine):
                entries: Any = [(item.start, item.end, item.head, True)]
            else:
                entries = (
                    (s, e, line[:max_line], len(line) > max_line)
                    for s, e, line in _lines(item, None, keep_blank=True)
                )
            for entry in entries:
                if not parser.starts_record(entry[2]):
                    pending.append(entry)
                    if len(pending) < MAX_CONTINUATION_LINES:
                        continue
                    first = pending.pop()
                    record = group_record(first)
                    record.malformed = True
                    record.error = record.error or "continuation lines without a record start"
                else:
                    record = group_record(entry)
                pending = []
                stats.records += 1
                wanted, stop = self._consider(record, since_limit)
                if stop:
                    return _SINCE
                if wanted:
                    self._before_yield(record, floor, final)
                    yield record
            if pending:
                start, stop, line, _ = pending[0]
                self._anchor(stop, self._position[4], start, line_checksum(line, max_line))
            else:
                self._anchor(
                    item.start, self._position[4], item.start, _first_line_checksum(item, max_line)
                )
            self._done_after_yield = False
            # Never stop inside a record: resuming would re-read the same continuation
            # lines and stop again. A record is bounded by MAX_CONTINUATION_LINES.
            if budget.exhausted and item.start > floor and not pending:
                return _BUDGET
        if pending and floor == 0 and any(line.strip() for _, _, line, _ in pending):
            # Lines at the very start of a file that continue nothing we can see.
            first = pending.pop()
            record = group_record(first)
            pending = []
            stats.records += 1
            wanted, stop = self._consider(record, since_limit)
            if wanted and not stop:
                self._before_yield(record, floor, final)
                yield record
        return _COMPLETE


def _first_line_checksum(item: Block | LongLine, max_line: int) -> int:
    if isinstance(item, LongLine):
        return line_checksum(item.head, max_line)
    data = item.data
    newline = data.find(b"\n", item.skip)
    return line_checksum(data[item.skip :] if newline < 0 else data[item.skip : newline], max_line)


def _count(data: bytes, start: int, stop: int, trailing: bool) -> int:
    """Lines in ``data[start:stop]`` (both ends line boundaries)."""
    count = data.count(b"\n", start, stop)
    if stop == len(data) and not trailing and stop > start:
        count += 1
    return count


def _candidates(block: Block, needle: bytes, stats: Any) -> Iterator[tuple[int, int, bytes]]:
    """Lines of ``block`` containing ``needle`` (case-insensitively), newest first.

    The block is lower-cased once and searched forwards with ``bytes.find`` (much faster
    than ``rfind``); only the lines holding a match are cut out, then handed out newest
    first. Lines in between are counted, never split or parsed.
    """
    data = block.data
    skip = block.skip
    base = block.start - skip  # file offset of data[0]
    size = len(data)
    low = data.lower()
    trailing = data.endswith(b"\n")
    spans: list[tuple[int, int]] = []
    found = low.find(needle, skip)
    while found >= 0:
        line_start = max(skip, data.rfind(b"\n", 0, found) + 1)
        newline = data.find(b"\n", found)
        spans.append((line_start, newline))
        if newline < 0:
            break
        found = low.find(needle, newline + 1)
    high = size
    for line_start, newline in reversed(spans):
        line_end = size if newline < 0 else newline + 1
        stats.records += _count(data, line_end, high, trailing) + 1
        high = line_start
        yield (
            base + line_start,
            base + line_end,
            data[line_start : size if newline < 0 else newline],
        )
    stats.records += _count(data, skip, high, trailing)


def _lines(
    block: Block, stats: Any, *, keep_blank: bool = False
) -> Iterator[tuple[int, int, bytes]]:
    """Every line of ``block`` as ``(start, end, bytes)``, newest first."""
    data = block.data
    trailing = data.endswith(b"\n")
    parts = data.split(b"\n")
    if trailing:
        parts.pop()
    first = 1 if block.skip else 0  # parts[0] is the tail of an earlier line
    cursor = block.end
    last = len(parts) - 1
    for index in range(last, first - 1, -1):
        part = parts[index]
        line_end = cursor
        cursor -= len(part) + (1 if trailing or index != last else 0)
        if stats is not None:
            stats.records += 1
        if keep_blank or part.strip():
            yield cursor, line_end, part


# -- forward reading -----------------------------------------------------------------------


def iter_forward_records(
    opened: OpenedFile,
    parser: Parser,
    start: int,
    end: int,
    *,
    max_line: int,
    hold_partial: bool,
) -> Iterator[Record]:
    """Records from ``start`` (a line start) to ``end``, oldest first."""
    origin = opened.origin
    lines = iter_forward(opened.reader, start, end, max_line=max_line, hold_partial=hold_partial)
    if opened.format == JSON:
        for line in lines:
            if line.data.strip():
                yield parser.parse_line(
                    line.data,
                    origin,
                    line.start,
                    line.end,
                    truncated=line.truncated,
                    length=line.end - line.start,
                )
        return
    group: list[Any] = []
    for line in lines:
        if group and (parser.starts_record(line.data) or len(group) >= MAX_CONTINUATION_LINES):
            yield _group(parser, origin, group)
            group = []
        group.append(line)
    if group:
        yield _group(parser, origin, group)


def _group(parser: Parser, origin: Origin, group: list[Any]) -> Record:
    return parser.parse_group(
        [line.data for line in group],
        origin,
        group[0].start,
        group[-1].end,
        truncated=any(line.truncated for line in group),
    )


def fingerprint(reader: Reader, offset: int) -> int:
    """CRC-32 of the 64 bytes before ``offset``: tells an appended file from a rewritten one."""
    start = max(0, offset - 64)
    return zlib.crc32(reader.read(start, offset - start))


# -- seeking by time -------------------------------------------------------------------------


def seek_time(
    parser: Parser,
    opened: OpenedFile,
    target: datetime,
    low: int,
    high: int,
    max_line: int,
    *,
    unknown: str,
) -> int:
    """The first record start in ``[low, high)`` whose time is ``>= target`` (else ``high``).

    A binary search over byte offsets, valid because log files are written in time order
    (give or take :data:`SKEW`, which callers add). Where no time can be read the search
    gives up and answers ``low`` or ``high`` as ``unknown`` says: whichever keeps every
    record in the part that will be read, which only means reading more than necessary.
    """
    while high - low > SEEK_PROBE:
        middle = (low + high) // 2
        found = _first_timed(opened, parser, middle, high, max_line)
        if found is None:
            return low if unknown == "low" else high
        start, after, when = found
        if when >= target:
            high = start
        else:
            low = after
    for record in iter_forward_records(
        opened, parser, low, high, max_line=max_line, hold_partial=False
    ):
        if record.time is not None and record.time >= target:
            return record.offset
    return high


def _first_timed(
    opened: OpenedFile, parser: Parser, position: int, high: int, max_line: int
) -> tuple[int, int, datetime] | None:
    # The line containing ``position`` is skipped: ``position`` is past the first line.
    window = opened.reader.read(position - 1, SEEK_PROBE)
    newline = window.find(b"\n")
    if newline < 0:
        return None
    position = position + newline
    stop = min(high, position + SEEK_PROBE)
    for record in iter_forward_records(
        opened, parser, position, stop, max_line=max_line, hold_partial=True
    ):
        if record.time is not None and not record.malformed:
            return record.offset, record.end, record.time
    return None
