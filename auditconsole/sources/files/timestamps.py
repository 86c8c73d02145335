"""Timestamps in the shapes Python log formatters write them.

``logging``'s ``asctime`` writes ``2026-04-04 12:34:56,789`` (local time, no zone);
python-json-logger and django-activity-audit write the same with a dot; structlog's
``TimeStamper(fmt="iso")`` writes ``2026-04-04T12:34:56.789123Z``; Elastic-style
``@timestamp`` carries an offset; some formatters write epoch seconds (``ts``).
``datetime.fromisoformat`` (Python 3.11+) accepts all the string forms; what it returns
naive is read in the source's configured zone, because that is how the writer meant it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

# Epoch numbers above this are milliseconds (year 2286 in seconds): JS-style writers.
_MILLIS_THRESHOLD = 10_000_000_000
# fromisoformat accepts a bare date and a few odd forms; a log time needs at least this.
_MIN_LENGTH = 10
_MAX_LENGTH = 64
_NUMBERS = (int, float)
_STRPTIME_FORMATS: tuple[str, ...] = ("%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y %H:%M:%S")


def parse_timestamp(value: Any, naive_zone: tzinfo | None) -> datetime | None:
    """An aware datetime for ``value``, or ``None`` when it is not a time we recognise.

    ``naive_zone=None`` leaves a time written without a zone naive (the facets' tallies
    put it in the zone once per minute, not once per line)."""
    if type(value) is not str:  # exact type check first: this runs once per record
        if isinstance(value, bool) or not isinstance(value, _NUMBERS):
            return None
        return from_epoch(float(value))
    text = value.strip()
    parsed: datetime | None = None
    if _MIN_LENGTH <= len(text) <= _MAX_LENGTH:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None:
        parsed = _epoch_string(text)
        if parsed is None:
            return None
    if parsed.tzinfo is None and naive_zone is not None:
        return parsed.replace(tzinfo=naive_zone)
    return parsed


def from_epoch(seconds: float) -> datetime | None:
    if seconds != seconds or seconds < 0:  # NaN or before 1970: not a log time
        return None
    if seconds > _MILLIS_THRESHOLD:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _epoch_string(text: str) -> datetime | None:
    """Epoch seconds written as a string, or the ``[04/Apr/2026 12:34:56]`` forms."""
    try:
        number = float(text)
    except ValueError:
        return _strptime(text)
    return from_epoch(number)


def _strptime(text: str) -> datetime | None:
    # Django's runserver ("04/Apr/2026 12:34:56") and Apache/nginx common log format.
    for fmt in _STRPTIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
