"""The two checksums that prove a file still holds what a position was taken from.

An inode number can be reused by a new file once the old one is deleted, and a file
truncated in place keeps its inode: identity alone cannot tell. So a browse position
keeps the checksum of a line it read (:func:`line_checksum`, the same CRC a record
carries as ``Record.checksum``), and a tail position the CRC of the bytes just before its
offset (:func:`fingerprint`). Reading them again costs one small read.
"""

from __future__ import annotations

import zlib

from auditconsole.sources.files.lines import Block, LongLine
from auditconsole.sources.files.readers import Reader

#: How many bytes before a tail position its fingerprint covers.
FINGERPRINT_BYTES = 64


def line_checksum(line: bytes, max_line: int) -> int:
    """The checksum a record read from this line carries (see ``Record.checksum``)."""
    return zlib.crc32(line[:max_line].rstrip(b"\r"))


def checksum_at(reader: Reader, offset: int, max_line: int) -> int | None:
    """:func:`line_checksum` of the line starting at ``offset``, or ``None`` past the end."""
    data = reader.read(offset, max_line + 1)
    if not data:
        return None
    newline = data.find(b"\n")
    return line_checksum(data if newline < 0 else data[:newline], max_line)


def first_line_checksum(item: Block | LongLine, max_line: int) -> int:
    """:func:`line_checksum` of the first whole line of a block read backwards."""
    if isinstance(item, LongLine):
        return line_checksum(item.head, max_line)
    data = item.data
    newline = data.find(b"\n", item.skip)
    return line_checksum(data[item.skip :] if newline < 0 else data[item.skip : newline], max_line)


def fingerprint(reader: Reader, offset: int) -> int:
    """CRC-32 of the bytes before ``offset``: tells an appended file from a rewritten one."""
    start = max(0, offset - FINGERPRINT_BYTES)
    return zlib.crc32(reader.read(start, offset - start))
