from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.http import QueryDict

from auditconsole.activity.ordering import resolve_sort
from auditconsole.activity.pagination import (
    MAX_PAGE,
    Cursor,
    PageForm,
    keyset_page,
    offset_page,
    paginate,
)
from project.demo.models import Customer
from tests.activity.entries import NOW, log


@pytest.fixture
def entries(superuser) -> list[LogEntry]:
    """25 entries; pairs share a timestamp so that the id must break ties."""
    return [
        log(superuser, Customer, n, when=NOW - datetime.timedelta(minutes=n // 2))
        for n in range(25)
    ]


def newest_first(entries: list[LogEntry]) -> list[int]:
    return [e.pk for e in sorted(entries, key=lambda e: (e.action_time, e.pk), reverse=True)]


def walk_forward(descending: bool, size: int) -> list[list[int]]:
    pages, after = [], None
    while True:
        page = keyset_page(LogEntry.objects.all(), descending=descending, size=size, after=after)
        pages.append([e.pk for e in page.rows])
        if not page.has_next:
            return pages
        after = Cursor.decode(page.next_params["after"])


def test_keyset_pages_cover_every_row_once_in_order(entries) -> None:
    pages = walk_forward(descending=True, size=4)
    assert [pk for page in pages for pk in page] == newest_first(entries)
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 4, 1]
    ascending = walk_forward(descending=False, size=10)
    assert [pk for page in ascending for pk in page] == newest_first(entries)[::-1]


def test_walking_back_returns_the_same_pages(entries) -> None:
    order = newest_first(entries)
    first = keyset_page(LogEntry.objects.all(), descending=True, size=5)
    assert first.is_first and not first.has_previous and first.has_next
    second = keyset_page(
        LogEntry.objects.all(),
        descending=True,
        size=5,
        after=Cursor.decode(first.next_params["after"]),
    )
    third = keyset_page(
        LogEntry.objects.all(),
        descending=True,
        size=5,
        after=Cursor.decode(second.next_params["after"]),
    )
    assert [e.pk for e in third.rows] == order[10:15]
    assert third.has_previous and not third.is_first
    back = keyset_page(
        LogEntry.objects.all(),
        descending=True,
        size=5,
        before=Cursor.decode(third.previous_params["before"]),
    )
    assert [e.pk for e in back.rows] == order[5:10]
    assert back.has_next and back.has_previous
    # Walking back to the start gives a full first page, not a short one.
    start = keyset_page(
        LogEntry.objects.all(),
        descending=True,
        size=5,
        before=Cursor.decode(back.previous_params["before"]),
    )
    assert [e.pk for e in start.rows] == order[:5]
    assert start.is_first and not start.has_previous


def test_empty_result(db) -> None:
    page = keyset_page(LogEntry.objects.all(), descending=True, size=5)
    assert page.rows == [] and not page.has_next and not page.has_previous
    assert page.next_params == {} and page.start_index is None


def test_cursor_round_trip() -> None:
    cursor = Cursor(datetime.datetime(2026, 3, 15, 12, 0, 1, 5, tzinfo=datetime.UTC), 42)
    token = cursor.encode()
    assert token == "2026-03-15T12:00:01.000005Z~42"
    assert Cursor.decode(token) == cursor
    east = datetime.timezone(datetime.timedelta(hours=3))
    assert Cursor(cursor.action_time.astimezone(east), 42).encode() == token


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "~",
        "2026-03-15T12:00:00Z",
        "2026-03-15T12:00:00Z~",
        "2026-03-15T12:00:00Z~x",
        "2026-03-15T12:00:00~5",
        "2026-02-30T12:00:00Z~5",
        "nonsense~5",
        "2026-03-15T12:00:00Z~" + "9" * 19,
        "2026-03-15T12:00:00Z~-5",
        "x" * 65,
    ],
)
def test_bad_cursors_raise_value_error(token: str) -> None:
    with pytest.raises(ValueError):
        Cursor.decode(token)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("after=garbage", "after"),
        ("before=2026-02-30T12:00:00Z~5", "before"),
        ("page=0", "page"),
        ("page=x", "page"),
        (f"page={MAX_PAGE + 1}", "page"),
        (f"page={10**12}", "page"),
        ("after=" + "a" * 10_000, "after"),
        ("after=2026-03-15T12:00:00Z~1&before=2026-03-15T12:00:00Z~2", "__all__"),
    ],
)
def test_page_form_rejects_bad_paging(query: str, error: str) -> None:
    form = PageForm(QueryDict(query))
    assert not form.is_valid()
    assert error in form.errors


def test_page_form_accepts_good_paging() -> None:
    form = PageForm(QueryDict("after=2026-03-15T12:00:00Z~1&page=3"))
    assert form.is_valid()
    assert form.cleaned_data["after"] == Cursor(
        datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC), 1
    )
    assert form.cleaned_data["page"] == 3


def test_offset_pages(entries) -> None:
    ordering = resolve_sort("object").ordering
    expected = list(LogEntry.objects.order_by(*ordering).values_list("pk", flat=True))
    first = offset_page(LogEntry.objects.all(), ordering=ordering, size=10, number=1)
    assert [e.pk for e in first.rows] == expected[:10]
    assert first.is_first and first.has_next and not first.has_previous
    assert first.next_params == {"page": "2"} and (first.start_index, first.end_index) == (1, 10)
    second = offset_page(LogEntry.objects.all(), ordering=ordering, size=10, number=2)
    assert second.previous_params == {}  # page 1 is the URL without a page number
    third = offset_page(LogEntry.objects.all(), ordering=ordering, size=10, number=3)
    assert [e.pk for e in third.rows] == expected[20:]
    assert not third.has_next and third.previous_params == {"page": "2"}
    assert (third.start_index, third.end_index) == (21, 25)
    beyond = offset_page(LogEntry.objects.all(), ordering=ordering, size=10, number=MAX_PAGE)
    assert beyond.rows == [] and not beyond.has_next


def test_paginate_chooses_by_sort(entries) -> None:
    keyset = paginate(LogEntry.objects.all(), resolve_sort(None), {"page": 3}, 10)
    assert keyset.offset is None  # a page number means nothing in time order
    offset = paginate(LogEntry.objects.all(), resolve_sort("user"), {"page": 2}, 10)
    assert offset.offset == 10
    default = paginate(LogEntry.objects.all(), resolve_sort("user"), {}, 10)
    assert default.offset == 0


def test_deep_keyset_page_is_a_range_scan(entries, django_assert_num_queries) -> None:
    cursor = Cursor.of(entries[-3])
    with django_assert_num_queries(1) as captured:
        keyset_page(LogEntry.objects.all(), descending=True, size=5, after=cursor)
    sql = captured.captured_queries[0]["sql"]
    # The plain range on action_time (what the index serves) is in the query, no OFFSET.
    assert '"action_time" <=' in sql and "OFFSET" not in sql
