"""Where an entry stands in the merged, newest-first order of every trail.

Entries are ordered by ``(time, trail key, tiebreak)``. ``tiebreak`` is a tuple of
integers a trail chooses so that its own entries are totally ordered: LogEntry's
``(pk,)``; a trail with one table per model ``(content type id, pk)``. A page's cursor is
the position of its last entry, so "older than the cursor" is the same set of entries
whichever trails are merged, and walking every page visits each entry exactly once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.dateparse import parse_datetime

SEPARATOR = "~"
TIEBREAK_SEPARATOR = "."
MAX_LENGTH = 120


@dataclass(frozen=True, order=True)
class Position:
    """``2026-03-04T14:23:01.123456Z~history~7.12345``"""

    time: datetime.datetime
    trail: str
    tiebreak: tuple[int, ...]

    def encode(self) -> str:
        utc = self.time.astimezone(datetime.UTC).replace(tzinfo=None)
        tiebreak = TIEBREAK_SEPARATOR.join(str(part) for part in self.tiebreak)
        return (
            f"{utc.isoformat(timespec='microseconds')}Z{SEPARATOR}{self.trail}{SEPARATOR}{tiebreak}"
        )

    @classmethod
    def decode(cls, token: str) -> Position:
        """Raise ``ValueError`` for anything but a token :meth:`encode` could have made."""
        if len(token) > MAX_LENGTH:
            raise ValueError("cursor too long")
        parts = token.split(SEPARATOR)
        if len(parts) != 3 or not parts[1]:
            raise ValueError("malformed cursor")
        moment_text, trail, tiebreak_text = parts
        numbers = tiebreak_text.split(TIEBREAK_SEPARATOR)
        if not all(n.isdigit() and len(n) <= 18 for n in numbers):
            raise ValueError("malformed cursor tiebreak")
        moment = parse_datetime(moment_text)  # raises ValueError for impossible dates
        if moment is None or moment.tzinfo is None:
            raise ValueError("malformed cursor time")
        return cls(moment, trail, tuple(int(n) for n in numbers))


def beyond(
    cursor: Position,
    prefix: tuple[str, tuple[int, ...]],
    *,
    older: bool,
    time_field: str,
    pk_field: str,
) -> Q:
    """The rows of one table strictly beyond ``cursor`` (older, or newer) in merged order.

    The table's entries have the position ``(time, trail, tiebreak + (pk,))`` for the
    fixed ``prefix = (trail, tiebreak)``. Against the cursor's own prefix, a table that
    sorts before it keeps the cursor's instant on the older side, one that sorts after it
    does not, and the cursor's own table compares by key as :func:`activity.pagination`
    does (a range on the time column first, so the time index is scanned).
    """
    own = (cursor.trail, cursor.tiebreak[: len(prefix[1])])
    time = cursor.time
    if prefix < own:
        return Q(**{f"{time_field}__lte": time}) if older else Q(**{f"{time_field}__gt": time})
    if prefix > own:
        return Q(**{f"{time_field}__lt": time}) if older else Q(**{f"{time_field}__gte": time})
    pk = cursor.tiebreak[len(prefix[1])] if len(cursor.tiebreak) > len(prefix[1]) else 0
    if older:
        return Q(**{f"{time_field}__lte": time}) & (
            Q(**{f"{time_field}__lt": time}) | Q(**{f"{pk_field}__lt": pk})
        )
    return Q(**{f"{time_field}__gte": time}) & (
        Q(**{f"{time_field}__gt": time}) | Q(**{f"{pk_field}__gt": pk})
    )
