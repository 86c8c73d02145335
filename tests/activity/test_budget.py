"""The database stops a block's queries once its time budget is spent, and only then."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, OperationalError, connection, transaction

from auditconsole.activity.budget import QueryBudgetExceeded, query_budget

pytestmark = pytest.mark.django_db


def slow_query() -> str:
    """Seconds of work for the database, whatever the data."""
    if connection.vendor == "postgresql":
        return "SELECT pg_sleep(30)"
    return (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000) "
        "SELECT count(*) FROM n"
    )


def run(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def statement_timeout() -> str | None:
    return run("SHOW statement_timeout")[0][0] if connection.vendor == "postgresql" else None


def test_a_query_past_its_budget_is_stopped() -> None:
    before = statement_timeout()
    with pytest.raises(QueryBudgetExceeded), query_budget("default", 0.05):
        run(slow_query())
    # The connection, and the request's transaction around the test, go on as before.
    assert run("SELECT 1") == [(1,)]
    assert statement_timeout() == before


def test_queries_within_the_budget_run_and_the_limit_is_lifted() -> None:
    before = statement_timeout()
    with query_budget("default", 30):
        assert run("SELECT 1") == [(1,)]
        if connection.vendor == "postgresql":
            assert run("SHOW statement_timeout") == [("30s",)]
    assert statement_timeout() == before
    # No handler left behind: a query longer than that budget's interval still completes.
    small = slow_query().replace("1000000000", "200000").replace("pg_sleep(30)", "pg_sleep(0.01)")
    run(small)


def test_other_database_errors_pass_through() -> None:
    with pytest.raises(DatabaseError) as raised, query_budget("default", 30):
        run("SELECT * FROM auditconsole_no_such_table")
    assert not isinstance(raised.value, QueryBudgetExceeded)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock waits are PostgreSQL's")
def test_postgres_operational_errors_other_than_a_timeout_pass_through() -> None:
    import psycopg

    other = psycopg.connect(**connection.get_connection_params())
    try:
        other.execute("SET lock_timeout = '2s'")  # never hang the suite
        other.execute("LOCK TABLE django_content_type IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(OperationalError) as raised, query_budget("default", 30):
            run("LOCK TABLE django_content_type IN ACCESS SHARE MODE NOWAIT")
        assert not isinstance(raised.value, QueryBudgetExceeded)
        assert raised.value.__cause__.sqlstate == "55P03"
    finally:
        other.close()
    assert run("SELECT 1") == [(1,)]


def test_nested_in_a_transaction(transactional_db) -> None:
    """Under ATOMIC_REQUESTS the page runs in a transaction: a stopped query must not
    leave it aborted for the rest of the request."""
    with transaction.atomic():
        with pytest.raises(QueryBudgetExceeded), query_budget("default", 0.05):
            run(slow_query())
        assert run("SELECT 1") == [(1,)]


def test_no_budget_on_other_databases(monkeypatch) -> None:
    monkeypatch.setattr(connection, "vendor", "mysql")
    with query_budget("default", 0.001):
        assert run("SELECT 1") == [(1,)]
