"""Random access to a log file's bytes, plain or gzip-compressed, in bounded memory.

Both readers answer ``read(start, length)`` over the file's *content* (for a ``.gz``,
offsets are positions in the decompressed text), so the scanning code above them is the
same for both.

A ``.gz`` cannot be read backwards, and seeking into it means decompressing from the
start. :class:`GzipReader` therefore makes one forward pass when it is opened, and every
``WINDOW`` decompressed bytes keeps a checkpoint: a copy of the zlib state (about 40 KB)
plus the compressed offset. Reading near the end then costs one window's decompression,
and reading the whole file backwards costs one extra pass in total, instead of one pass
per page. Memory is one window (8 MiB) plus the checkpoints, about 0.5 % of the
decompressed size; nothing is kept between requests. The trade-off: the first read of a
rotated ``.gz`` in a request pays for decompressing all of it once.

A corrupt or truncated ``.gz`` is read up to where it breaks; ``error`` then says where,
and ``size`` is what could be decompressed.
"""

from __future__ import annotations

import bisect
import os
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

WINDOW = 8 * 1024 * 1024
_INPUT_CHUNK = 64 * 1024
_OUTPUT_CHUNK = 1024 * 1024
_SALVAGE_STEP = 512
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class Reader(Protocol):
    size: int
    error: str | None

    def read(self, start: int, length: int) -> bytes: ...

    def close(self) -> None: ...


class PlainReader:
    """``pread`` on an open descriptor; ``size`` is fixed when opened (growth is ignored)."""

    error: str | None = None

    def __init__(self, fd: int, size: int | None = None) -> None:
        self.fd = fd
        self.size = os.fstat(fd).st_size if size is None else size

    def read(self, start: int, length: int) -> bytes:
        start = max(0, start)
        length = min(length, self.size - start)
        if length <= 0:
            return b""
        return os.pread(self.fd, length, start)

    def close(self) -> None:
        os.close(self.fd)


@dataclass
class _Checkpoint:
    out: int
    compressed: int
    state: zlib._Decompress | None
    pending: bytes
    in_member: bool


class _Inflater:
    """Streams a (possibly multi-member) gzip file forward, one output chunk at a time."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.compressed = 0
        self.out = 0
        self.state: zlib._Decompress | None = None
        self.pending = b""
        self.in_member = False
        self.done = False
        self.error: str | None = None

    def snapshot(self) -> _Checkpoint:
        state = self.state.copy() if self.state is not None else None
        return _Checkpoint(self.out, self.compressed, state, self.pending, self.in_member)

    @classmethod
    def restore(cls, fd: int, checkpoint: _Checkpoint) -> _Inflater:
        inflater = cls(fd)
        inflater.out = checkpoint.out
        inflater.compressed = checkpoint.compressed
        inflater.state = checkpoint.state.copy() if checkpoint.state is not None else None
        inflater.pending = checkpoint.pending
        inflater.in_member = checkpoint.in_member
        return inflater

    def step(self) -> bytes:
        """The next piece of decompressed output; ``b""`` with ``done`` set at the end."""
        if not self.pending:
            self.pending = os.pread(self.fd, _INPUT_CHUNK, self.compressed)
            self.compressed += len(self.pending)
            if not self.pending:
                if self.in_member:
                    self.error = (
                        f"compressed data ends early at byte {self.compressed} "
                        f"(after {self.out} bytes of text): the file is truncated"
                    )
                self.done = True
                return b""
        if self.state is None:
            if not self.pending.strip(b"\x00"):  # zero padding after the last member
                self.pending = b""
                return b""
            self.state = zlib.decompressobj(_GZIP_WBITS)
            self.in_member = True
        consumed_before = self.compressed - len(self.pending)
        before = self.state.copy()
        try:
            chunk = self.state.decompress(self.pending, _OUTPUT_CHUNK)
        except zlib.error as exc:
            chunk, where = _salvage(before, self.pending, consumed_before)
            self.out += len(chunk)
            self.error = (
                f"compressed data is corrupt near byte {where} "
                f"(after {self.out} bytes of text): {exc}"
            )
            self.done = True
            return chunk
        self.pending = self.state.unconsumed_tail
        if self.state.eof:
            self.pending = self.state.unused_data + self.pending
            self.state = None
            self.in_member = False
        self.out += len(chunk)
        return chunk


def _salvage(state: Any, data: bytes, offset: int) -> tuple[bytes, int]:
    """What ``data`` yields before its corruption, fed to ``state`` a little at a time.

    A failing ``decompress`` call returns nothing, not even the text it decoded before the
    bad bytes; replaying the same input in small steps recovers that text. It runs once
    per broken file, when reading stops.
    """
    out = bytearray()
    for start in range(0, len(data), _SALVAGE_STEP):
        try:
            out += state.decompress(data[start : start + _SALVAGE_STEP])
        except zlib.error:
            return bytes(out), offset + start
    return bytes(out), offset + len(data)


class GzipReader:
    def __init__(self, fd: int, window: int = WINDOW) -> None:
        self.fd = fd
        self.window = window
        inflater = _Inflater(fd)
        self._checkpoints = [inflater.snapshot()]
        last = 0
        while not inflater.done:
            inflater.step()
            if inflater.out - last >= window and not inflater.done:
                self._checkpoints.append(inflater.snapshot())
                last = inflater.out
        self.size = inflater.out
        self.error = inflater.error
        self._offsets = [checkpoint.out for checkpoint in self._checkpoints]
        self._cache_start = -1
        self._cache = b""

    def read(self, start: int, length: int) -> bytes:
        start = max(0, start)
        stop = min(self.size, start + length)
        parts: list[bytes] = []
        position = start
        while position < stop:
            self._load(position)
            relative = position - self._cache_start
            piece = self._cache[relative : relative + (stop - position)]
            if not piece:  # pragma: no cover - defensive: the window ended early
                break
            parts.append(piece)
            position += len(piece)
        return b"".join(parts)

    def _load(self, position: int) -> None:
        if self._cache_start <= position < self._cache_start + len(self._cache):
            return
        index = bisect.bisect_right(self._offsets, position) - 1
        checkpoint = self._checkpoints[index]
        limit = self._offsets[index + 1] if index + 1 < len(self._offsets) else self.size
        inflater = _Inflater.restore(self.fd, checkpoint)
        chunks: list[bytes] = []
        produced = checkpoint.out
        while produced < limit and not inflater.done:
            chunk = inflater.step()
            chunks.append(chunk)
            produced += len(chunk)
        self._cache = b"".join(chunks)[: limit - checkpoint.out]
        self._cache_start = checkpoint.out

    def close(self) -> None:
        os.close(self.fd)
