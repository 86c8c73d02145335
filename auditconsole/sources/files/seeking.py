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

import re
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


#: The longest tolerance zone :func:`later_than` reads; a longer one is read as before.
ZONE_MAX = 64 * 1024 * 1024
_TIME_KEYS = (b"time", b"timestamp", b"asctime", b"@timestamp", b"ts")
#: A JSON line opening with its time: ``{"time": "``, ``{"asctime":"`` ...
_TIME_FIRST = re.compile(rb'\{"(time|timestamp|asctime|@timestamp|ts)" ?: ?"')
#: An ISO time as writers print it: the part that orders, then an optional zone.
_ISO = re.compile(rb"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?)(Z|[+-]\d\d:?\d\d)?")


def later_than(opened: OpenedFile, start: int, end: int, moment: datetime) -> bool:
    """Whether every JSON line in ``[start, end)`` is a record newer than ``moment``,
    judged on its bytes without parsing it.

    The records past ``until`` within :data:`SKEW` are read only because a writer may
    lag; when this says none of them can be older, the scan need not read them (for a
    busy log, five minutes of records: most of a time window's cost). It answers ``True``
    only when it is sure: every line opens with the same time key and no line holds
    another (so that key is the one :meth:`~.parsing.Parser.json_time` reads), the times
    share one ISO layout and one zone suffix (so they order as strings), and the earliest
    is after ``moment``. Anything else answers ``False`` and the zone is read as before.
    """
    if end - start > ZONE_MAX or end <= start:
        return False
    data = opened.reader.read(start, end - start)
    newline = data.find(b"\n")
    opening = _TIME_FIRST.match(data, 0, newline if newline >= 0 else len(data))
    if opening is None:
        return False
    prefix, key = opening.group(0), opening.group(1)
    first_value = data[len(prefix) : data.find(b'"', len(prefix))]
    shape = _ISO.fullmatch(first_value)
    if shape is None:
        return False
    # Every line: the same opening, then a time of the first one's layout (digits where
    # it has digits, the same separators and zone), then the closing quote.
    # A zone must be the same on every line, or the strings do not order as times.
    layout = b"".join(
        rb"\d" if 48 <= byte <= 57 else re.escape(bytes([byte])) for byte in shape.group(1)
    ) + re.escape(shape.group(2) or b"")
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    values = re.findall(b"\n" + re.escape(prefix) + b"(" + layout + b')"', data)
    if len(values) != lines - 1 or re.match(re.escape(prefix) + layout + b'"', data) is None:
        return False
    # One time key per line, and it is the opening one.
    if data.count(b'"' + key + b'"') != lines or any(
        other != key and data.find(b'"' + other + b'"') >= 0 for other in _TIME_KEYS
    ):
        return False
    earliest = min(first_value, *values) if values else first_value
    when = opened.parser.json_time(b'{"time": "' + earliest + b'"}')
    return when is not None and when > moment
