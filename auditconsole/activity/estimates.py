"""Facet counts estimated from a sample of the log's pages, on PostgreSQL tables too large
to count on every click.

At ten million entries the facets' one ``GROUP BY`` over the rows matching the filters is a
parallel sequential scan of the whole table and a hash aggregate: 1.3 s on a 2-core machine,
for every facet fragment, however narrow the page's question. ``TABLESAMPLE SYSTEM``
reads a fixed share of the table's pages instead, chosen by PostgreSQL at random but
``REPEATABLE`` with one seed, so that reloading a page shows the same figures; each count
is then scaled by the table's rows over the rows those pages hold.

Estimates are made only when both the table and the rows the filters match are larger than
``AUDITCONSOLE_FACET_ESTIMATE_ROWS`` (by the planner's own estimate, read with ``EXPLAIN``,
which costs a millisecond): below that, counting exactly is fast enough, and exact counts
are what an auditor expects. SQLite has no ``TABLESAMPLE`` and always counts exactly. The
page says when its counts are estimates, and from what share of the table.

The sample is block-level: a value written in bursts (one bulk import on a few pages) is
estimated less precisely than one spread over the table. The shares that matter on a facet
(the large ones) are close; a value with few entries may be missed by the sample, and is
shown as "few" rather than as a count of 0. Ranges of time are the weak spot of a page
sample, and get the planner's estimate instead (:func:`range_counts`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, IntegerField, Model, Q, QuerySet, Value

from auditconsole.activity.counting import planner_estimate
from auditconsole.conf import conf

#: Rows of the table the sample holds, whatever its size: on ten million rows, every value
#: of the benchmark's facets came within 3.1% of its count, read in about 100 ms.
SAMPLE_ROWS = 150_000
#: Above this share of the table, sampling saves too little to be worth an estimate.
MAX_PERCENT = 50.0
#: One seed, so that the same table gives the same sample (and the same figures) each time.
SEED = 17
#: A date range the planner expects to hold at most this many rows is counted exactly,
#: estimates or not: a range of the ``(action_time, id)`` index.
EXACT_RANGE_ROWS = 100_000


@dataclass(frozen=True)
class Sample:
    """A share of the table's pages, counted in place of the whole table."""

    percent: float
    #: The table's rows, as PostgreSQL's statistics have them.
    table_rows: int
    #: Rows matching the filters, as the planner expects them.
    matching_rows: int
    #: The rows the sample's pages hold.
    rows_read: int

    @property
    def scale(self) -> float:
        # The table's rows over the sample's (a ratio estimate), not 100 / percent: the
        # pages drawn hold a few percent more or fewer rows than their share, an error
        # every count would carry (6% on the benchmark's ten million rows; 2% this way).
        return self.table_rows / self.rows_read if self.rows_read else 100.0 / self.percent

    def scaled(self, count: int) -> int:
        return round(count * self.scale)


def choose_sample(queryset: QuerySet[Any]) -> Sample | None:
    """The sample to count ``queryset``'s rows on, or ``None`` to count them exactly."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    threshold = conf.FACET_ESTIMATE_ROWS
    table_rows = table_size(queryset.model, queryset.db)
    if table_rows <= threshold:
        return None
    matching = planner_estimate(queryset) or 0
    if matching <= threshold:
        return None
    percent = 100.0 * SAMPLE_ROWS / table_rows
    if percent > MAX_PERCENT:
        return None
    # The rows the drawn pages hold, for the scale: every row of the table, unfiltered.
    ((rows_read,),) = _on_pages(_counted(queryset.model._base_manager.all()), percent)
    return Sample(percent, table_rows, matching, rows_read)


def table_size(model: type[Model], using: str) -> int:
    """The table's rows as the planner reckons them, without a scan: the rows per page
    of its statistics (``pg_class``, kept by autovacuum and ``ANALYZE``) times the pages
    the table has now, so that a table grown since it was last analysed is not
    undercounted. A table never analysed (``reltuples`` -1) reads as 0."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, relpages, pg_relation_size(oid) / current_setting('block_size')::int"
            " FROM pg_class WHERE oid = to_regclass(%s)",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return 0
    rows, pages, current_pages = float(row[0]), int(row[1]), int(row[2])
    if pages > 0:
        return round(rows / pages * current_pages)
    return round(rows)


def sampled_rows(queryset: QuerySet[Any], sample: Sample) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` (a ``values_list`` query, aggregates included) computed
    over ``sample`` of its table's pages, unscaled."""
    return _on_pages(queryset, sample.percent)


def _on_pages(queryset: QuerySet[Any], percent: float) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` over ``percent`` of its table's pages, the same pages
    every time.

    Django has no ``TABLESAMPLE``: the clause is written into the compiled SQL right after
    the main table in its ``FROM``. Everything inserted is ours (the quoted table name
    from the model, a number computed here); the filters' values stay bound parameters.
    """
    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    table = f"FROM {connection.ops.quote_name(queryset.model._meta.db_table)}"
    head, found, tail = sql.partition(table)
    if not found:  # pragma: no cover - Django always names the main table in the FROM
        raise ValueError(f"{table!r} is not in the query: it cannot be sampled.")
    with connection.cursor() as cursor:
        clause = f" TABLESAMPLE SYSTEM ({percent:.6f}) REPEATABLE ({SEED})"
        cursor.execute(f"{head}{table}{clause}{tail}", params)
        return list(cursor.fetchall())


def count(queryset: QuerySet[Any]) -> tuple[int, Sample | None]:
    """``queryset.count()``, or an estimate of it from a sample when
    :func:`choose_sample` picks one; and that sample."""
    sample = choose_sample(queryset)
    if sample is None:
        return queryset.count(), None
    ((rows,),) = sampled_rows(_counted(queryset), sample)
    return sample.scaled(rows), sample


def _counted(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset``'s count as a query of one row, which :func:`_on_pages` can sample:
    grouped by a constant, which Django leaves out of the GROUP BY."""
    counted: QuerySet[Any] = (
        queryset.order_by()
        .annotate(_all=Value(1, output_field=IntegerField()))
        .values("_all")
        .annotate(n=Count("*"))
        .values_list("n")
    )
    return counted


def range_counts(
    queryset: QuerySet[Any], starts: dict[str, datetime.datetime], estimate: bool
) -> tuple[dict[str, int], frozenset[str]]:
    """The rows of ``queryset`` at or after each of ``starts``, and which of those counts
    are estimates.

    Counted by one conditional aggregate over the range that holds them all, a range of
    the ``(action_time, id)`` index. With ``estimate`` (the facets beside them are
    estimated), a range the planner expects to hold more than :data:`EXACT_RANGE_ROWS`
    rows gets the planner's estimate instead. Not the page sample's: a day's rows sit on
    neighbouring pages, so a sample of pages meets few of them or many (on the benchmark's
    ten million rows, a 1.5% sample missed "today" by 70%), while the planner's histogram
    of ``action_time`` is at its best on a range (within 2-10% there).
    """
    estimated: dict[str, int] = {}
    if estimate:
        for key, start in starts.items():
            rows = planner_estimate(queryset.filter(action_time__gte=start)) or 0
            if rows > EXACT_RANGE_ROWS:
                estimated[key] = rows
    exact = {key: start for key, start in starts.items() if key not in estimated}
    counts = dict(estimated)
    if exact:
        counts.update(
            queryset.filter(action_time__gte=min(exact.values())).aggregate(
                **{
                    key: Count("pk", filter=Q(action_time__gte=start))
                    for key, start in exact.items()
                }
            )
        )
    return counts, frozenset(estimated)
