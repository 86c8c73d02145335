from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection

from auditconsole.activity.counting import count_results, planner_estimate
from project.demo.models import Customer
from tests.activity.entries import log


@pytest.fixture
def entries(superuser) -> None:
    for n in range(12):
        log(superuser, Customer, n)


def test_exact_below_the_cap(entries) -> None:
    result = count_results(LogEntry.objects.all(), cap=20)
    assert (result.value, result.exact, result.estimate) == (12, True, None)
    assert count_results(LogEntry.objects.all(), cap=12).exact


def test_more_than_the_cap(entries, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(2) as captured:
        result = count_results(LogEntry.objects.all(), cap=5)
    assert (result.value, result.exact) == (5, False)
    # The count itself is bounded: it never reads more than cap + 1 rows.
    assert "LIMIT 6" in captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert result.estimate is not None and result.estimate > 0
    else:
        assert result.estimate is None


def test_empty(db) -> None:
    assert count_results(LogEntry.objects.none()).value == 0
    assert count_results(LogEntry.objects.all()).exact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner estimates are PostgreSQL's")
def test_planner_estimate_on_postgresql(entries) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE django_admin_log")
    assert planner_estimate(LogEntry.objects.all()) == 12


def test_no_estimate_elsewhere(entries) -> None:
    if connection.vendor != "postgresql":
        assert planner_estimate(LogEntry.objects.all()) is None
