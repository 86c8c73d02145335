"""Lines out of a :class:`~auditconsole.sources.files.readers.Reader`, backwards or forwards.

Backwards reading hands out *blocks*: runs of whole lines read from the end, so the
scanner can test a block's raw bytes for a search term before splitting it (that is what
makes a filtered scan fast). A block is one ``pread`` and is never copied: the partial
line at its start is skipped by index and read again, whole, with the next block. Memory
is bounded by the largest block (4 MiB): a line longer than that is handed out as a
:class:`LongLine` holding only its first ``max_line`` bytes, with its true extent, and the
rest of the file stays readable. (Lines between ``max_line`` and 4 MiB arrive in blocks;
the scanner cuts them to ``max_line``.)

A block is split into lines newest first by :func:`block_lines`, or, for a search, by
:func:`matching_lines`, which cuts out only the lines a byte search found and counts the
others without splitting them.

A live file's last line may still be being written. :func:`complete_end` finds where its
last complete line ends, so readers never show (or skip past) half a line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditconsole.sources.files.readers import Reader
from auditconsole.sources.scanning import ScanStats

BLOCK_SIZES: tuple[int, ...] = (64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024)
FORWARD_BLOCK = 256 * 1024


@dataclass(frozen=True)
class Block:
    """Whole lines in ``data[skip:]``, the first starting at file offset ``start``.

    ``data[:skip]`` is the tail of a line that began before the block (it is handed out
    with the next block). Each line ends with ``\n`` except possibly the last one of a
    finished file.
    """

    start: int
    data: bytes
    skip: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.data) - self.skip

    @property
    def lines(self) -> bytes:
        """The whole lines as one bytes object (a copy: for tests and small blocks)."""
        return self.data[self.skip :]


@dataclass(frozen=True)
class LongLine:
    """A line over the size cap: ``head`` is its first ``max_line`` bytes."""

    start: int
    end: int
    head: bytes


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    data: bytes
    truncated: bool = False


def complete_end(reader: Reader, end: int) -> int:
    """The offset just past the last ``\\n`` at or before ``end`` (0 when there is none)."""
    position = end
    step = BLOCK_SIZES[0]
    while position > 0:
        start = max(0, position - step)
        chunk = reader.read(start, position - start)
        newline = chunk.rfind(b"\n")
        if newline != -1:
            return start + newline + 1
        position = start
        step = min(step * 2, BLOCK_SIZES[-1])
    return 0


def iter_backward(
    reader: Reader, end: int, *, max_line: int, floor: int = 0
) -> Iterator[Block | LongLine]:
    """Blocks of lines ending at ``end`` (a line boundary), newest first, down to ``floor``.

    ``floor`` must be a line start (or 0). Block sizes grow from 64 KiB to 4 MiB, so the
    newest page costs one small read and a long scan few large ones.
    """
    position = end
    level = 0
    while position > floor:
        size = BLOCK_SIZES[level]
        start = max(floor, position - size)
        data = reader.read(start, position - start)
        if not data:
            return  # the file shrank under us: nothing more can be read consistently
        if start == floor:
            yield Block(start, data)
            return
        first = data.find(b"\n")
        if 0 <= first < len(data) - 1:
            yield Block(start + first + 1, data, first + 1)
            position = start + first + 1
            level = min(level + 1, len(BLOCK_SIZES) - 1)
            continue
        # No line begins inside this window: the line ending at `position` is longer.
        if level < len(BLOCK_SIZES) - 1:
            level += 1
            continue
        line_start = _line_start(reader, start, floor)
        yield LongLine(line_start, position, reader.read(line_start, max_line))
        position = line_start


def _line_start(reader: Reader, before: int, floor: int) -> int:
    """Where the line containing offset ``before - 1`` starts, reading back block by block."""
    position = before
    while position > floor:
        start = max(floor, position - BLOCK_SIZES[-1])
        newline = reader.read(start, position - start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        position = start
    return floor


def iter_forward(
    reader: Reader, start: int, end: int, *, max_line: int, hold_partial: bool
) -> Iterator[Line]:
    """Lines from ``start`` (a line start) to ``end``, oldest first.

    With ``hold_partial`` an unterminated last line is not returned: its writer has not
    finished it. Lines over ``max_line`` come back truncated and flagged.
    """
    position = start
    pending = b""
    pending_start = start
    skipping = False  # inside an over-long line whose head was already kept
    while position < end:
        chunk = reader.read(position, min(FORWARD_BLOCK, end - position))
        if not chunk:
            break
        position += len(chunk)
        cursor = 0
        while True:
            newline = chunk.find(b"\n", cursor)
            if newline == -1:
                if not skipping:
                    pending += chunk[cursor:]
                    if len(pending) > max_line:
                        skipping = True
                        pending = pending[:max_line]
                break
            line_end = position - len(chunk) + newline + 1
            if skipping:
                yield Line(pending_start, line_end, pending, truncated=True)
                skipping = False
            else:
                piece = pending + chunk[cursor:newline]
                if len(piece) > max_line:
                    yield Line(pending_start, line_end, piece[:max_line], truncated=True)
                else:
                    yield Line(pending_start, line_end, piece)
            pending = b""
            pending_start = line_end
            cursor = newline + 1
    if (pending or skipping) and not hold_partial:
        yield Line(pending_start, position, pending, truncated=skipping)


# -- the lines of a block, newest first ---------------------------------------------------


def block_lines(
    block: Block, stats: ScanStats | None, *, keep_blank: bool = False
) -> Iterator[tuple[int, int, bytes]]:
    """Every line of ``block`` as ``(start, end, bytes)``, newest first, counted in ``stats``."""
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


def matching_lines(
    block: Block, spans: Iterable[tuple[int, int]], stats: ScanStats
) -> Iterator[tuple[int, int, bytes]]:
    """The lines of ``block`` at ``spans``, newest first; the lines between are only counted.

    ``spans`` are ``(line_start, newline)`` indexes into ``block.data``, oldest first
    (``newline`` -1 for an unterminated last line): the candidates a byte search found
    (:func:`~auditconsole.sources.files.prefilter.candidate_spans`). Only those lines are
    cut out; the others are counted in ``stats`` (one ``bytes.count``, unless
    ``stats.counting`` is off), never split.
    """
    data = block.data
    skip = block.skip
    base = block.start - skip  # file offset of data[0]
    size = len(data)
    trailing = data.endswith(b"\n")
    high = size
    counting = stats.counting
    for line_start, newline in reversed(list(spans)):
        line_end = size if newline < 0 else newline + 1
        if counting:
            stats.records += _count(data, line_end, high, trailing) + 1
        high = line_start
        yield (
            base + line_start,
            base + line_end,
            data[line_start : size if newline < 0 else newline],
        )
    if counting:
        stats.records += _count(data, skip, high, trailing)


def _count(data: bytes, start: int, stop: int, trailing: bool) -> int:
    """Lines in ``data[start:stop]`` (both ends line boundaries)."""
    count = data.count(b"\n", start, stop)
    if stop == len(data) and not trailing and stop > start:
        count += 1
    return count
