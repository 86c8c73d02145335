"""The FilterSet and the search built on it: every parameter of the URL contract."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.contrib.auth.models import User
from django.http import QueryDict

from auditconsole.activity.filters import (
    ACTION,
    CONTENT_TYPE,
    FILTER_PARAMS,
    OBJECT_ID,
    PERIOD,
    PERIODS_BY_KEY,
    QUERY,
    SINCE,
    UNTIL,
    USER,
)
from auditconsole.activity.search import ActivitySearch
from project.demo.models import Customer, Invoice, Ticket
from tests.activity.entries import NOW, content_type, log


def search(viewer, query: str = "", **kwargs) -> ActivitySearch:
    return ActivitySearch(QueryDict(query), viewer, now=NOW, **kwargs)


@pytest.fixture
def data(superuser, make_user):
    alice = make_user("alice")
    bob = make_user("bob")
    days = [NOW - datetime.timedelta(days=n) for n in range(40)]
    entries = {
        "a1": log(
            alice, Customer, 1, ADDITION, when=days[0], name="Acme Ltd", message=[{"added": {}}]
        ),
        "a2": log(
            alice, Customer, 1, CHANGE, when=days[2], name="Acme Ltd", message="Renamed the account"
        ),
        "b1": log(bob, Ticket, 7, CHANGE, when=days[10], name="#7 Printer on fire"),
        "b2": log(bob, Invoice, "INV-2026-0001", DELETION, when=days[35], name="INV-2026-0001"),
        "r1": log(superuser, User, bob.pk, CHANGE, when=days[1], name="bob"),
    }
    return {"alice": alice, "bob": bob, **entries}


def keys(data, queryset) -> set[str]:
    ids = set(queryset.values_list("pk", flat=True))
    return {
        key
        for key, value in data.items()
        if getattr(value, "pk", None) in ids and hasattr(value, "action_flag")
    }


def test_unfiltered_superuser_sees_everything(superuser, data) -> None:
    found = search(superuser)
    assert found.is_valid
    assert not found.is_filtered
    assert keys(data, found.queryset) == {"a1", "a2", "b1", "b2", "r1"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=1", {"a1"}),
        ("action=addition", {"a1"}),
        ("action=2", {"a2", "b1", "r1"}),
        ("action=change", {"a2", "b1", "r1"}),
        ("action=3", {"b2"}),
        ("action=deletion", {"b2"}),
        ("content_type=demo.customer", {"a1", "a2"}),
        ("content_type=auth.user", {"r1"}),
        ("object_id=INV-2026-0001", {"b2"}),
        ("object_id=1", {"a1", "a2"}),
        ("q=acme", {"a1", "a2"}),
        ("q=RENAMED", {"a2"}),
        ("q=printer", {"b1"}),
        ("since=2026-03-13", {"a1", "a2", "r1"}),
        ("until=2026-03-13", {"a2", "b1", "b2"}),
        ("since=2026-03-05&until=2026-03-13", {"a2", "b1"}),
        ("since=2026-03-15T11:00:00%2B00:00", {"a1"}),
        ("until=2026-03-15T12:00:00%2B00:00", {"a2", "b1", "b2", "r1"}),
        ("period=24h", {"a1", "r1"}),  # r1 is exactly 24 hours old
        ("period=7d", {"a1", "a2", "r1"}),
        ("period=30d", {"a1", "a2", "b1", "r1"}),
        ("period=today", {"a1"}),
        ("action=change&content_type=demo.customer", {"a2"}),
        ("action=&user=&q=", {"a1", "a2", "b1", "b2", "r1"}),
    ],
)
def test_each_parameter(superuser, data, query: str, expected: set[str]) -> None:
    found = search(superuser, query)
    assert found.is_valid, found.errors
    assert keys(data, found.queryset) == expected


def test_user_and_content_type_by_id(superuser, data) -> None:
    assert keys(data, search(superuser, f"user={data['alice'].pk}").queryset) == {"a1", "a2"}
    ct = content_type(Ticket).pk
    assert keys(data, search(superuser, f"content_type={ct}").queryset) == {"b1"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("user=999999", USER),
        ("user=abc", USER),
        ("action=7", ACTION),
        ("content_type=nope.nope", CONTENT_TYPE),
        ("since=yesterday", SINCE),
        ("until=2026-02-30", UNTIL),
        ("period=1y", PERIOD),
        ("object_id=" + "x" * 10_000, OBJECT_ID),
        ("q=" + "y" * 201, QUERY),
    ],
)
def test_bad_input_is_a_form_error_and_matches_nothing(
    superuser, data, query: str, field: str
) -> None:
    found = search(superuser, query)
    assert not found.is_valid
    assert field in found.errors
    assert found.queryset.count() == 0
    assert found.queryset_without([field]).count() == 0
    assert found.cleaned == {}


def test_empty_range_is_a_form_error(superuser, data) -> None:
    found = search(superuser, "since=2026-03-10&until=2026-03-10T00:00:00")
    assert not found.is_valid
    assert "__all__" in found.errors


def test_scoped_viewer_never_sees_hidden_models(support_user, data) -> None:
    found = search(support_user)
    assert keys(data, found.queryset) == {"a1", "a2", "b1", "b2"}
    # Asking for the hidden model by name is the same error as asking for a missing one.
    hidden = search(support_user, "content_type=auth.user")
    assert not hidden.is_valid
    assert hidden.queryset.count() == 0


def test_user_page_fixes_the_user(superuser, data) -> None:
    found = search(superuser, f"user={data['bob'].pk}", user=data["alice"])
    assert USER not in found.form.fields
    assert keys(data, found.queryset) == {"a1", "a2"}


def test_queryset_without_skips_only_the_named_filters(superuser, data) -> None:
    found = search(superuser, "action=change&content_type=demo.customer")
    assert keys(data, found.queryset_without([ACTION])) == {"a1", "a2"}
    assert keys(data, found.queryset_without([CONTENT_TYPE])) == {"a2", "b1", "r1"}
    assert keys(data, found.queryset_without([ACTION, CONTENT_TYPE])) == {
        "a1",
        "a2",
        "b1",
        "b2",
        "r1",
    }


def test_is_filtered(superuser, data) -> None:
    assert search(superuser, "q=acme").is_filtered
    assert not search(superuser, "q=").is_filtered


def test_window(superuser, db) -> None:
    assert search(superuser).window() == (None, None)
    start, end = search(superuser, "since=2026-03-01&until=2026-03-02").window()
    assert start == datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC)
    # A period and a since: the later start wins.
    start, _ = search(superuser, "period=7d&since=2026-01-01").window()
    assert start == PERIODS_BY_KEY["7d"].start(NOW)
    start, _ = search(superuser, "period=30d&since=2026-03-14").window()
    assert start == datetime.datetime(2026, 3, 14, tzinfo=datetime.UTC)


def test_period_today_is_local_midnight(superuser, settings) -> None:
    import zoneinfo

    from django.utils import timezone

    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        start = PERIODS_BY_KEY["today"].start(NOW)
    assert start.isoformat() == "2026-03-15T00:00:00-04:00"


def test_filter_params_are_the_contract() -> None:
    assert FILTER_PARAMS == (
        "user",
        "action",
        "content_type",
        "period",
        "since",
        "until",
        "object_id",
        "q",
    )


def test_object_id_alone_names_the_content_types(superuser, support_user, data) -> None:
    orphan = log(superuser, None, "INV-2026-0001", name="no model")
    found = search(superuser, "object_id=INV-2026-0001")
    assert set(found.queryset.values_list("pk", flat=True)) == {data["b2"].pk, orphan.pk}
    sql = str(found.queryset.query)
    assert '"content_type_id" IN (' in sql and "IS NULL" in sql
    # With a model given, or for a scoped viewer, the query already names them.
    assert "IS NULL" not in str(
        search(superuser, "object_id=1&content_type=demo.customer").queryset.query
    )
    scoped = search(support_user, "object_id=INV-2026-0001")
    assert list(scoped.queryset) == [data["b2"]]
    # The model facet drops the model filter but keeps the object id: still by index.
    facet = search(superuser, "object_id=1&content_type=demo.customer").queryset_without(
        [CONTENT_TYPE]
    )
    assert "IS NULL" in str(facet.query)
