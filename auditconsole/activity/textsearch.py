"""The free-text search ``q`` through the index, with ``icontains``'s exact meaning.

The FilterSet's ``q`` filter stays what defines a match: ``object_repr`` or
``change_message`` contains the needle, ignoring case (``icontains``). This module only
narrows the rows that filter has to look at, and never changes what it returns:

- **PostgreSQL**: nothing to do here. The GIN trigram indexes are on the expression
  Django's ``icontains`` compiles to, so the planner uses them for that very SQL, and
  chooses by its estimates between them (a rare needle) and a newest-first scan that
  stops after a page (a common one).
- **SQLite**: ``LIKE`` cannot use the FTS5 table; ``MATCH`` can. The needle, as one quoted
  phrase, finds the ids of the rows that contain it (trigram matching ignores the case of
  every letter, ``LIKE`` only of ASCII ones: the index finds a superset, and the
  ``icontains`` filter, still applied, rechecks it). SQLite then reads those rows by id,
  whatever their number, and sorts them, so a quick capped probe (how many rows match,
  counted up to :data:`PROBE_CAP` in the index: about a millisecond per 10,000) picks
  per request:

  - few matches (:data:`IDS_CAP`): ids from the index, for the page and everything else.
    The probe reads the ids themselves (up to :data:`PROBE_CAP`), and the queries of the
    request take them as a JSON list (``json_each``) rather than asking the index again:
    a phrase whose trigrams are common ("Object 1234") costs tens of milliseconds per
    ``MATCH``, and a page used to run three;
  - many: the newest-first scan, which fills a page after reading about ``N / matches``
    rows per row shown, and needs no ids. The count, which wants up to 10,001 rows,
    still takes the ids up to :data:`COUNT_IDS_CAP` matches.

- Needles under :data:`MIN_LENGTH` characters have no trigram: both databases scan, as
  before, and the page says so; :class:`~auditconsole.activity.budget.query_budget` stops
  the scan after :data:`SHORT_NEEDLE_BUDGET_SECONDS`.
- Without the index (another database, SQLite without FTS5's trigram tokenizer, triggers
  lost with a table rebuild: see :mod:`auditconsole.activity.textindex`) the search scans,
  as before, and a system check says why.
"""

from __future__ import annotations

import json
from functools import cached_property

from django.contrib.admin.models import LogEntry
from django.db import DatabaseError, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from auditconsole.activity import textindex

#: Trigrams need three characters; shorter needles cannot use either index.
MIN_LENGTH = 3
#: How long the queries of a page may scan for a needle the index cannot serve.
SHORT_NEEDLE_BUDGET_SECONDS = 2.0
#: Up to this many matches, rows come by id from the index; beyond, by newest-first scan.
IDS_CAP = 10_000
#: The same for the capped count, which needs 10,001 rows rather than a page.
COUNT_IDS_CAP = 50_000
PROBE_CAP = COUNT_IDS_CAP

#: The probe's ids, given as a JSON list (SQLite's JSON functions are built in from 3.38;
#: without them the index is asked again).
IDS_SQL = "SELECT value FROM json_each(%s)"

INDEX = "index"
SCAN = "scan"
SHORT = "short"
UNINDEXED = "unindexed"


def fts_phrase(needle: str) -> str:
    """The needle as one FTS5 phrase: in double quotes, with each ``"`` doubled. Inside a
    phrase nothing else is syntax (``*``, ``-``, ``AND``, ``:`` are plain text)."""
    return '"' + needle.replace('"', '""') + '"'


class TextSearch:
    """One request's needle: how it is searched, and the rows it narrows to."""

    def __init__(self, needle: str, using: str) -> None:
        self.needle = needle
        self.using = using

    @property
    def short(self) -> bool:
        return len(self.needle) < MIN_LENGTH

    @cached_property
    def ids(self) -> list[int] | None:
        """The ids of the rows the SQLite index finds, up to ``PROBE_CAP + 1`` of them;
        ``None`` when the search does not go through it (PostgreSQL's planner decides
        there)."""
        connection = connections[self.using]
        if self.short or connection.vendor != "sqlite":
            return None
        try:
            if not textindex.sqlite_index_ready(connection):
                return None
            with connection.cursor() as cursor:
                cursor.execute(
                    f"{self._ids_sql()} LIMIT %s",
                    [fts_phrase(self.needle), PROBE_CAP + 1],
                )
                return [row[0] for row in cursor.fetchall()]
        except DatabaseError:
            # A SQLite built without FTS5 reading a database made with it: scan.
            return None

    @property
    def matches(self) -> int | None:
        """Rows the SQLite index finds, counted up to ``PROBE_CAP + 1``; ``None`` when
        the search does not go through it."""
        return None if self.ids is None else len(self.ids)

    @property
    def method(self) -> str:
        """``index``, ``scan`` (many matches, SQLite), ``short`` or ``unindexed``."""
        if self.short:
            return SHORT
        vendor = connections[self.using].vendor
        if vendor == "postgresql":
            return INDEX
        if self.matches is None:
            return UNINDEXED
        return INDEX if self.matches <= IDS_CAP else SCAN

    def narrow(self, queryset: QuerySet[LogEntry], *, ids_cap: int = IDS_CAP) -> QuerySet[LogEntry]:
        """``queryset`` (already filtered by ``icontains``) limited to the index's ids,
        when it has at most ``ids_cap`` of them; otherwise unchanged."""
        if self.ids is None or len(self.ids) > ids_cap:
            return queryset
        if not connections[self.using].features.supports_json_field:
            # A SQLite without its JSON functions: the index is asked again.
            return queryset.filter(pk__in=RawSQL(self._ids_sql(), [fts_phrase(self.needle)]))  # noqa: S611
        # The ids the probe read, as one JSON parameter: the SQL around it is constant.
        return queryset.filter(pk__in=RawSQL(IDS_SQL, [json.dumps(self.ids)]))  # noqa: S611

    def _ids_sql(self) -> str:
        """The ids of the rows the index finds for one parameter, the phrase."""
        fts = connections[self.using].ops.quote_name(textindex.FTS_TABLE)
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608
