"""The free-text search on the activity pages: the hint for short needles, and a scan
stopped by its time budget shown as a notice, never a 500."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection

from auditconsole.activity import budget, textsearch
from auditconsole.activity.search import ActivitySearch
from project.demo.models import Customer
from tests.activity.entries import content_type, log

ACTIVITY = "/audit/activity/"
pytestmark = pytest.mark.django_db

HINT = "Terms of fewer than 3 characters cannot use the search index"


def many_entries(user, count: int) -> None:
    """``count`` entries written by the database itself (a scan of them takes a while)."""
    ct = content_type(Customer).pk
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO django_admin_log (action_time, user_id, content_type_id, object_id, "
                "object_repr, action_flag, change_message) SELECT now() - g * interval '1 second', "
                "%s, %s, g::text, 'Customer ' || g, 2, '' FROM generate_series(1, %s) AS g",
                [user.pk, ct, count],
            )
        else:
            cursor.execute(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
                "INSERT INTO django_admin_log (action_time, user_id, content_type_id, object_id, "
                "object_repr, action_flag, change_message) SELECT datetime('now', '-' || n || "
                "' seconds'), %s, %s, n, 'Customer ' || n, 2, '' FROM g",
                [count, user.pk, ct],
            )


def test_a_short_needle_says_it_cannot_use_the_index(client, superuser) -> None:
    log(superuser, Customer, 1, name="Acme Ltd")
    client.force_login(superuser)
    short = client.get(ACTIVITY, {"q": "ac"})
    assert short.status_code == 200
    assert HINT in short.content.decode()
    assert "Acme Ltd" in short.content.decode()
    indexed = client.get(ACTIVITY, {"q": "acme"})
    assert HINT not in indexed.content.decode()
    assert "Acme Ltd" in indexed.content.decode()


def test_a_scan_past_its_budget_is_stopped_with_a_notice(client, superuser, monkeypatch) -> None:
    many_entries(superuser, 60_000)
    monkeypatch.setattr(textsearch, "SHORT_NEEDLE_BUDGET_SECONDS", 0.001)
    client.force_login(superuser)
    response = client.get(ACTIVITY, {"q": "qx"})  # no match: the scan reads every row
    assert response.status_code == 200
    page = response.content.decode()
    assert "The search for “qx” was stopped after 0.001 seconds." in page
    assert "Search for at least 3 characters" in page
    assert "No entries shown." in page
    assert "The search was stopped before it found an entry." in page
    assert "No activity matches these filters." not in page
    # The htmx fragment says the same.
    fragment = client.get(ACTIVITY, {"q": "qx"}, HTTP_HX_REQUEST="true")
    assert "was stopped after" in fragment.content.decode()


def test_rows_found_before_the_count_ran_out_are_shown(client, superuser, monkeypatch) -> None:
    many_entries(superuser, 60_000)
    budgets = iter([30, 0.001])  # the page's query in time, its count not

    def time_budget(self: ActivitySearch) -> contextlib.AbstractContextManager[None]:
        return budget.query_budget(self.base.db, next(budgets))

    monkeypatch.setattr(ActivitySearch, "time_budget", time_budget)
    client.force_login(superuser)
    # "Cu" is in every name: a page at once, and 10,001 rows to count after it.
    response = client.get(ACTIVITY, {"q": "Cu"})
    page = response.content.decode()
    assert "before every match was counted" in page
    assert "more than 50 entries" in page
    assert page.count('id="entry-') == 50
