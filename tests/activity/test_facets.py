"""Facet counts, checked against counts worked out by hand on a small log."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.contrib.auth.models import User
from django.db import connection
from django.http import QueryDict

from auditconsole.activity.facets import (
    FacetBuilder,
    FacetGroup,
    compute_facets,
    custom_range_label,
)
from auditconsole.activity.search import ActivitySearch
from project.demo.models import Customer, Invoice, Ticket
from tests.activity.entries import NOW, log

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def desk(superuser, make_user):
    alice = make_user("alice")
    bob = make_user("bob")
    carol = make_user("carol", staff=False)  # a customer-facing user who wrote one entry
    log(alice, Customer, 1, ADDITION, when=NOW - HOUR)
    log(alice, Customer, 1, CHANGE, when=NOW - 2 * DAY)
    log(alice, Ticket, 7, CHANGE, when=NOW - 10 * DAY)
    log(bob, Ticket, 8, CHANGE, when=NOW - 20 * HOUR)
    log(bob, Ticket, 8, DELETION, when=NOW - 40 * DAY)
    log(bob, Invoice, "INV-2026-0001", ADDITION, when=NOW - 3 * DAY)
    log(superuser, User, bob.pk, CHANGE, when=NOW - 5 * DAY)
    log(carol, Customer, 2, CHANGE, when=NOW - 60 * DAY)
    return {"alice": alice, "bob": bob, "carol": carol, "root": superuser}


def facets(
    viewer, query: str = "", cube_limit: int | None = None, **kwargs
) -> dict[str, FacetGroup]:
    search = ActivitySearch(QueryDict(query), viewer, now=NOW, **kwargs)
    builder = FacetBuilder(
        search, "/audit/activity/", **({"cube_limit": cube_limit} if cube_limit is not None else {})
    )
    return {group.key: group for group in builder.groups()}


def counts(group: FacetGroup) -> dict[str, int]:
    return {choice.label: choice.count for choice in (*group.choices, *group.more)}


@pytest.mark.parametrize("cube_limit", [None, 1])
def test_each_group_counts_with_the_other_filters(desk, cube_limit) -> None:
    found = facets(desk["root"], "action=change&content_type=demo.ticket", cube_limit)
    # Users: action=change and model=ticket apply; the user filter does not.
    # Carol is not staff and has no entry among these rows: not a choice here.
    assert counts(found["user"]) == {"alice": 1, "bob": 1, "root": 0}
    assert found["user"].total == 2
    # Actions: only model=ticket applies.
    assert counts(found["action"]) == {"Addition": 0, "Change": 2, "Deletion": 1}
    assert found["action"].total == 3
    # Models: only action=change applies.
    model_counts = counts(found["content_type"])
    assert model_counts["Demo support desk | customer"] == 2
    assert model_counts["Demo support desk | ticket"] == 2
    assert model_counts["Authentication and Authorization | user"] == 1
    assert model_counts["Demo support desk | invoice"] == 0
    assert found["content_type"].total == 5
    # Dates: every other filter applies.
    assert found["date"].total == 2


@pytest.mark.parametrize("cube_limit", [None, 1])
def test_unfiltered_counts(desk, cube_limit) -> None:
    found = facets(desk["root"], cube_limit=cube_limit)
    assert found["user"].total == found["action"].total == found["content_type"].total == 8
    assert counts(found["action"]) == {"Addition": 2, "Change": 5, "Deletion": 1}
    assert counts(found["date"]) == {
        "Today": 1,
        "Last 24 hours": 2,
        "Last 7 days": 5,
        "Last 30 days": 6,
    }
    assert found["date"].total == 8


def test_selected_choices_toggle_off_and_others_switch(desk) -> None:
    found = facets(desk["root"], "action=change&sort=user&after=2026-03-15T12:00:00Z~1")
    change = next(c for c in found["action"].choices if c.label == "Change")
    deletion = next(c for c in found["action"].choices if c.label == "Deletion")
    assert change.selected and change.url == "/audit/activity/?sort=user"
    assert not deletion.selected and deletion.url == "/audit/activity/?sort=user&action=deletion"
    assert found["action"].any_selected
    assert found["action"].all_url == "/audit/activity/?sort=user"
    assert not found["user"].any_selected
    alice = next(c for c in found["user"].choices if c.label == "alice")
    assert alice.url == f"/audit/activity/?action=change&sort=user&user={desk['alice'].pk}"
    # Every user name links to its drill-down too.
    assert alice.drill_url == f"/audit/user/{desk['alice'].pk}/"
    ticket = next(c for c in found["content_type"].choices if "ticket" in c.label)
    assert ticket.url == "/audit/activity/?action=change&sort=user&content_type=demo.ticket"


def test_user_choices_are_staff_plus_active_users(desk) -> None:
    found = facets(desk["root"])
    labels = {c.label for c in (*found["user"].choices, *found["user"].more)}
    # Staff from the User table (zero or not), and carol because she has entries.
    assert labels == {"alice", "bob", "root", "carol"}
    idle = facets(desk["root"], "period=today")
    assert {c.label for c in idle["user"].choices} == {"alice"}
    assert {c.label for c in idle["user"].more} == {"bob", "root"}


def test_users_beyond_the_limit_are_summed_in_a_note(desk, monkeypatch) -> None:
    monkeypatch.setattr("auditconsole.activity.facets.USER_LIMIT", 0)
    found = facets(desk["root"])
    assert "carol" not in counts(found["user"])
    assert found["user"].note == "1 more entries by other users."
    assert found["user"].total == 8


def test_selected_user_is_shown_even_with_no_entries(desk, make_user) -> None:
    idle = make_user("idle", staff=False)
    found = facets(desk["root"], f"user={idle.pk}")
    chosen = [c for c in found["user"].choices if c.selected]
    assert [(c.label, c.count) for c in chosen] == [("idle", 0)]


def test_scoped_viewer_never_sees_hidden_rows_or_models(desk, support_user) -> None:
    found = facets(support_user)
    labels = counts(found["content_type"])
    assert not any("Authentication" in label for label in labels)
    assert found["content_type"].total == found["action"].total == 7
    assert counts(found["user"])["root"] == 0  # root's only entry is about a User
    assert found["date"].total == 7


def test_user_page_has_no_user_group(desk) -> None:
    found = facets(desk["root"], user=desk["bob"])
    assert "user" not in found
    assert found["action"].total == 3
    assert counts(found["action"]) == {"Addition": 1, "Change": 1, "Deletion": 1}


def test_custom_range_choice(desk) -> None:
    found = facets(desk["root"], "since=2026-03-10&until=2026-03-14")
    custom = found["date"].choices[-1]
    # 2, 3 and 5 days ago, and 20 hours ago: "until" a date includes all of that day.
    assert custom.selected and custom.count == 4
    assert custom.url == "/audit/activity/"
    assert custom.label == "2026-03-10 – 2026-03-14"
    assert found["date"].total == 8
    assert not any(c.selected for c in found["date"].choices[:-1])


def test_period_choice_selected(desk) -> None:
    found = facets(desk["root"], "period=7d&action=change")
    seven = next(c for c in found["date"].choices if c.label == "Last 7 days")
    assert seven.selected and seven.url == "/audit/activity/?action=change"
    today = next(c for c in found["date"].choices if c.label == "Today")
    assert today.url == "/audit/activity/?action=change&period=today"
    # The date group's counts ignore the period but keep action=change.
    assert found["date"].total == 5
    assert seven.count == 3


def test_invalid_search_has_no_facets(desk) -> None:
    assert compute_facets(ActivitySearch(QueryDict("since=nope"), desk["root"], now=NOW), "/") == []


def test_custom_range_labels() -> None:
    assert custom_range_label("2026-03-10", None) == "From 2026-03-10"
    assert custom_range_label(None, "2026-03-12T10:00") == "Until 2026-03-12T10:00"


def test_constant_queries(make_user, django_assert_max_num_queries, superuser) -> None:
    from django.contrib.contenttypes.models import ContentType

    def run(n: int) -> None:
        for i in range(n):
            user = make_user(f"u{n}-{i}")
            ct = ContentType.objects.create(app_label="load", model=f"m{n}x{i}")
            log(user, ct, i)
        # Cube, users, content types, and the date group's aggregate and count; on
        # PostgreSQL the table's size too, read from its statistics before each count that
        # might be estimated (activity/estimates.py).
        sizes = 2 if connection.vendor == "postgresql" else 0
        with django_assert_max_num_queries(6 + sizes):
            facets(superuser, "action=change")

    run(5)
    run(50)


@pytest.mark.parametrize("cube_limit", [None, 1])
def test_date_total_comes_from_the_cube_without_a_date_filter(desk, cube_limit) -> None:
    """ "All" of the date group is the rows matching the other filters: taken from the cube
    when no date filter is set (no count(*) then), counted when one is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    root, alice = desk["root"], desk["alice"]
    with CaptureQueriesContext(connection) as queries:
        groups = facets(root, f"action=change&user={alice.pk}", cube_limit)
    assert groups["date"].total == 2  # alice's two changes, whatever their date
    plain_counts = [q for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]
    assert len(plain_counts) == (0 if cube_limit is None else 1)
    with CaptureQueriesContext(connection) as queries:
        groups = facets(root, f"action=change&user={alice.pk}&period=7d", cube_limit)
    assert groups["date"].total == 2
    assert [q for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]


@pytest.mark.parametrize("cube_limit", [None, 1])
def test_the_groups_count_rows_not_keys(desk, cube_limit) -> None:
    """``COUNT(*)``, not ``COUNT(id)``: the same number (a key is never null), and SQLite
    counts the covering index's entries without reading each one's key (at a million rows
    the cube's query went from 143 to 114 ms)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        facets(desk["root"], "", cube_limit)
    grouped = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
    assert grouped and all("COUNT(*)" in sql for sql in grouped)
    assert not any('COUNT("django_admin_log"."id")' in sql for sql in grouped)
