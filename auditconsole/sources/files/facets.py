"""A file source's facets and volume histogram over the whole range a query selects.

Two ways to count, both ending in :func:`summarise`:

* **Tallies** (the query filters on level, logger and time only): each file's kept
  per-minute counts (:mod:`.tally`) are summed. Minutes wholly inside the range come from
  the tallies; the minute at each end of a range that does not fall on a whole minute is
  read record by record, so the counts are those of the exact range. A first count reads
  the files newest first within the scan budget and keeps what it read, so asking again
  goes on where it stopped; a second look at the same files reads nothing but the live
  file's new bytes.
* **A scan** (text or ``field=value`` filters, which a tally cannot answer): the records
  the filters select, newest first, within the scan budget, counted as they come.

Level and logger filters are applied here, not by the reading, so each facet counts with
the *other* filters applied (as the admin's do).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone

from auditconsole.conf import conf
from auditconsole.sources import levels as level_numbers
from auditconsole.sources.base import FACET_LIMIT, Facets
from auditconsole.sources.files.tally import Key, cached_tally, count_file, record_key
from auditconsole.sources.histogram import Histogram
from auditconsole.sources.query import Query
from auditconsole.sources.scanning import Budget, ScanContext, ScanStats, reading

if TYPE_CHECKING:
    from auditconsole.sources.files.source import FileSource

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE_US = 60_000_000
_MICROSECOND = timedelta(microseconds=1)


def count_facets(source: FileSource, query: Query, budget: Budget) -> Facets:
    if query.text or query.fields:
        return _scanned(source, query, budget)
    return _tallied(source, query, budget)


# -- from the tallies ---------------------------------------------------------------------------


def _fingerprint(source: FileSource) -> Hashable:
    """What a file's tally depends on besides the file: how its records are read."""
    return (source.format, str(source.zone), source.patterns, conf.MAX_LINE_BYTES)


def _tallied(source: FileSource, query: Query, budget: Budget) -> Facets:
    fingerprint = _fingerprint(source)
    reader = source.record_reader()
    parts: list[Counter[Key]] = []
    notices: list[str] = []
    total = counted = 0
    unfinished = False
    for stream in source.discover().streams:
        for log_file in stream.files:  # newest first: the newest are counted first
            key = (fingerprint, log_file.dev, log_file.ino)
            tally = cached_tally(key, log_file)
            if tally is not None:
                parts.append(tally.counts)
                total += tally.end
                counted += tally.end
                continue
            if budget.exhausted:
                unfinished = True
                total += log_file.size
                continue
            try:
                with reader.open(stream, log_file) as opened:
                    found = count_file(key, opened, budget)
            except OSError as exc:
                notices.append(f"{log_file.name} could not be read: {exc.strerror or exc}.")
                continue
            parts.extend((found.tally.counts, found.extra))
            total += found.total_bytes
            counted += found.counted_bytes
            unfinished = unfinished or not found.finished
    entries: list[tuple[Key, int]] = [
        item for part in parts for item in _in_range(part.items(), query)
    ]
    for low, high in _edges(query):
        edge = Query(since=low, until=high)
        edge_counts: Counter[Key] = Counter(record_key(r) for r in source.iter_records(edge))
        entries.extend(edge_counts.items())
    facets = summarise(entries, query)
    if unfinished:
        facets.partial = facets.resumable = True
        notices.insert(
            0,
            f"Counted {filesizeformat(counted)} of {filesizeformat(total)} so far, the newest "
            "files first; load the counts again to go on from there.",
        )
    facets.note = " ".join(notices)
    return facets


def _microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _full_minutes(query: Query) -> tuple[int | None, int | None]:
    """The first and last epoch minutes wholly inside the query's range (``None``: open)."""
    first = last = None
    if query.since is not None:
        first = -(-_microseconds(query.since) // _MINUTE_US)
    if query.until is not None:
        last = (_microseconds(query.until) + 1) // _MINUTE_US - 1
    return first, last


def _in_range(items: Iterable[tuple[Key, int]], query: Query) -> Iterable[tuple[Key, int]]:
    """The counts of the minutes wholly inside the range; untimed records when there is
    none (a time filter never matches a record without a time)."""
    if query.since is None and query.until is None:
        yield from items
        return
    first, last = _full_minutes(query)
    for key, count in items:
        minute = key[0]
        if minute is None:
            continue
        if (first is None or minute >= first) and (last is None or minute <= last):
            yield key, count


def _edges(query: Query) -> list[tuple[datetime, datetime]]:
    """The parts of the range in minutes it covers only partly, to read record by record."""
    since, until = query.since, query.until
    if since is None and until is None:
        return []
    first, last = _full_minutes(query)
    edges: list[tuple[datetime, datetime]] = []
    if since is not None and _microseconds(since) % _MINUTE_US:
        end = _EPOCH + timedelta(minutes=first or 0) - _MICROSECOND
        edges.append((since, end if until is None else min(end, until)))
    if until is not None and (_microseconds(until) + 1) % _MINUTE_US:
        start = _EPOCH + timedelta(minutes=(last or 0) + 1)
        low = start if since is None else max(start, since)
        if not edges or low > edges[0][1]:
            edges.append((low, until))
    return [(low, high) for low, high in edges if low <= high]


# -- from a scan -----------------------------------------------------------------------------------


def _scanned(source: FileSource, query: Query, budget: Budget) -> Facets:
    """Count what the text and field filters select, newest first, within ``budget``."""
    unfiltered = dataclasses.replace(query, min_level=None, level_name="", logger="")
    ctx = ScanContext(query=unfiltered, budget=budget, stats=ScanStats(counting=False))
    scan = source.scan(unfiltered, None, ctx)
    counts: Counter[Key] = Counter()
    oldest: datetime | None = None
    with reading(scan) as records:
        for record in records:
            counts[record_key(record)] += 1
            if record.time is not None and (oldest is None or record.time < oldest):
                oldest = record.time
    facets = summarise(counts.items(), query)
    notes = list(ctx.stats.notices)
    if scan.cursor is not None:
        facets.partial = True
        reached = (
            f" back to {formats.date_format(timezone.localtime(oldest), 'DATETIME_FORMAT')}"
            if oldest is not None
            else ""
        )
        notes.insert(
            0,
            f"The text and field filters need every record read: counted{reached}, as far "
            "as the scan budget went.",
        )
    facets.note = " ".join(notes)
    return facets


# -- the sums -------------------------------------------------------------------------------------


def summarise(entries: Iterable[tuple[Key, int]], query: Query) -> Facets:
    """The facets and histogram of counts already limited to the query's range.

    A facet counts with the other filters applied: levels with the logger filter, loggers
    with the minimum level, the histogram with both.
    """
    minimum, prefix = query.min_level, query.logger
    levels: Counter[str] = Counter()
    loggers: Counter[str] = Counter()
    matching: Counter[tuple[int, str]] = Counter()
    for (minute, levelno, level, logger), count in entries:
        level_ok = minimum is None or levelno >= minimum
        logger_ok = not prefix or logger.startswith(prefix)
        if logger_ok:
            levels[level] += count
        if level_ok:
            loggers[logger] += count
        if level_ok and logger_ok and minute is not None:
            matching[(minute, level)] += count
    ranked = loggers.most_common()
    facets = Facets(
        levels=sorted(
            ((name, count) for name, count in levels.items() if count),
            key=lambda item: (level_numbers.number_for_name(item[0]) or 0, item[0]),
        ),
        loggers=ranked[:FACET_LIMIT],
        more_loggers=max(0, len(ranked) - FACET_LIMIT),
        whole=True,
    )
    facets.histogram = _histogram(matching, query)
    return facets


def _histogram(matching: Counter[tuple[int, str]], query: Query) -> Histogram | None:
    if not matching:
        return None
    minutes = [minute for minute, _ in matching]
    low = query.since or _EPOCH + timedelta(minutes=min(minutes))
    high = query.until or _EPOCH + timedelta(minutes=max(minutes) + 1) - _MICROSECOND
    histogram = Histogram.spanning(low, max(low, high))
    for (minute, level), count in matching.items():
        histogram.add(minute, level, count)
    return histogram
