"""Following a stream as it is written, through rotation and truncation.

The tail cursor of a stream is ``{"d": st_dev, "i": st_ino, "o": offset, "h": crc}``:
the file being followed, how far it has been read, and a CRC-32 of the 64 bytes before
that offset (``d`` is ``None`` while the live file does not exist yet). On each poll:

* same identity, same fingerprint, size >= offset: read the new complete lines (a
  partial last line waits for its newline);
* same identity but smaller, or a different fingerprint: the file was truncated in place
  (``copytruncate``). If ``<file>.1`` is a plain copy holding the same bytes before the
  offset, its remainder is read first, then the live file from 0;
* different identity: the file was rotated. The old inode is found again among the
  rotations by ``(st_dev, st_ino)`` (however many rotations happened since) and finished
  from the offset, then every newer rotation, then the live file from 0;
* old inode nowhere to be found (deleted, or compressed into a new file): the live file
  is read from 0 and the result says ``gap``.

At most ``limit`` records come back per poll; the cursor then points just after the last
one, and ``more`` says to poll again at once. Nothing is skipped or repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from auditconsole.sources.files.discovery import LogFile, Stream
from auditconsole.sources.files.filescan import (
    StreamScan,
    fingerprint,
    iter_forward_records,
    open_file,
)
from auditconsole.sources.files.lines import complete_end
from auditconsole.sources.files.parsing import Parser
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import Budget, ScanContext

MISSING_STATE: dict[str, Any] = {"d": None, "i": None, "o": 0, "h": 0}


@dataclass
class StreamTail:
    records: list[Record]
    state: dict[str, Any]
    rotated: bool = False
    truncated: bool = False
    gap: bool = False
    more: bool = False
    notices: list[str] = field(default_factory=list)


def validate_state(state: Any) -> dict[str, Any]:
    if not isinstance(state, dict) or set(state) != {"d", "i", "o", "h"}:
        raise ValueError("malformed tail position")
    dev, ino, offset, crc = state["d"], state["i"], state["o"], state["h"]
    numbers = (offset, crc) if dev is None else (dev, ino, offset, crc)
    if (dev is None) != (ino is None) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers
    ):
        raise ValueError("malformed tail position")
    return state


class _Follower:
    """Reads forward through files in order, stopping after ``limit`` records."""

    def __init__(
        self, stream: Stream, parser: Parser, limit: int, opener: Callable[..., Any], max_line: int
    ) -> None:
        self.stream = stream
        self.parser = parser
        self.limit = limit
        self.opener = opener
        self.max_line = max_line
        self.records: list[Record] = []
        self.state: dict[str, Any] | None = None

    @property
    def full(self) -> bool:
        return len(self.records) >= self.limit

    def read(self, log_file: LogFile, start: int) -> None:
        with self.opener(log_file) as opened:
            reader = opened.reader
            end = reader.size
            if log_file.live:
                end = complete_end(reader, end)
            start = min(start, end)
            position = start
            for record in iter_forward_records(
                opened, self.parser, start, end, max_line=self.max_line, hold_partial=False
            ):
                self.records.append(record)
                position = record.end
                if self.full:
                    break
            else:
                position = end
            self.state = {
                "d": log_file.dev,
                "i": log_file.ino,
                "o": position,
                "h": fingerprint(reader, position),
            }

    def matches(self, log_file: LogFile, offset: int, crc: int) -> bool:
        """Does ``log_file`` still hold, just before ``offset``, the bytes we last read?"""
        with self.opener(log_file) as opened:
            return opened.reader.size >= offset and fingerprint(opened.reader, offset) == crc


def tail_stream(
    stream: Stream,
    state: dict[str, Any] | None,
    limit: int,
    parser: Parser,
    *,
    source: str,
    label: str,
    max_line: int,
) -> StreamTail:
    def opener(log_file: LogFile) -> Any:
        return open_file(stream, log_file, parser, source, label)

    if state is None:
        return _initial(
            stream, limit, parser, opener, source=source, label=label, max_line=max_line
        )
    follower = _Follower(stream, parser, limit, opener, max_line)
    result = StreamTail(records=follower.records, state=dict(state))
    files = stream.files
    live = stream.live
    identity = None if state["d"] is None else (state["d"], state["i"])
    offset, crc = state["o"], state["h"]
    index = stream.index_of(identity) if identity is not None else None

    try:
        if index == 0 and live is not None:
            if follower.matches(live, offset, crc):
                follower.read(live, offset)
            else:
                result.truncated = True
                copy = files[1] if len(files) > 1 and not files[1].compressed else None
                if copy is not None and follower.matches(copy, offset, crc):
                    follower.read(copy, offset)
                if not follower.full:
                    follower.read(live, 0)
        elif index is not None:
            result.rotated = True
            start = offset if follower.matches(files[index], offset, crc) else 0
            follower.read(files[index], start)
            for newer in range(index - 1, -1, -1):
                if follower.full:
                    break
                follower.read(files[newer], 0)
        else:
            result.gap = identity is not None
            if live is not None:
                follower.read(live, 0)
    except OSError as exc:
        result.notices.append(f"{stream.name}: cannot be read ({exc.strerror or exc}).")
    if follower.state is not None:
        result.state = follower.state
    elif live is None and identity is not None and index is None:
        result.state = dict(MISSING_STATE)
    # Hitting the limit may leave newer files unread even at the end of this one.
    result.more = follower.full
    return result


def _initial(
    stream: Stream,
    limit: int,
    parser: Parser,
    opener: Callable[..., Any],
    *,
    source: str,
    label: str,
    max_line: int,
) -> StreamTail:
    """The last ``limit`` records, and a cursor at the end of the live file."""
    live = stream.live
    state = dict(MISSING_STATE)
    scan_state = None
    if live is not None:
        with opener(live) as opened:
            # Never past the size seen at discovery: a line appended since then is read
            # by the next poll, not lost between the two.
            end = complete_end(opened.reader, min(opened.reader.size, live.size))
            state = {"d": live.dev, "i": live.ino, "o": end, "h": fingerprint(opened.reader, end)}
        scan_state = [live.name, live.dev, live.ino, end, None, None, None]
    ctx = ScanContext(query=Query(), budget=Budget.unlimited())
    scan = StreamScan(
        stream, scan_state, ctx, parser, source=source, label=label, max_line=max_line
    )
    records = _take(iter(scan), limit)
    records.reverse()
    return StreamTail(records=records, state=state, notices=list(ctx.stats.notices))


def _take(records: Generator[Record, None, None], count: int) -> list[Record]:
    taken: list[Record] = []
    try:
        for record in records:
            taken.append(record)
            if len(taken) >= count:
                break
    finally:
        records.close()  # closes the files the scan holds open
    return taken
