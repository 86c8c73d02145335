"""Writing an export as CSV text, a chunk at a time, with flat memory.

``CsvStream`` is what a ``StreamingHttpResponse`` and the management command iterate: it
pulls rows from the queryset or the log source as the consumer asks for more, renders each
with the resource, and hands over the CSV text in chunks of about a thousand rows. Nothing
but the current chunk is ever held, whatever the row count.

It also keeps score (rows written, whether the cap cut the export short, whether the
consumer read to the end, the bytes handed over and their SHA-256) and calls
``on_finish`` exactly once: when the last row has
been written, or when the consumer stops early (a browser that disconnects makes the
server close the response, which closes the stream). That is when the export is audited.

The SHA-256 is of the exact bytes the consumer gets: each chunk is encoded as the server
will encode it (UTF-8, the charset of the response) and hashed as it is handed over, so
the hash of a million rows costs no more memory than one chunk. Whether the consumer reads
to the end or stops early, ``sha256`` and ``bytes_written`` cover what it was given: the
manifest of an interrupted download describes the part that was sent.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from itertools import islice
from typing import Any, Protocol

from asgiref.sync import sync_to_async

from auditconsole.export.resources import StreamingResource

#: Rows rendered per chunk handed to the server.
BATCH_ROWS = 1000
#: Spreadsheets (Excel above all) need the byte order mark to read UTF-8 CSV as UTF-8.
BOM = "\ufeff"
#: What the chunks are encoded to: the charset of the CSV response and of the command's file.
ENCODING = "utf-8"


class Digest(Protocol):
    """What the stream needs of a hasher (``hashlib.sha256()`` is one)."""

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class CsvStream:
    #: Makes the object that hashes the bytes handed over (a seam for the benchmark,
    #: which measures the export without it).
    digest_factory: Callable[[], Digest] = hashlib.sha256

    def __init__(
        self,
        resource: StreamingResource,
        rows: Iterable[Any],
        *,
        max_rows: int | None = None,
        on_finish: Callable[[CsvStream], object] | None = None,
        bom: bool = True,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self.resource = resource
        self.rows = rows
        self.max_rows = max_rows
        self.on_finish = on_finish
        self.bom = bom
        self.batch_rows = batch_rows
        #: Rows handed to the consumer so far.
        self.written = 0
        #: More rows matched than ``max_rows``: the file stops at the cap.
        self.capped = False
        #: The consumer read the whole file.
        self.completed = False
        self.finished = False
        #: Bytes handed to the consumer so far, encoded as it will send them.
        self.bytes_written = 0
        self._hasher = self.digest_factory()
        self._iterator: Generator[str, None, None] | None = None

    @property
    def sha256(self) -> str:
        """The SHA-256 (hex) of the bytes handed over so far."""
        return self._hasher.hexdigest()

    @property
    def headers(self) -> list[str]:
        return self.resource.get_export_headers()

    def __iter__(self) -> Iterator[str]:
        if self._iterator is None:
            self._iterator = self._generate()
        return self._iterator

    def close(self) -> None:
        """Stop: release the database cursor or log files, and report (once)."""
        if self._iterator is not None:
            self._iterator.close()  # runs the generator's ``finally`` if it had started
        self._finish()

    def _generate(self) -> Generator[str, None, None]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # Whole lines when the resource writes them itself (as csv.writer would), else
        # rows of cells for csv.writer.
        lines = self.resource.lines(self.rows)
        if lines is None:
            rows = iter(self.resource.rows(self.rows))
            write = _row_writer(writer, self.resource.row_renderer())
        else:
            rows, write = lines, buffer.writelines
        try:
            if self.bom:
                buffer.write(BOM)
            writer.writerow(self.headers)
            remaining = self.max_rows
            while remaining is None or remaining > 0:
                size = self.batch_rows if remaining is None else min(self.batch_rows, remaining)
                batch = list(islice(rows, size))
                if not batch:
                    break
                write(batch)
                self.written += len(batch)
                if remaining is not None:
                    remaining -= len(batch)
                yield self._handed_over(_drain(buffer))
            if remaining == 0:
                # At the cap: one more row says whether anything was left out.
                self.capped = next(rows, None) is not None
            tail = _drain(buffer)
            if tail:  # the header, for an export with no rows
                yield self._handed_over(tail)
            self.completed = True
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
            self._finish()

    def _handed_over(self, text: str) -> str:
        data = text.encode(ENCODING)
        self._hasher.update(data)
        self.bytes_written += len(data)
        return text

    def _finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        if self.on_finish is not None:
            self.on_finish(self)


def _row_writer(writer: Any, render: Callable[[Any], Any]) -> Callable[[list[Any]], None]:
    def write(batch: list[Any]) -> None:
        writer.writerows(map(render, batch))

    return write


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


class AsyncCsvStream:
    """A :class:`CsvStream` for ASGI servers.

    Given a synchronous iterator, Django's ASGI handler reads the *whole* of it into a
    list before sending a byte, which is exactly what streaming is for avoiding. This
    pulls one chunk at a time instead, each in the thread that runs the ORM.
    """

    def __init__(self, stream: CsvStream) -> None:
        self.stream = stream

    async def __aiter__(self) -> AsyncIterator[str]:
        iterator = iter(self.stream)
        pull = sync_to_async(next, thread_sensitive=True)
        try:
            # next()'s two-argument form, which sync_to_async's typing cannot carry over.
            while (chunk := await pull(iterator, None)) is not None:  # type: ignore[call-arg]
                yield chunk
        finally:
            # A client that goes away cancels the sending task, which closes this
            # generator; the export is then recorded as interrupted, in the ORM's thread.
            await sync_to_async(self.stream.close, thread_sensitive=True)()

    def close(self) -> None:
        self.stream.close()
