"""How many rows match, without a full ``COUNT(*)`` in the request path.

Counting every matching row of a million-row table takes longer than showing the first
page of it. The console counts at most :data:`COUNT_CAP` + 1 rows (a ``LIMIT`` inside the
count, cheap on the ``(action_time, id)`` index) and says "more than 10,000" beyond that.
On PostgreSQL it adds the planner's estimate for the whole result, which costs a plan,
not a scan ("about 1,204,000").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet

COUNT_CAP = 10_000


@dataclass(frozen=True)
class ResultCount:
    #: The exact count when ``exact``; otherwise the cap that was exceeded.
    value: int
    exact: bool
    #: PostgreSQL's estimate of the full count, when inexact and available.
    estimate: int | None = None


def count_results(queryset: QuerySet[Any], cap: int | None = None) -> ResultCount:
    cap = COUNT_CAP if cap is None else cap
    bounded = queryset.order_by()[: cap + 1].count()
    if bounded <= cap:
        return ResultCount(bounded, exact=True)
    return ResultCount(cap, exact=False, estimate=planner_estimate(queryset))


def planner_estimate(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's row estimate for ``queryset`` (``EXPLAIN``, nothing executed)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    # psycopg decodes the json column; the value is the plan's list of one root node.
    return int(plan[0]["Plan"]["Plan Rows"])
