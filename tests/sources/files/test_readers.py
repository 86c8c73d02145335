from __future__ import annotations

import gzip
import os
import random
import zlib
from pathlib import Path

import pytest

from auditconsole.sources.files.readers import GzipReader, PlainReader


def open_fd(path: Path) -> int:
    return os.open(path, os.O_RDONLY)


def payload(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    lines = []
    total = 0
    n = 0
    while total < size:
        line = f'{{"seq": {n}, "pad": "{rng.random()}"}}\n'.encode()
        lines.append(line)
        total += len(line)
        n += 1
    return b"".join(lines)


def test_plain_reader(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    reader = PlainReader(open_fd(path))
    assert reader.size == 10 and reader.error is None
    assert reader.read(2, 3) == b"234"
    assert reader.read(-5, 3) == b"012"
    assert reader.read(8, 100) == b"89"
    assert reader.read(20, 5) == b""
    reader.close()
    assert PlainReader(open_fd(path), size=4).read(0, 100) == b"0123"


@pytest.mark.parametrize("window", [4096, 64 * 1024, 8 * 1024 * 1024])
def test_gzip_random_access_across_windows(tmp_path: Path, window: int) -> None:
    data = payload(600_000)
    path = tmp_path / "a.gz"
    path.write_bytes(gzip.compress(data))
    reader = GzipReader(open_fd(path), window=window)
    assert reader.size == len(data) and reader.error is None
    rng = random.Random(3)
    for _ in range(30):
        start = rng.randrange(len(data))
        length = rng.randrange(1, 200_000)
        assert reader.read(start, length) == data[start : start + length]
    # backwards, block by block, as the scanner reads
    position, parts = len(data), []
    while position > 0:
        start = max(0, position - 50_000)
        parts.append(reader.read(start, position - start))
        position = start
    assert b"".join(reversed(parts)) == data
    reader.close()


def test_multi_member_and_zero_padding(tmp_path: Path) -> None:
    path = tmp_path / "m.gz"
    path.write_bytes(gzip.compress(b"first\n") + gzip.compress(b"second\n") + b"\x00" * 64)
    reader = GzipReader(open_fd(path), window=4)
    assert reader.error is None
    assert reader.read(0, 100) == b"first\nsecond\n"
    assert reader.read(6, 3) == b"sec"


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    data = payload(300_000)
    compressed = gzip.compress(data)
    path = tmp_path / "t.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    reader = GzipReader(open_fd(path))
    assert 0 < reader.size < len(data)
    assert reader.read(0, reader.size) == data[: reader.size]
    assert "truncated" in reader.error and f"byte {len(compressed) // 2}" in reader.error


def test_corrupt_gzip_says_where(tmp_path: Path) -> None:
    data = payload(300_000)
    compressed = bytearray(gzip.compress(data))
    middle = len(compressed) // 2
    compressed[middle : middle + 200] = random.Random(7).randbytes(200)
    path = tmp_path / "c.gz"
    path.write_bytes(bytes(compressed))
    reader = GzipReader(open_fd(path))
    assert reader.error is not None and "corrupt" in reader.error
    assert reader.size < len(data)
    assert reader.read(0, 1000) == data[:1000]


@pytest.mark.parametrize("seed", range(20))
def test_text_before_the_corruption_is_kept(tmp_path: Path, seed: int) -> None:
    # Small files fit in one input chunk: the text decoded before the bad bytes must
    # survive the failing decompress call.
    data = payload(300_000)
    compressed = bytearray(gzip.compress(data))
    middle = len(compressed) // 2
    compressed[middle : middle + 200] = random.Random(seed).randbytes(200)
    path = tmp_path / "c.gz"
    path.write_bytes(bytes(compressed))
    reader = GzipReader(open_fd(path))
    assert reader.error is not None
    text = reader.read(0, reader.size)
    # Deflate notices corruption a little after it starts, so the last bytes read may
    # be garbage (the parser flags such lines as malformed); everything before is intact.
    intact = next(
        (i for i, (a, b) in enumerate(zip(text, data, strict=False)) if a != b), len(text)
    )
    assert intact > len(data) // 3


def test_not_gzip_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "plain.gz"
    path.write_bytes(b'{"message": "not compressed"}\n')
    reader = GzipReader(open_fd(path))
    assert reader.size == 0 and "corrupt near byte 0" in reader.error
    empty = tmp_path / "empty.gz"
    empty.write_bytes(b"")
    assert GzipReader(open_fd(empty)).error is None


def test_garbage_after_a_member(tmp_path: Path) -> None:
    path = tmp_path / "g.gz"
    path.write_bytes(gzip.compress(b"ok\n") + b"trailing junk")
    reader = GzipReader(open_fd(path))
    assert reader.read(0, 10) == b"ok\n"
    assert reader.error is not None


def test_highly_compressible_data_stays_bounded(tmp_path: Path) -> None:
    data = b"\n" * 5_000_000
    path = tmp_path / "z.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    path.write_bytes(compressor.compress(data) + compressor.flush())
    reader = GzipReader(open_fd(path), window=1_000_000)
    assert reader.size == len(data)
    assert reader.read(4_999_990, 100) == b"\n" * 10
    assert len(reader._cache) <= 1_000_000 + 1024 * 1024
