"""``FileSource``: JSON-lines and classic text log files on the local disk.

Options (``OPTIONS`` of the source's settings):

``path`` (required)
    The live file, e.g. ``/var/log/app/app.log``, or a glob (``/var/log/app/*.log``).
    Rotations next to it are found automatically (see :mod:`.discovery`).
``format``
    ``"auto"`` (default: decided per file from its first line), ``"json"`` or ``"text"``.
``timezone``
    IANA name of the zone naive timestamps were written in (default: ``TIME_ZONE``,
    which Django also makes the process's local time, i.e. what ``asctime`` used).
``columns``
    Dotted field paths shown as extra columns when browsing, e.g.
    ``["request_repr.method", "response_repr.status_code"]``.
``pattern``
    A regular expression for the text format, replacing the built-in ones. Named groups
    ``time`` and ``message`` are required; ``level`` and ``logger`` are recognised; any
    other named group becomes a field.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from auditconsole.conf import conf
from auditconsole.sources.base import Around, Facets, FileInfo, LogSource, default_budget
from auditconsole.sources.cursor import State
from auditconsole.sources.files import lines as line_reading
from auditconsole.sources.files.checks import check_options
from auditconsole.sources.files.discovery import Discovery, LogFile, Stream, discover
from auditconsole.sources.files.facets import count_facets
from auditconsole.sources.files.forward import iter_forward_records, readable_end
from auditconsole.sources.files.opening import RecordReader
from auditconsole.sources.files.parsing import DEFAULT_TEXT_PATTERNS, FORMATS, Parser
from auditconsole.sources.files.positions import ScanPosition, TailPosition
from auditconsole.sources.files.streamscan import StreamScan
from auditconsole.sources.files.tailing import tail_stream
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record, RecordRef
from auditconsole.sources.scanning import Budget, EmptyScan, MergedScan, Scan, ScanContext, take
from auditconsole.sources.tails import TailResult

_NEWEST_TIME_LINES = 50
#: How many more times the tail lists a stream's files before a followed file that is
#: missing from the listing counts as gone (see :meth:`FileSource.tail`).
GAP_LOOKS = 3


class FileSource(LogSource):
    #: The facets and histogram cover the whole range selected (:mod:`.facets`), counted
    #: in a request of their own so the records never wait for them.
    facets_apart = True

    def __init__(self, key: str, config: dict[str, Any]) -> None:
        super().__init__(key, config)
        path = self.options.get("path")
        if not isinstance(path, str) or not path:
            raise ImproperlyConfigured(f"Log source {key!r} needs OPTIONS['path'].")
        self.path = path
        self.format = self.options.get("format", "auto")
        if self.format not in FORMATS:
            raise ImproperlyConfigured(f"Log source {key!r}: unknown format {self.format!r}.")
        zone_name = self.options.get("timezone")
        try:
            self.zone = ZoneInfo(zone_name) if zone_name else timezone.get_default_timezone()
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"Log source {key!r}: unknown timezone {zone_name!r}."
            ) from exc
        pattern = self.options.get("pattern")
        self.patterns = (pattern,) if pattern else DEFAULT_TEXT_PATTERNS

    # -- configuration checks -------------------------------------------------------------

    @classmethod
    def check_config(cls, key: object, config: dict[str, Any]) -> list[checks.CheckMessage]:
        messages = super().check_config(key, config)
        return [*messages, *check_options(key, config.get("OPTIONS", {}))]

    # -- helpers -----------------------------------------------------------------------------

    def parser(self) -> Parser:
        return Parser(
            fmt=self.format,
            zone=self.zone,
            patterns=self.patterns,
            redact_keys=conf.REDACT_KEYS,
            placeholder=conf.REDACTED_PLACEHOLDER,
        )

    def record_reader(self) -> RecordReader:
        """How this source's files are read, for one request (settings may change between)."""
        return RecordReader(self.parser(), self.key, self.label, conf.MAX_LINE_BYTES)

    def discover(self) -> Discovery:
        return discover(self.path)

    def _stream(self, name: str) -> Stream | None:
        for stream in self.discover().streams:
            if stream.name == name:
                return stream
        return None

    # -- the interface ---------------------------------------------------------------------

    def files(self) -> list[FileInfo]:
        reader = self.record_reader()
        infos: list[FileInfo] = []
        for stream in self.discover().streams:
            for log_file in stream.files:
                newest, error = None, None
                if not log_file.compressed:
                    try:
                        newest = self._newest_in(reader, stream, log_file)
                    except OSError as exc:
                        error = exc.strerror or str(exc)
                infos.append(
                    FileInfo(
                        name=log_file.name,
                        stream=stream.name,
                        size=log_file.size,
                        modified=datetime.fromtimestamp(log_file.mtime, tz=UTC),
                        compressed=log_file.compressed,
                        live=log_file.live,
                        newest_time=newest,
                        error=error,
                    )
                )
            for refused in stream.refused:
                infos.append(
                    FileInfo(
                        name=refused.name,
                        stream=stream.name,
                        size=0,
                        modified=None,
                        compressed=False,
                        live=False,
                        error=refused.reason,
                    )
                )
        return infos

    def _newest_in(
        self, reader: RecordReader, stream: Stream, log_file: LogFile
    ) -> datetime | None:
        """The newest time in a plain file, from its last block only (cheap)."""
        with reader.open(stream, log_file) as opened:
            end = line_reading.complete_end(opened.reader, opened.reader.size)
            start = max(0, end - line_reading.BLOCK_SIZES[0])
            start = line_reading.complete_end(opened.reader, start) if start else 0
            records = list(iter_forward_records(opened, start, end))
        for record in reversed(records[-_NEWEST_TIME_LINES:]):
            if record.time is not None:
                return record.time
        return None

    def scan(self, query: Query, cursor: State, ctx: ScanContext) -> Scan:
        streams = self.discover().streams
        if not streams:
            return EmptyScan()
        if cursor is not None and not isinstance(cursor, dict):
            raise ValueError("malformed cursor")
        reader = self.record_reader()
        scans: dict[str, Scan] = {}
        for stream in streams:
            if cursor is None:
                start = None
            elif stream.name in cursor and cursor[stream.name] is not None:
                start = ScanPosition.from_state(cursor[stream.name])
            else:
                continue  # finished, or appeared after the first page was shown
            scans[stream.name] = StreamScan(stream, start, ctx, reader)
        if not scans:
            return EmptyScan()
        return MergedScan(scans)

    def get(self, ref: RecordRef) -> Record | None:
        found = self._locate(ref)
        return found[0] if found else None

    def _locate(self, ref: RecordRef) -> tuple[Record, Stream, int] | None:
        if ref.source != self.key:
            return None
        stream = self._stream(ref.stream)
        if stream is None:
            return None
        index = stream.index_of(ref.file_id)
        if index is None:
            return None
        log_file = stream.files[index]
        try:
            with self.record_reader().open(stream, log_file) as opened:
                reader = opened.reader
                if reader.error and ref.offset == reader.size and ref.checksum == 0:
                    message = f"{log_file.name}: {reader.error}"
                    broken = opened.parser.broken(opened.origin, reader.size, message)
                    return broken, stream, index
                if ref.offset >= reader.size:
                    return None
                if ref.offset > 0 and reader.read(ref.offset - 1, 1) != b"\n":
                    return None
                for record in iter_forward_records(opened, ref.offset, readable_end(opened)):
                    if record.checksum == ref.checksum:
                        return record, stream, index
                    return None
        except OSError:
            return None
        return None

    def around(self, ref: RecordRef, count: int) -> Around | None:
        found = self._locate(ref)
        if found is None:
            return None
        record, stream, index = found
        reader = self.record_reader()
        ctx = ScanContext(query=Query(), budget=Budget.unlimited())
        log_file = stream.files[index]
        before = ScanPosition(
            log_file.name,
            log_file.dev,
            log_file.ino,
            offset=record.offset,
            anchor=record.offset,
            crc=record.checksum,
        )
        older = take(StreamScan(stream, before, ctx, reader), count)
        newer: list[Record] = []
        try:
            for position in range(index, -1, -1):
                current = stream.files[position]
                start = record.end if position == index else 0
                with reader.open(stream, current) as opened:
                    end = readable_end(opened)
                    for neighbour in iter_forward_records(opened, min(start, end), end):
                        newer.append(neighbour)
                        if len(newer) >= count:
                            break
                if len(newer) >= count:
                    break
        except OSError:
            pass
        newer.reverse()
        return Around(record=record, newer=newer, older=older)

    def count_facets(self, query: Query) -> Facets:
        """Level and logger counts and the volume histogram over everything ``query``
        selects, within the scan budget (see :mod:`.facets`)."""
        return count_facets(self, query, default_budget())

    def watch_paths(self) -> list[str]:
        """The configured directory, and each directory a glob matched files in."""
        discovery = self.discover()
        if not discovery.directory_exists:
            return []
        dirs = [discovery.root, *(os.path.dirname(stream.base) for stream in discovery.streams)]
        return list(dict.fromkeys(dirs))

    def tail(self, cursor: State = None, limit: int | None = None) -> TailResult:
        limit = limit or conf.TAIL_INITIAL_LINES
        if cursor is not None and not isinstance(cursor, dict):
            raise ValueError("malformed tail cursor")
        reader = self.record_reader()
        results: dict[str, TailResult] = {}
        for stream in self.discover().streams:
            if cursor is None:
                position = None
            elif stream.name in cursor:
                position = TailPosition.from_state(cursor[stream.name])
            else:
                position = TailPosition()  # a stream that appeared since: read it whole
            result = tail_stream(stream, position, limit, reader)
            for _ in range(GAP_LOOKS):
                # A directory listed while a handler renames its rotations can miss the
                # file being followed (it moved from one name to the next between the
                # listing's reads): look again before calling it gone, and its lines lost.
                again = self._stream(stream.name) if result.gap else None
                if again is None:
                    break
                result = tail_stream(again, position, limit, reader)
            results[stream.name] = result
        return TailResult.combine(results)
