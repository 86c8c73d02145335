"""Reading one stream of files newest first: the scan that browsing is built on.

:class:`StreamScan` reads a stream's files from the live one back through its rotations,
each from its end (:mod:`.jsonscan` or :mod:`.textscan`, by the file's format), after
narrowing a plain file to the query's time range (:mod:`.seeking`). It stops on the scan
budget at a block or file boundary, and can always say where to resume.

Its cursor state is a :class:`~auditconsole.sources.files.positions.ScanPosition`:
resume reading backwards from an offset in the file with that identity, if the line at
its anchor still has its checksum. When the file is gone (deleted, compressed into a new
inode, or truncated and rewritten), the scan resumes from the newest file, skipping
records newer than the last time shown: records sharing that exact timestamp may then
be shown twice, none are lost.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import datetime, timedelta

from auditconsole.sources.files.backward import BUDGET, COMPLETE, SINCE, FilePass, out_of_order
from auditconsole.sources.files.checksums import checksum_at
from auditconsole.sources.files.discovery import LogFile, Stream
from auditconsole.sources.files.jsonscan import scan_json
from auditconsole.sources.files.lines import complete_end
from auditconsole.sources.files.opening import OpenedFile, RecordReader
from auditconsole.sources.files.parsing import JSON
from auditconsole.sources.files.positions import ScanPosition, ScanState
from auditconsole.sources.files.seeking import SKEW, OutOfOrder, later_than, seek_time
from auditconsole.sources.files.textscan import scan_text
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import ScanContext


class StreamScan:
    """The records of ``stream`` matching ``ctx.query``, newest first, from ``start``.

    ``start`` ``None`` starts at the newest record. See :class:`~auditconsole.sources.scanning.Scan`.
    """

    def __init__(
        self,
        stream: Stream,
        start: ScanPosition | None,
        ctx: ScanContext,
        reader: RecordReader,
    ) -> None:
        self.stream = stream
        self.ctx = ctx
        self.reader = reader
        self._start = start
        #: The file about to be read, until its pass begins.
        self._at: ScanPosition | None = None
        self._pass: FilePass | None = None
        self._done = False
        self._until: datetime | None = ctx.query.until

    @property
    def cursor(self) -> ScanState | None:
        if self._done or (self._pass is not None and self._pass.finished):
            return None
        if self._pass is not None:
            return self._pass.position().to_state()
        position = self._at or self._start  # never started: resume where we were asked to
        if position is None and self.stream.files:
            first = self.stream.files[0]
            position = ScanPosition(first.name, first.dev, first.ino)
        return position.to_state() if position is not None else None

    def cursor_before(self, record: Record) -> ScanState:
        dev, ino = record.file_id
        when = record.time.timestamp() if record.time is not None else None
        return ScanPosition(
            record.file, dev, ino, record.end, when, record.offset, record.checksum
        ).to_state()

    def _resolve_start(self) -> tuple[int | None, int | None]:
        files = self.stream.files
        start = self._start
        if start is None:
            return (0 if files else None), None
        index = self.stream.index_of(start.identity)
        if index is not None and self._still_there(files[index], start):
            return index, start.offset
        # The file was rotated away or rewritten: carry on by time instead.
        self.ctx.stats.notice(
            "A file this view was reading has been rotated or truncated since; "
            "continuing from the newest file, before the last time shown."
        )
        if start.time is None:
            return None, None
        cutoff = datetime.fromtimestamp(start.time, tz=self.reader.parser.zone)
        self._until = cutoff if self._until is None else min(self._until, cutoff)
        return (0 if files else None), None

    def _still_there(self, log_file: LogFile, start: ScanPosition) -> bool:
        """Does ``log_file`` still hold what ``start`` was taken from?"""
        if start.offset is None:
            return True  # from the file's end: nothing read yet, nothing to compare
        try:
            with self.reader.open(self.stream, log_file) as opened:
                if opened.reader.size < start.offset:
                    return False  # truncated in place (copytruncate)
                return (
                    start.anchor is None
                    or checksum_at(opened.reader, start.anchor, self.reader.max_line) == start.crc
                )
        except OSError:
            return False

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
            self._at = ScanPosition(log_file.name, log_file.dev, log_file.ino, start_offset)
            self._pass = None
            if position > index and self.ctx.budget.exhausted:
                return  # stop at a file boundary; the cursor names the next file
            is_last = position == len(files) - 1
            try:
                with self.reader.open(self.stream, log_file) as opened:
                    status = yield from self._scan_file(opened, start_offset, is_last)
            except OSError as exc:
                stats.notice(f"{log_file.name}: cannot be read ({exc.strerror or exc}).")
                continue
            if status == BUDGET:
                return
            if status == SINCE:
                break
        self._done = True

    def _scan_file(
        self, opened: OpenedFile, start_offset: int | None, is_last: bool
    ) -> Generator[Record, None, str]:
        reader = opened.reader
        log_file = opened.file
        query = self.ctx.query
        end = reader.size if start_offset is None else min(start_offset, reader.size)
        if log_file.live and start_offset is None:
            end = complete_end(reader, end)  # a half-written last line waits for its newline
        floor = 0
        since_limit = query.since - SKEW if query.since is not None else None
        if log_file.compressed and start_offset is None:
            self.ctx.stats.notice(
                f"{log_file.name} is compressed: it was read from its start "
                f"({reader.size:,} bytes of text), since a .gz cannot be read backwards."
            )
        elif not log_file.compressed and (self._until is not None or since_limit is not None):
            try:
                if self._until is not None and end > 0:
                    end = seek_time(opened, self._until + SKEW, 0, end, unknown="high")
                    if opened.format == JSON:
                        # The tolerance zone past ``until``, skipped if its bytes show
                        # nothing in it is older (see ``later_than``).
                        after = self._until + timedelta(microseconds=1)
                        near = seek_time(opened, after, 0, end, unknown="high")
                        if later_than(opened, near, end, self._until):
                            end = near
                if since_limit is not None and end > 0:
                    floor = seek_time(opened, since_limit, 0, end, unknown="low")
            except OutOfOrder:
                self.ctx.stats.notice(out_of_order(log_file.name))
                end = reader.size if start_offset is None else min(start_offset, reader.size)
                if log_file.live and start_offset is None:
                    end = complete_end(reader, end)
                floor = 0
                since_limit = None  # read it all: an older record does not end the range
        file_pass = FilePass(
            opened,
            self.ctx,
            end=end,
            floor=floor,
            final=is_last or floor > 0,
            since_limit=since_limit,
            until=self._until,
        )
        self._pass = file_pass
        if reader.error and start_offset is None:
            message = f"{log_file.name}: {reader.error}"
            self.ctx.stats.notice(message)
            broken = opened.parser.broken(opened.origin, reader.size, message)
            flags = query.evaluate(broken)
            self.ctx.stats.observe(broken, flags)
            file_pass.mark(reader.size, None, None)  # resuming must not show the notice again
            if flags[0]:
                yield broken
            file_pass.mark(end, None, None)
        scan = scan_json if opened.format == JSON else scan_text
        status = yield from scan(file_pass)
        if status == COMPLETE and floor > 0:
            return SINCE  # older files hold only older records
        return status
