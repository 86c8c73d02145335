"""The free-text search ``q`` through the index, with ``icontains``'s exact meaning.

The FilterSet's ``q`` filter stays what defines a match: ``object_repr`` or
``change_message`` contains the needle, ignoring case (``icontains``). This module only
narrows the rows that filter has to look at, and never changes what it returns:

- **PostgreSQL**: the GIN trigram indexes are on the expression Django's ``icontains``
  compiles to, so the planner uses them for that very SQL, and chooses by its estimates
  between them (a rare needle) and a newest-first scan that stops after a page (a common
  one). But the index reads every trigram's list of rows, and in "Object 12345" ``OBJ``,
  ``BJE``, ``JEC``... are in every row: 177 ms on ten million rows, where ``%2345%``
  alone takes 2 ms. So, as on SQLite below, the needle's runs of rarer trigrams (in
  fewer than 2% of the rows by the statistics the planner estimates from, which are
  close for common trigrams and not for rare ones) find the ids of a superset
  of its rows, up to :data:`IDS_CAP`, and the queries of the request take them as one
  array parameter, ``icontains`` rechecking. A needle without a rare trigram is left to
  the planner.
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

  The index is not asked for the needle as one phrase when some of its trigrams are
  rare. FTS5 walks every trigram's list of rows, and in "Object 1234" ``obj``, ``bje``
  and ``ect`` are in every row: the phrase costs 30–65 ms on a million rows. The rows
  that contain the needle contain each of its pieces, so any of them, or several joined
  by ``AND``, finds a superset of its rows, which ``icontains`` rechecks as it does the
  phrase's. :meth:`TextSearch.expression` counts each trigram's rows, up to each of
  :data:`RARE_CAPS` in turn (a tenth of a millisecond per thousand rows, one statement
  per cap), and asks for the runs of the trigrams under the first cap any of them is
  under, as phrases: ``"1234"`` (566 rows, 1 ms) instead of ``"Object 1234"`` (530
  rows, 30 ms). A needle without a rare trigram stays one phrase.

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
from django.db.models import Q, QuerySet
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
#: A trigram in fewer rows than one of these is rare enough to find the needle's rows
#: by. The second is only counted to when no trigram is under the first: counting to
#: 10,000 costs 1–2 ms per trigram, and most needles have one under 1,000.
RARE_CAPS = (1_000, 10_000)
#: On PostgreSQL, a trigram the planner expects in this share of the rows is common:
#: "OBJ" in "Object 12345" (every row), " 12" (5%), not "123" (1%).
PG_COMMON_SHARE = 0.02
#: Shares of the rows are estimated in millionths.
PPM = 1_000_000
#: The statistics of the indexed expressions (``UPPER(column)``), by index name.
STATS_SQL = (
    "SELECT most_common_vals::text::text[], most_common_freqs, "
    "histogram_bounds::text::text[], null_frac FROM pg_stats WHERE tablename = ANY(%s)"
)
#: Trigrams counted per needle, at most (spread over a longer needle).
MAX_TRIGRAMS = 24

#: The probe's ids, given as a JSON list (SQLite's JSON functions are built in from 3.38;
#: without them the index is asked again).
IDS_SQL = "SELECT value FROM json_each(%s)"
#: The same on PostgreSQL: one array parameter.
PG_IDS_SQL = "SELECT unnest(%s::bigint[])"

INDEX = "index"
SCAN = "scan"
SHORT = "short"
UNINDEXED = "unindexed"


def fts_phrase(needle: str) -> str:
    """The needle as one FTS5 phrase: in double quotes, with each ``"`` doubled. Inside a
    phrase nothing else is syntax (``*``, ``-``, ``AND``, ``:`` are plain text)."""
    return '"' + needle.replace('"', '""') + '"'


def trigram_starts(needle: str) -> list[int]:
    """Where the needle's trigrams start, every one for a short needle, else
    :data:`MAX_TRIGRAMS` of them spread from its first to its last."""
    last = len(needle) - 3
    if last < 0:
        return []
    if last < MAX_TRIGRAMS:
        return list(range(last + 1))
    return sorted({round(i * last / (MAX_TRIGRAMS - 1)) for i in range(MAX_TRIGRAMS)})


class TextSearch:
    """One request's needle: how it is searched, and the rows it narrows to."""

    def __init__(self, needle: str, using: str) -> None:
        self.needle = needle
        self.using = using

    @property
    def short(self) -> bool:
        return len(self.needle) < MIN_LENGTH

    @cached_property
    def pieces(self) -> list[str]:
        """The parts of the needle the index is asked for: its runs of rare trigrams, or
        the needle itself when it has no rare trigram (or a single trigram)."""
        starts = trigram_starts(self.needle)
        if len(starts) < 2:
            return [self.needle]
        keys = {start: self.needle[start : start + 3].lower() for start in starts}
        distinct = list(dict.fromkeys(keys.values()))
        for cap in self._caps():
            rows = self._trigram_rows(distinct, cap)
            rare = [start for start in starts if rows[keys[start]] < cap]
            if rare:
                break
        else:
            return [self.needle]
        runs: list[list[int]] = []
        for start in rare:
            if runs and start == runs[-1][-1] + 1:
                runs[-1].append(start)
            else:
                runs.append([start])
        return [self.needle[run[0] : run[-1] + 3] for run in runs]

    @property
    def expression(self) -> str:
        """The FTS5 query of :attr:`pieces`: each one a phrase, joined by ``AND``."""
        return " AND ".join(map(fts_phrase, self.pieces))

    def _caps(self) -> tuple[int, ...]:
        """Fewer rows than one of these make a trigram rare (:data:`RARE_CAPS`). On
        PostgreSQL, in millionths of the rows: a trigram is common in
        :data:`PG_COMMON_SHARE` of them or more (reading a list of rows that long costs
        more than the recheck of the superset it saves)."""
        if connections[self.using].vendor == "postgresql":
            return (int(PG_COMMON_SHARE * PPM),)
        return RARE_CAPS

    def _trigram_rows(self, trigrams: list[str], cap: int) -> dict[str, int]:
        """How many rows hold each trigram: on SQLite counted up to ``cap``, in one
        statement; on PostgreSQL estimated (:meth:`_estimates`)."""
        connection = connections[self.using]
        if connection.vendor == "postgresql":
            return self._estimates(tuple(trigrams))
        fts = connection.ops.quote_name(textindex.FTS_TABLE)
        count = f"(SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH %s LIMIT %s))"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join([count] * len(trigrams)),
                [value for trigram in trigrams for value in (fts_phrase(trigram), cap)],
            )
            return dict(zip(trigrams, cursor.fetchone(), strict=True))

    def _estimates(self, trigrams: tuple[str, ...]) -> dict[str, int]:
        """In how many millionths of the rows each trigram is, by the sample ANALYZE
        keeps of each indexed expression (its most common values and their frequencies,
        and its histogram), read in one query: what the planner estimates ``LIKE`` from.
        Close for common trigrams, the ones to leave out; 0 without statistics."""
        samples = []
        with connections[self.using].cursor() as cursor:
            cursor.execute(STATS_SQL, [list(textindex.TRIGRAM_INDEX_NAMES.values())])
            for values, freqs, bounds, null_frac in cursor.fetchall():
                samples.append((values or [], freqs or [], bounds or [], null_frac or 0.0))
        shares = {}
        for trigram in trigrams:
            needle = trigram.upper()  # the indexes are on UPPER(column)
            outside = 1.0
            for values, freqs, bounds, null_frac in samples:
                share = sum(f for v, f in zip(values, freqs, strict=False) if needle in v)
                if bounds:
                    rest = max(0.0, 1.0 - null_frac - sum(freqs))
                    share += rest * sum(needle in bound for bound in bounds) / len(bounds)
                outside *= 1.0 - min(share, 1.0)
            shares[trigram] = round((1.0 - outside) * PPM)
        return shares

    def _containing(self, pieces: list[str]) -> QuerySet[LogEntry]:
        """Rows whose name or change message contains every piece (``icontains``, the
        expression PostgreSQL's trigram indexes are built on)."""
        queryset = LogEntry.objects.using(self.using)
        for piece in pieces:
            queryset = queryset.filter(
                Q(object_repr__icontains=piece) | Q(change_message__icontains=piece)
            )
        return queryset

    @cached_property
    def ids(self) -> list[int] | None:
        """The ids of the rows the index finds for :attr:`pieces`, up to
        ``PROBE_CAP + 1`` of them; ``None`` when the search does not go through them: no
        index, or on PostgreSQL a needle without a rare trigram (its planner then
        chooses between the indexes and a newest-first scan, as for any query)."""
        connection = connections[self.using]
        if self.short:
            return None
        if connection.vendor == "postgresql":
            if not textindex.pg_index_ready(connection) or self.pieces == [self.needle]:
                return None
            probe = self._containing(self.pieces).order_by().values_list("pk", flat=True)
            return list(probe[: PROBE_CAP + 1])
        if connection.vendor != "sqlite":
            return None
        try:
            if not textindex.sqlite_index_ready(connection):
                return None
            with connection.cursor() as cursor:
                cursor.execute(f"{self._ids_sql()} LIMIT %s", [self.expression, PROBE_CAP + 1])
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
        if vendor == "postgresql" and (self.matches is None or self.matches <= IDS_CAP):
            return INDEX  # by the probe's ids, or as the planner chooses
        if self.matches is None:
            return UNINDEXED
        return INDEX if self.matches <= IDS_CAP else SCAN

    def narrow(self, queryset: QuerySet[LogEntry], *, ids_cap: int = IDS_CAP) -> QuerySet[LogEntry]:
        """``queryset`` (already filtered by ``icontains``) limited to the index's ids,
        when it has at most ``ids_cap`` of them; otherwise unchanged."""
        if self.ids is None or len(self.ids) > ids_cap:
            return queryset
        if connections[self.using].vendor == "postgresql":
            return queryset.filter(pk__in=RawSQL(PG_IDS_SQL, [self.ids]))  # noqa: S611
        if not connections[self.using].features.supports_json_field:
            # A SQLite without its JSON functions: the index is asked again.
            return queryset.filter(pk__in=RawSQL(self._ids_sql(), [self.expression]))  # noqa: S611
        # The ids the probe read, as one JSON parameter: the SQL around it is constant.
        return queryset.filter(pk__in=RawSQL(IDS_SQL, [json.dumps(self.ids)]))  # noqa: S611

    def _ids_sql(self) -> str:
        """The ids of the rows the index finds for one parameter, the phrase."""
        fts = connections[self.using].ops.quote_name(textindex.FTS_TABLE)
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608
