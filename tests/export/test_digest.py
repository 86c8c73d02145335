"""The SHA-256 of what a CsvStream hands over: exact, partial when cut short, flat in memory."""

from __future__ import annotations

import gc
import hashlib
import tracemalloc
from collections.abc import Iterator

from asgiref.sync import async_to_sync

from auditconsole.export.resources import LogRecordResource
from auditconsole.export.streaming import AsyncCsvStream, CsvStream
from auditconsole.sources.records import Record


def lazy_records(count: int) -> Iterator[Record]:
    """Records made one at a time, as a log source yields them (never all in memory)."""
    for n in range(count):
        yield Record(
            time=None,
            level="INFO",
            levelno=20,
            logger="app",
            message=f"line {n} café ünïcode =1+1",
            fields={},
            raw="",
        )


def test_the_hash_is_of_the_utf8_bytes_handed_over():
    stream = CsvStream(LogRecordResource(), lazy_records(2500), batch_rows=1000)
    data = b"".join(chunk.encode("utf-8") for chunk in stream)
    assert stream.sha256 == hashlib.sha256(data).hexdigest()
    assert stream.bytes_written == len(data)


def test_an_interrupted_stream_hashes_what_was_sent():
    stream = CsvStream(LogRecordResource(), lazy_records(5000), batch_rows=1000)
    iterator = iter(stream)
    sent = next(iterator).encode() + next(iterator).encode()
    stream.close()
    assert (stream.written, stream.completed) == (2000, False)
    assert stream.sha256 == hashlib.sha256(sent).hexdigest()
    assert stream.bytes_written == len(sent)


def test_the_asgi_iterator_hashes_the_same_bytes():
    stream = CsvStream(LogRecordResource(), lazy_records(1500), batch_rows=500)

    async def consume() -> bytes:
        return b"".join([chunk.encode() async for chunk in AsyncCsvStream(stream)])

    data = async_to_sync(consume)()
    assert stream.sha256 == hashlib.sha256(data).hexdigest()


def peak_while_hashing(rows: int) -> tuple[int, str]:
    gc.collect()
    tracemalloc.start()
    try:
        stream = CsvStream(LogRecordResource(), lazy_records(rows), batch_rows=1000)
        for _ in stream:
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, stream.sha256


def test_memory_stays_flat_whatever_the_row_count():
    """Ten times the rows, the same peak: one chunk at a time is held, hashed, let go."""
    small, _ = peak_while_hashing(3_000)
    large, digest = peak_while_hashing(30_000)
    assert len(digest) == 64
    # A stream holding its output (or its rows) would need ten times the memory.
    assert large < small * 1.5
