from __future__ import annotations

import os
from pathlib import Path

from auditconsole.sources.files.lines import (
    Block,
    LongLine,
    complete_end,
    iter_backward,
    iter_forward,
)
from auditconsole.sources.files.readers import PlainReader


def reader_for(path: Path, data: bytes) -> PlainReader:
    path.write_bytes(data)
    return PlainReader(os.open(path, os.O_RDONLY))


def backward_lines(
    reader: PlainReader, end: int, max_line: int = 1000, floor: int = 0
) -> list[tuple[int, int, bytes, bool]]:
    """Flatten the blocks back into (start, end, line, truncated), oldest first."""
    found = []
    for item in iter_backward(reader, end, max_line=max_line, floor=floor):
        if isinstance(item, LongLine):
            found.append((item.start, item.end, item.head, True))
            continue
        assert isinstance(item, Block)
        position = item.start
        for line in item.lines.splitlines(keepends=True):
            body = line.rstrip(b"\n")
            found.append((position, position + len(line), body[:max_line], len(body) > max_line))
            position += len(line)
        assert position == item.end
    found.sort()
    return found


def test_backward_blocks_cover_every_line_once(tmp_path: Path) -> None:
    lines = [f"line {i} ".encode() * (i % 7 + 1) for i in range(20_000)]
    data = b"\n".join(lines) + b"\n"
    reader = reader_for(tmp_path / "f", data)
    found = backward_lines(reader, len(data), max_line=10_000)
    assert [line for _, _, line, _ in found] == lines
    assert found[0][0] == 0 and found[-1][1] == len(data)


def test_unterminated_last_line_of_a_finished_file(tmp_path: Path) -> None:
    reader = reader_for(tmp_path / "f", b"a\nb\nlast")
    assert [line for _, _, line, _ in backward_lines(reader, 8)] == [b"a", b"b", b"last"]
    single = reader_for(tmp_path / "g", b"only")
    assert [line for _, _, line, _ in backward_lines(single, 4)] == [b"only"]


def test_floor_stops_at_a_line_start(tmp_path: Path) -> None:
    reader = reader_for(tmp_path / "f", b"a\nbb\nccc\n")
    assert [line for _, _, line, _ in backward_lines(reader, 9, floor=2)] == [b"bb", b"ccc"]
    assert list(iter_backward(reader, 2, max_line=10, floor=2)) == []


def test_long_lines_are_cut_but_the_rest_stays_readable(tmp_path: Path) -> None:
    huge = b"x" * 9_000_000  # longer than the largest block: handed out as a LongLine
    data = b"before\n" + huge + b"\nafter\n" + b"y" * 150_000 + b"\n"
    reader = reader_for(tmp_path / "f", data)
    items = list(iter_backward(reader, len(data), max_line=100_000))
    assert sum(isinstance(item, LongLine) for item in items) == 1
    found = backward_lines(reader, len(data), max_line=100_000)
    assert [(line[:6], truncated) for _, _, line, truncated in found] == [
        (b"before", False),
        (b"x" * 6, True),
        (b"after", False),
        (b"y" * 6, True),  # over max_line but within a block: cut by the reader of blocks
    ]
    assert (found[1][0], found[1][1]) == (7, 7 + len(huge) + 1)
    assert len(found[1][2]) == 100_000
    # a long line at the very start of the file
    reader2 = reader_for(tmp_path / "g", huge + b"\nz\n")
    found2 = backward_lines(reader2, len(huge) + 3, max_line=1000)
    assert [(s, truncated) for s, _, _, truncated in found2] == [(0, True), (len(huge) + 1, False)]


def test_a_file_that_shrinks_during_the_read_ends_the_blocks(tmp_path: Path) -> None:
    reader = reader_for(tmp_path / "f", b"a\nb\n" * 100_000)
    reader.size = 10_000_000  # as if the file were truncated after it was opened
    assert list(iter_backward(reader, 10_000_000, max_line=100)) == []


def test_complete_end(tmp_path: Path) -> None:
    reader = reader_for(tmp_path / "f", b"a\nb\npartial")
    assert complete_end(reader, 11) == 4
    assert complete_end(reader, 4) == 4
    none = reader_for(tmp_path / "g", b"x" * 200_000)
    assert complete_end(none, 200_000) == 0


def test_forward_lines_hold_the_partial_one(tmp_path: Path) -> None:
    data = b"a\n\nccc\n" + b"d" * 600_000 + b"\npart"
    reader = reader_for(tmp_path / "f", data)
    held = list(iter_forward(reader, 0, len(data), max_line=1000, hold_partial=True))
    assert [(line.data[:3], line.truncated) for line in held] == [
        (b"a", False),
        (b"", False),
        (b"ccc", False),
        (b"ddd", True),
    ]
    assert held[-1].end == len(data) - 4 and len(held[-1].data) == 1000
    whole = list(iter_forward(reader, 0, len(data), max_line=1000, hold_partial=False))
    assert whole[-1].data == b"part" and whole[-1].end == len(data)
    long_tail = reader_for(tmp_path / "g", b"z" * 5000)
    (cut,) = iter_forward(long_tail, 0, 5000, max_line=100, hold_partial=False)
    assert cut.truncated and len(cut.data) == 100
    middle = reader_for(tmp_path / "h", b"x" * 50 + b"y" * 80 + b"\n")
    (line,) = iter_forward(middle, 0, 131, max_line=100, hold_partial=False)
    assert line.truncated and line.end == 131
    (whole,) = iter_forward(middle, 0, 500, max_line=1000, hold_partial=False)
    assert whole.data == b"x" * 50 + b"y" * 80
