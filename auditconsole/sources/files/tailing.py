"""Following a stream as it is written, through rotation and truncation.

The tail cursor of a stream is a
:class:`~auditconsole.sources.files.positions.TailPosition`: the file being followed, how
far it has been read, and a CRC-32 of the 64 bytes before that offset (no file while the
live file does not exist yet). On each poll:

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

from auditconsole.sources.files.checksums import fingerprint
from auditconsole.sources.files.discovery import LogFile, Stream
from auditconsole.sources.files.forward import iter_forward_records, readable_end
from auditconsole.sources.files.lines import complete_end
from auditconsole.sources.files.opening import RecordReader
from auditconsole.sources.files.positions import ScanPosition, TailPosition
from auditconsole.sources.files.streamscan import StreamScan
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import Budget, ScanContext, take
from auditconsole.sources.tails import TailResult


class _Follower:
    """Reads forward through files in order, stopping after ``limit`` records."""

    def __init__(self, reader: RecordReader, stream: Stream, limit: int) -> None:
        self.reader = reader
        self.stream = stream
        self.limit = limit
        self.records: list[Record] = []
        self.position: TailPosition | None = None

    @property
    def full(self) -> bool:
        return len(self.records) >= self.limit

    def read(self, log_file: LogFile, start: int) -> None:
        with self.reader.open(self.stream, log_file) as opened:
            end = readable_end(opened)
            start = min(start, end)
            position = start
            for record in iter_forward_records(opened, start, end):
                self.records.append(record)
                position = record.end
                if self.full:
                    break
            else:
                position = end
            crc = fingerprint(opened.reader, position)
            self.position = TailPosition(log_file.dev, log_file.ino, position, crc)

    def matches(self, log_file: LogFile, offset: int, crc: int) -> bool:
        """Does ``log_file`` still hold, just before ``offset``, the bytes we last read?"""
        with self.reader.open(self.stream, log_file) as opened:
            return opened.reader.size >= offset and fingerprint(opened.reader, offset) == crc


def tail_stream(
    stream: Stream, position: TailPosition | None, limit: int, reader: RecordReader
) -> TailResult:
    """What was appended to ``stream`` since ``position`` (``None``: its last records)."""
    if position is None:
        return _initial(stream, limit, reader)
    follower = _Follower(reader, stream, limit)
    result = TailResult(records=follower.records, cursor=position.to_state())
    files = stream.files
    live = stream.live
    identity = position.identity
    offset, crc = position.offset, position.crc
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
    if follower.position is not None:
        result.cursor = follower.position.to_state()
    elif live is None and identity is not None and index is None:
        result.cursor = TailPosition().to_state()
    # Hitting the limit may leave newer files unread even at the end of this one.
    result.more = follower.full
    return result


def _initial(stream: Stream, limit: int, reader: RecordReader) -> TailResult:
    """The last ``limit`` records, and a cursor at the end of the live file."""
    live = stream.live
    position = TailPosition()
    start = None
    if live is not None:
        with reader.open(stream, live) as opened:
            # Never past the size seen at discovery: a line appended since then is read
            # by the next poll, not lost between the two.
            end = complete_end(opened.reader, min(opened.reader.size, live.size))
            position = TailPosition(live.dev, live.ino, end, fingerprint(opened.reader, end))
        start = ScanPosition(live.name, live.dev, live.ino, end)
    ctx = ScanContext(query=Query(), budget=Budget.unlimited())
    records = take(StreamScan(stream, start, ctx, reader), limit)
    records.reverse()
    return TailResult(records=records, cursor=position.to_state(), notices=list(ctx.stats.notices))
