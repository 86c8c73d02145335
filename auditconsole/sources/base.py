"""The log-source interface. Views, export and the live tail only ever talk to this.

A backend is configured like a Django cache::

    AUDITCONSOLE_LOG_SOURCES = {
        "app": {
            "BACKEND": "auditconsole.sources.files.FileSource",
            "LABEL": "Application",
            "PERMISSION": None,          # or "app_label.codename"
            "OPTIONS": {...},            # backend-specific
        },
    }

and subclasses :class:`LogSource`. A backend implements five methods: :meth:`~LogSource.files`,
:meth:`~LogSource.scan`, :meth:`~LogSource.get`, :meth:`~LogSource.around` and
:meth:`~LogSource.tail`, plus optionally :meth:`~LogSource.check_config`. Paging, budgets,
facets and export iteration (:meth:`~LogSource.page`, :meth:`~LogSource.iter_records`)
are built here on :meth:`~LogSource.scan`, so a remote log store only has to stream
records newest-first and say where to resume. See ``docs/sources.md``.

Every record a source returns is already redacted (:mod:`auditconsole.redaction`).
Cursor *states* are plain JSON-able values; views sign them with
:mod:`auditconsole.sources.cursor` before they go into a URL.
"""

from __future__ import annotations

import itertools
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core import checks

from auditconsole.conf import conf
from auditconsole.permissions import is_console_user
from auditconsole.sources import levels as level_numbers
from auditconsole.sources.cursor import State
from auditconsole.sources.query import Query
from auditconsole.sources.records import Record, RecordRef
from auditconsole.sources.scanning import Budget, Scan, ScanContext, ScanStats, reading, take
from auditconsole.sources.tails import TailResult

if TYPE_CHECKING:
    from auditconsole.sources.histogram import Histogram

#: Keys are used in URLs (``logs/<slug:key>/``); ``merged`` is the merged view's own URL.
KEY_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
RESERVED_KEYS = frozenset({"merged"})
_PERMISSION = re.compile(r"^[\w]+\.[\w]+$")
FACET_LIMIT = 15
#: Records looked at for a time by :meth:`LogSource.newest_time` (untimed lines are rare).
NEWEST_TIME_RECORDS = 51


@dataclass(frozen=True)
class FileInfo:
    """A file of a source, for the sources page. ``name`` is relative to its directory."""

    name: str
    stream: str
    size: int
    modified: datetime | None
    compressed: bool
    live: bool
    newest_time: datetime | None = None
    error: str | None = None


@dataclass
class Facets:
    levels: list[tuple[str, int]] = field(default_factory=list)
    loggers: list[tuple[str, int]] = field(default_factory=list)
    more_loggers: int = 0
    #: Counts per host, for backends that know a record's host (a log store); files don't.
    hosts: list[tuple[str, int]] = field(default_factory=list)
    #: Counted over everything the filters select (by a store), not over one page's scan.
    whole: bool = False
    #: The store stopped counting at its time limit: the counts are a lower bound.
    partial: bool = False
    #: Levels below the minimum, not counted: a byte prefilter skipped their lines unread.
    uncounted_levels: list[str] = field(default_factory=list)
    #: Only the loggers under the prefix were counted, for the same reason.
    other_loggers_uncounted: bool = False
    #: Records per time bucket, stacked by level (counted over the whole range).
    histogram: Histogram | None = None
    #: Said under the counts: how far a partial count got, files that could not be read.
    note: str = ""
    #: A partial count that asking again takes further (files keep what they counted).
    resumable: bool = False


@dataclass
class Page:
    """One page of a browse: newest first.

    ``cursor`` is the state to pass back for the next (older) page, or ``None`` at the
    end. ``budget_exhausted`` means the scan stopped on its time/byte budget before the
    page filled: ``cursor`` then continues the scan.
    """

    records: list[Record]
    cursor: State
    scanned_records: int
    scanned_bytes: int
    budget_exhausted: bool
    facets: Facets
    notices: list[str]
    elapsed: float


@dataclass
class Around:
    """A record and its neighbours, each list newest first (as the browse table reads)."""

    record: Record
    newer: list[Record]
    older: list[Record]

    @property
    def rows(self) -> list[Record]:
        return [*self.newer, self.record, *self.older]


class LogSource(ABC):
    """One configured source of log records."""

    #: Several sources read as one (:class:`~auditconsole.sources.merged.MergedSource`):
    #: its records come labelled with the source each is from.
    is_merged: bool = False
    #: Facets are counted by :meth:`count_facets` in a request of their own (a store's
    #: aggregate over everything selected), not from the page's scan: the browse page
    #: loads them apart, so its records never wait for the counts.
    facets_apart: bool = False

    def __init__(self, key: str, config: dict[str, Any]) -> None:
        self.key = key
        self.config = config
        self.label: str = str(config.get("LABEL") or key)
        self.permission: str | None = config.get("PERMISSION") or None
        self.options: dict[str, Any] = dict(config.get("OPTIONS") or {})
        #: Dotted field paths shown as extra columns when browsing.
        self.columns: tuple[str, ...] = tuple(self.options.get("columns") or ())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r}>"

    @property
    def scope(self) -> str:
        """What the cursors of this source's pages are signed for."""
        return self.key

    @property
    def member_keys(self) -> list[str]:
        """The configured sources this one reads: itself."""
        return [self.key]

    @property
    def url_kwargs(self) -> dict[str, str]:
        """How this source appears in the path of its pages: ``logs/<key>/``."""
        return {"key": self.key}

    @property
    def url_params(self) -> dict[str, list[str]]:
        """How it appears in their query string: not at all."""
        return {}

    # -- configuration ---------------------------------------------------------------

    @classmethod
    def check_config(cls, key: object, config: dict[str, Any]) -> list[checks.CheckMessage]:
        """System-check messages for this source's settings (see docs/sources.md).

        ``key`` is as configured: not necessarily a string."""
        messages: list[checks.CheckMessage] = []
        if not isinstance(key, str) or not KEY_PATTERN.match(key) or key in RESERVED_KEYS:
            messages.append(
                checks.Error(
                    f"Log source key {key!r} must be a slug (letters, digits, - and _) "
                    f"and not one of {sorted(RESERVED_KEYS)}.",
                    hint="The key is the source's URL: /logs/<key>/.",
                    id="auditconsole.E013",
                )
            )
        permission = config.get("PERMISSION")
        if permission is not None and (
            not isinstance(permission, str) or not _PERMISSION.match(permission)
        ):
            messages.append(
                checks.Error(
                    f"Log source {key!r}: PERMISSION must be None or 'app_label.codename', "
                    f"not {permission!r}.",
                    id="auditconsole.E011",
                )
            )
        options = config.get("OPTIONS", {})
        if not isinstance(options, dict):
            messages.append(
                checks.Error(f"Log source {key!r}: OPTIONS must be a dict.", id="auditconsole.E007")
            )
            return messages
        columns = options.get("columns", [])
        if (
            isinstance(columns, str)
            or not isinstance(columns, list | tuple)
            or not all(isinstance(c, str) and c for c in columns)
        ):
            messages.append(
                checks.Error(
                    f"Log source {key!r}: OPTIONS['columns'] must be a list of field names.",
                    id="auditconsole.E010",
                )
            )
        return messages

    def visible_to(self, user: Any) -> bool:
        """Whether ``user`` may see this source at all (the view also requires VIEW_LOGS)."""
        if not is_console_user(user):
            return False
        return self.permission is None or user.has_perm(self.permission)

    # -- what a backend implements -------------------------------------------------------

    @abstractmethod
    def files(self) -> list[FileInfo]:
        """The files (or partitions) behind the source, newest first, for the sources page."""

    @abstractmethod
    def scan(self, query: Query, cursor: State, ctx: ScanContext) -> Scan:
        """Records matching ``query``, newest first, from ``cursor`` (``None``: the newest).

        The scan reports every record it examined to ``ctx.stats.observe`` (facets), and
        stops early once ``ctx.budget`` is exhausted. Raise ``ValueError`` for a cursor
        state it does not understand.
        """

    @abstractmethod
    def get(self, ref: RecordRef) -> Record | None:
        """The record ``ref`` points at, or ``None`` if it is no longer there."""

    @abstractmethod
    def around(self, ref: RecordRef, count: int) -> Around | None:
        """The record and up to ``count`` unfiltered neighbours on each side."""

    @abstractmethod
    def tail(self, cursor: State = None, limit: int | None = None) -> TailResult:
        """Records appended since ``cursor`` (oldest first), or the last ``limit`` records
        when ``cursor`` is ``None``. Never loses or repeats a record across rotations."""

    # -- optional ------------------------------------------------------------------------

    def watch_paths(self) -> list[str]:
        """Directories whose changes may bring new records, for a pushed live tail.

        A process streaming the tail watches them (inotify, and a stat poll as the safety
        net) and calls :meth:`tail` when they change. Empty (the default, e.g. a remote
        store): the stream calls :meth:`tail` every ``TAIL_POLL_SECONDS`` instead, once for
        all the tabs following the source with the same filters.
        """
        return []

    # -- built on scan() -------------------------------------------------------------------

    def page(
        self,
        query: Query,
        cursor: State = None,
        limit: int | None = None,
        budget: Budget | None = None,
    ) -> Page:
        """Up to ``limit`` records older than ``cursor``, within the scan budget."""
        limit = limit or conf.PAGE_SIZE
        ctx = ScanContext(query=query, budget=budget or default_budget())
        scan = self.scan(query, cursor, ctx)
        records = take(scan, limit)
        next_cursor = scan.cursor
        stats = ctx.stats
        return Page(
            records=records,
            cursor=next_cursor,
            scanned_records=stats.records,
            scanned_bytes=stats.bytes,
            budget_exhausted=len(records) < limit and next_cursor is not None,
            facets=facets_from(stats, query),
            notices=list(stats.notices),
            elapsed=ctx.budget.elapsed,
        )

    def iter_records(self, query: Query) -> Iterator[Record]:
        """Every record matching ``query``, newest first, with no budget.

        Memory stays flat however many records match: this is what CSV export streams.
        """
        ctx = ScanContext(query=query, budget=Budget.unlimited(), stats=ScanStats(counting=False))
        yield from self.scan(query, None, ctx)

    def count_facets(self, query: Query) -> Facets:
        """The facets of everything ``query`` selects (backends with ``facets_apart``)."""
        raise NotImplementedError(f"{type(self).__name__} counts facets from its scans")

    def newest_time(self) -> datetime | None:
        """The time of the newest record that has one (for the sources page)."""
        ctx = ScanContext(query=Query(), budget=default_budget())
        with reading(self.scan(Query(), None, ctx)) as records:
            for record in itertools.islice(records, NEWEST_TIME_RECORDS):
                if record.time is not None:
                    return record.time
        return None


def default_budget() -> Budget:
    return Budget(conf.SCAN_BUDGET_SECONDS, conf.SCAN_BUDGET_BYTES)


def facets_from(stats: ScanStats, query: Query | None = None) -> Facets:
    """The page's facets; with ``query``, those a byte prefilter thinned out are cut to
    what was counted in full (see :attr:`ScanStats.partial_facets`)."""
    counts = dict(stats.levels)
    uncounted: list[str] = []
    minimum = query.min_level if query is not None else None
    if "levels" in stats.partial_facets and minimum is not None:
        # A few lines below the minimum may have been parsed (the prefilter errs towards
        # parsing): a partial count would mislead, so none is shown.
        counts = {
            name: count
            for name, count in counts.items()
            if (level_numbers.number_for_name(name) or 0) >= minimum
        }
        uncounted = [name for name, number in level_numbers.CANONICAL if number < minimum]
    # Levels read best in severity order; loggers by how often they appear.
    levels = sorted(
        counts.items(),
        key=lambda item: (level_numbers.number_for_name(item[0]) or 0, item[0]),
    )
    prefix = query.logger if query is not None else ""
    thinned = "loggers" in stats.partial_facets and bool(prefix)
    loggers = [
        (name, count)
        for name, count in stats.loggers.most_common()
        if not thinned or name.startswith(prefix)
    ]
    return Facets(
        levels=levels,
        loggers=loggers[:FACET_LIMIT],
        more_loggers=max(0, len(loggers) - FACET_LIMIT),
        uncounted_levels=uncounted,
        other_loggers_uncounted=thinned,
    )
