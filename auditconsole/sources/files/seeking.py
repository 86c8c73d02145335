"""Seeking by time in a plain file: a binary search over byte offsets.

Browsing "until 12:00" or "the last hour" of a large log must not read it all from the
end. Log files are written in time order, give or take :data:`SKEW`, so the first record
at or after a time can be found by probing the middle of a byte range, reading forward to
the first timed record there, and halving. ``.gz`` files cannot be seeked cheaply and are
read whole instead.

A file whose writers drift further apart than that (a worker whose clock is off, lines
buffered for minutes) breaks the assumption. The probes notice when two of them disagree
(a later offset holding a time earlier by more than :data:`SKEW`) and raise
:class:`OutOfOrder`: the caller then reads the whole file, and says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from auditconsole.sources.files.forward import iter_forward_records
from auditconsole.sources.files.opening import OpenedFile

#: Files are assumed to be in time order within this much, when seeking by time. Lines
#: from several processes interleave slightly out of order; more than this is unusual.
SKEW = timedelta(minutes=5)
#: Ranges smaller than this are read through rather than halved; also how far a probe
#: reads to find a timed record.
SEEK_PROBE = 64 * 1024


class OutOfOrder(Exception):
    """Two probes of a file found its times out of order by more than :data:`SKEW`."""


def seek_time(
    opened: OpenedFile,
    target: datetime,
    low: int,
    high: int,
    *,
    unknown: Literal["low", "high"],
) -> int:
    """The first record start in ``[low, high)`` whose time is ``>= target`` (else ``high``).

    Callers add :data:`SKEW` to ``target``. Where no time can be read the search gives up
    and answers ``low`` or ``high`` as ``unknown`` says: whichever keeps every record in
    the part that will be read, which only means reading more than necessary. Raises
    :class:`OutOfOrder` when the probes show the file is not in time order.
    """
    probes: list[tuple[int, datetime]] = []
    # Whether a record older than ``target`` was seen: only that makes the lines before
    # the answer older. Without one, "low" keeps them (a rotation opening with blank or
    # untimed lines), and a floor above them would end the scan of older files.
    older = False
    while high - low > SEEK_PROBE:
        middle = (low + high) // 2
        found = _first_timed(opened, middle, high)
        if found is None:
            return low if unknown == "low" else high
        start, after, when = found
        _check_order(probes, start, when)
        if when >= target:
            high = start
        else:
            low = after
            older = True
    keep = older or unknown == "high"
    for record in iter_forward_records(opened, low, high):
        if record.time is not None:
            if record.time >= target:
                return record.offset if keep else low
            keep = True
    return high if keep else low


def _check_order(probes: list[tuple[int, datetime]], offset: int, when: datetime) -> None:
    for other_offset, other in probes:
        earlier, later = (other, when) if other_offset < offset else (when, other)
        if earlier - later > SKEW:
            raise OutOfOrder
    probes.append((offset, when))


def _first_timed(opened: OpenedFile, position: int, high: int) -> tuple[int, int, datetime] | None:
    # The line containing ``position`` is skipped: ``position`` is past the first line.
    window = opened.reader.read(position - 1, SEEK_PROBE)
    newline = window.find(b"\n")
    if newline < 0:
        return None
    position = position + newline
    stop = min(high, position + SEEK_PROBE)
    for record in iter_forward_records(opened, position, stop, hold_partial=True):
        if record.time is not None and not record.malformed:
            return record.offset, record.end, record.time
    return None
