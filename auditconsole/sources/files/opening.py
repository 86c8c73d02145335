"""Opening a source's files to read records from them.

A :class:`RecordReader` holds what every read of one source needs: its parser, the key
and label its records carry, and the line-length cap. Built once per request by
:meth:`FileSource.record_reader <auditconsole.sources.files.source.FileSource.record_reader>`,
it is handed to the scans and the follower instead of four loose arguments.

Opening goes through :func:`~auditconsole.sources.files.safety.open_checked`, so the file
opened is the regular file, under the configured directory, with the inode seen at
discovery; a ``.gz`` gets a :class:`~auditconsole.sources.files.readers.GzipReader`, and
the format (JSON or text) is decided from the first bytes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from auditconsole.sources.files.discovery import LogFile, Stream
from auditconsole.sources.files.parsing import Origin, Parser
from auditconsole.sources.files.readers import GzipReader, PlainReader, Reader
from auditconsole.sources.files.safety import open_checked

#: How much of a file's start decides its format (``auto``).
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class RecordReader:
    """How one source reads its files: its parser, the origin records carry, the line cap."""

    parser: Parser
    source: str
    label: str
    max_line: int

    @contextlib.contextmanager
    def open(self, stream: Stream, log_file: LogFile) -> Iterator[OpenedFile]:
        """``log_file`` of ``stream``, open for the ``with`` block (raises ``OSError``)."""
        fd = open_checked(log_file.path, stream.root, log_file.identity)
        try:
            reader: Reader = GzipReader(fd) if log_file.compressed else PlainReader(fd)
            fmt = self.parser.file_format(reader.read(0, SNIFF_BYTES))
            origin = Origin(self.source, stream.name, log_file.name, log_file.identity, self.label)
            yield OpenedFile(log_file, reader, fmt, origin, self.parser, self.max_line)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class OpenedFile:
    """An open file of a source, with what reading records from it needs."""

    file: LogFile
    reader: Reader
    format: str
    origin: Origin
    parser: Parser
    max_line: int
