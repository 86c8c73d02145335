"""Positions in a stream of files, as they travel inside signed cursors.

A file is named by ``(st_dev, st_ino)``, never by path, so a position survives rotation
(``app.log`` becoming ``app.log.1``), and a checksum proves that the file still holds what
it held (an inode number can be reused once the old file is deleted).

The wire formats are part of the public contract: bookmarked pages and open tails carry
them, so they stay exactly as they were when positions were plain lists and dicts.

* :class:`ScanPosition`, where a backward (browse) scan resumes:
  ``[file name, st_dev, st_ino, offset, time, anchor, crc]``;
* :class:`TailPosition`, how far a stream has been followed:
  ``{"d": st_dev, "i": st_ino, "o": offset, "h": crc}``.

A cursor is signed, so it is trusted not to be forged, but not to be well-formed (a
token issued by an older version, a hand-built state in a test): ``from_state`` checks
every part and raises :class:`InvalidState`, which views answer as a bad link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeGuard

from auditconsole.sources.cursor import State, is_count

#: Cursor times must fall inside years 1..9999 with a day to spare in every time zone:
#: ``datetime`` cannot represent the others.
_MIN_TIMESTAMP = -62_135_596_800 + 86_400
_MAX_TIMESTAMP = 253_402_300_799 - 86_400
_TAIL_KEYS = frozenset({"d", "i", "o", "h"})

#: A :class:`ScanPosition` in a cursor: ``[file name, st_dev, st_ino, offset, time, anchor, crc]``.
ScanState: TypeAlias = list[str | int | float | None]
#: A :class:`TailPosition` in a cursor: ``{"d": st_dev, "i": st_ino, "o": offset, "h": crc}``.
TailState: TypeAlias = dict[str, int | None]


class InvalidState(ValueError):
    """A cursor state that does not describe a position in this stream."""


def _optional_count(value: object) -> TypeGuard[int | None]:
    return value is None or is_count(value)


def _timestamp(value: object) -> TypeGuard[float | None]:
    # A time a datetime can hold: ``fromtimestamp`` would raise on the others (a 500).
    return value is None or (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and _MIN_TIMESTAMP <= value <= _MAX_TIMESTAMP
    )


@dataclass(frozen=True, slots=True)
class ScanPosition:
    """Resume reading backwards from ``offset`` in the file with this identity.

    ``offset`` ``None`` means from the file's end. ``crc`` is the checksum of the line at
    ``anchor``; both are ``None`` until a line has been read. ``time`` is the time of the
    last record shown (a POSIX timestamp): when the file is gone (deleted, compressed into
    a new inode, truncated and rewritten), the scan resumes from the newest file, skipping
    records newer than it.
    """

    file: str
    dev: int
    ino: int
    offset: int | None = None
    time: float | None = None
    anchor: int | None = None
    crc: int | None = None

    @property
    def identity(self) -> tuple[int, int]:
        return (self.dev, self.ino)

    @classmethod
    def from_state(cls, state: State) -> ScanPosition:
        if not isinstance(state, list) or len(state) != 7:
            raise InvalidState("malformed position")
        name, dev, ino, offset, when, anchor, crc = state
        if not (
            isinstance(name, str)
            and is_count(dev)
            and is_count(ino)
            and _optional_count(offset)
            and _timestamp(when)
            and _optional_count(anchor)
            and _optional_count(crc)
            and (anchor is None) == (crc is None)
        ):
            raise InvalidState("malformed position")
        return cls(name, dev, ino, offset, when, anchor, crc)

    def to_state(self) -> ScanState:
        return [self.file, self.dev, self.ino, self.offset, self.time, self.anchor, self.crc]


@dataclass(frozen=True, slots=True)
class TailPosition:
    """How far a stream has been followed: ``offset`` bytes into the file ``dev``/``ino``.

    ``crc`` is a CRC-32 of the 64 bytes before ``offset`` (see
    :func:`~auditconsole.sources.files.checksums.fingerprint`): it tells a file that was
    appended to from one that was rewritten. The default position, with no file, is
    where a stream whose live file does not exist yet is followed from.
    """

    dev: int | None = None
    ino: int | None = None
    offset: int = 0
    crc: int = 0

    @property
    def identity(self) -> tuple[int, int] | None:
        if self.dev is None or self.ino is None:
            return None
        return (self.dev, self.ino)

    @classmethod
    def from_state(cls, state: State) -> TailPosition:
        if not isinstance(state, dict) or set(state) != _TAIL_KEYS:
            raise InvalidState("malformed tail position")
        dev, ino, offset, crc = state["d"], state["i"], state["o"], state["h"]
        if not (
            _optional_count(dev)
            and _optional_count(ino)
            and (dev is None) == (ino is None)
            and is_count(offset)
            and is_count(crc)
        ):
            raise InvalidState("malformed tail position")
        return cls(dev, ino, offset, crc)

    def to_state(self) -> TailState:
        return {"d": self.dev, "i": self.ino, "o": self.offset, "h": self.crc}
