"""One user's newest history rows on SQLite: along the time index when the user is busy."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditconsole.activity.scoping import Scope
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.simple_history import SimpleHistoryTrail
from auditconsole.trails.timescan import by_user, table_rows
from tests.activity.entries import NOW
from tests.trailapp.models import Supplier

HISTORY: Any = Supplier.history.model  # type: ignore[attr-defined]
WALKED = '+"trailapp_historicalsupplier"."history_user_id"'
ON_SQLITE = pytest.mark.skipif(connection.vendor != "sqlite", reason="a hint to SQLite's planner")


@pytest.fixture
def records(make_user) -> dict[str, Any]:
    """100 records: 60 by a busy user, 5 by a quiet one, the rest by a third, interleaved."""
    busy, quiet, other = make_user("busy"), make_user("quiet"), make_user("other")
    rows = []
    for n in range(100):
        user = busy if n % 5 < 3 else quiet if n % 20 == 3 else other
        rows.append(
            HISTORY(
                id=n % 7 + 1,
                name=f"Acme {n}",
                history_date=NOW - datetime.timedelta(minutes=n // 2),
                history_type="~",
                history_user=user,
            )
        )
    HISTORY.objects.bulk_create(rows)
    return {"busy": busy, "quiet": quiet, "other": other}


def newest(queryset: Any) -> list[int]:
    return list(queryset.order_by("-history_date", "-history_id").values_list("pk", flat=True))


def sql_of(queryset: Any) -> str:
    with CaptureQueriesContext(connection) as captured:
        newest(queryset)
    return captured.captured_queries[-1]["sql"]


def forget_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")


@ON_SQLITE
@pytest.mark.parametrize("analysed", [False, True])
def test_a_busy_user_is_read_along_the_time_index(records, analysed) -> None:
    forget_statistics()
    if analysed:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE trailapp_historicalsupplier")
    # The table's size: the statistics, else its largest key (100 records, keys from 1).
    assert table_rows(HISTORY, "default") in (
        {100} if analysed else {HISTORY.objects.latest("pk").pk}
    )
    # √(3 × 100) + 1 = 18 rows: the busy user has 60, the quiet one 5.
    for name, walked in (("busy", True), ("quiet", False)):
        user = records[name]
        chosen = by_user(HISTORY.objects.all(), "history_user_id", user.pk, limit=3)
        assert (WALKED in sql_of(chosen)) is walked
        # The same rows, in the same order, either way.
        assert newest(chosen) == newest(HISTORY.objects.filter(history_user=user))


@ON_SQLITE
def test_the_trail_reads_a_user_s_pages_the_same_either_way(records) -> None:
    """Its newest-first pages of the busy user: walked, and equal to the plain filter's."""
    trail = SimpleHistoryTrail("history", {})
    busy = records["busy"]
    query = TrailQuery(user_id=busy.pk)
    with CaptureQueriesContext(connection) as captured:
        first = trail.fetch(query, Scope(None), cursor=None, older=True, limit=5)
    assert any(WALKED in q["sql"] for q in captured.captured_queries)
    second = trail.fetch(query, Scope(None), cursor=first[-1].position, older=True, limit=5)
    expected = newest(HISTORY.objects.filter(history_user=busy))[:10]
    assert [e.tiebreak[-1] for e in [*first, *second]] == expected
    # Counting, and an object's own rows, keep the plain filter.
    with CaptureQueriesContext(connection) as captured:
        assert trail.count(query, Scope(None), cap=1000) == 60
        trail.fetch(
            TrailQuery(user_id=busy.pk, object_id="1"),
            Scope(None),
            cursor=None,
            older=True,
            limit=5,
        )
    assert not any(WALKED in q["sql"] for q in captured.captured_queries)


@ON_SQLITE
def test_without_statistics_or_an_integer_key_the_plain_filter(db) -> None:
    forget_statistics()
    assert table_rows(Session, "default") is None
    chosen = by_user(Session.objects.all(), "session_key", "x", limit=3)
    assert str(chosen.query) == str(Session.objects.filter(session_key="x").query)
    # An empty table: no largest key either.
    assert table_rows(HISTORY, "default") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner chooses")
def test_postgresql_keeps_the_plain_filter(records) -> None:
    chosen = by_user(HISTORY.objects.all(), "history_user_id", records["busy"].pk, limit=3)
    assert "+" not in sql_of(chosen).split("WHERE", 1)[1]
    assert newest(chosen) == newest(HISTORY.objects.filter(history_user=records["busy"]))
