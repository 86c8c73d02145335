from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditconsole.activity.rows import RowPresenter, format_times, object_page_url
from project.demo.models import Customer, Invoice
from tests.activity.entries import NOW, auditconsole_message, content_type, log


def test_a_row_has_everything_the_cells_print(superuser) -> None:
    entry = log(
        superuser,
        Invoice,
        "INV-2026-0001",
        ADDITION,
        when=NOW,
        name="INV-2026-0001",
        message=auditconsole_message(
            [{"field": "amount", "label": "Amount", "old": None, "new": "10.00"}]
        ),
    )
    ct = content_type(Invoice)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        row = RowPresenter("/audit/activity/", QueryDict("action=1&after=x")).row(
            LogEntry.objects.select_related("user", "content_type").get(pk=entry.pk)
        )
    assert row.pk == entry.pk
    assert (row.action, row.action_label) == ("addition", "Addition")
    assert (row.local_time, row.zone, row.utc_time) == (
        "2026-03-15 13:00:00",
        "CET",
        "2026-03-15 12:00:00",
    )
    assert row.iso_time == "2026-03-15T12:00:00+00:00"
    assert (row.user_name, row.user_url) == ("root", f"/audit/user/{superuser.pk}/")
    assert row.content_type_label == "Demo support desk | invoice"
    assert row.content_type_url == "/audit/activity/?action=1&content_type=demo.invoice"
    assert row.object_label == "INV-2026-0001"
    assert row.object_url == f"/audit/object/{ct.pk}/INV-2026-0001/"
    assert row.change.summary == "Changed Amount."
    assert [c.new for c in row.change.changes] == ["10.00"]


def test_rows_without_object_or_model(superuser) -> None:
    entry = log(superuser, None, None, DELETION, name="")
    row = RowPresenter("/a/", QueryDict()).row(entry)
    assert row.object_url == "" and row.content_type_url == "" and row.content_type_label == ""
    assert row.object_label == ""


def test_unknown_action_flags_are_shown_not_hidden(superuser) -> None:
    entry = log(superuser, Customer, 1, 9)
    row = RowPresenter("/a/", QueryDict()).row(entry)
    assert (row.action, row.action_label) == ("unknown", "Action 9")


def test_object_urls_for_awkward_keys(db) -> None:
    assert object_page_url(3, "a/b?c#d e%") == "/audit/object/3/a/b%3Fc%23d%20e%25/"
    assert object_page_url(3, "line\nbreak") == ""
    assert object_page_url(None, "1") == ""
    assert object_page_url(3, "") == ""


def test_links_are_reversed_once_per_user_and_model(superuser, django_assert_num_queries) -> None:
    entries = [log(superuser, Customer, n) for n in range(5)]
    rows = list(
        LogEntry.objects.select_related("user", "content_type").filter(
            pk__in=[e.pk for e in entries]
        )
    )
    presenter = RowPresenter("/a/", QueryDict())
    with django_assert_num_queries(0):
        presented = presenter.rows(rows)
    assert len(presented) == 5
    assert len(presenter._user_urls) == 1 and len(presenter._content_type_urls) == 1


def test_format_times_in_utc() -> None:
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert format_times(moment) == (
        "2026-01-02 03:04:05",
        "UTC",
        "2026-01-02 03:04:05",
        "2026-01-02T03:04:05+00:00",
    )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(object_id=st.text(max_size=40), content_type_id=st.integers(min_value=0, max_value=10**6))
def test_fast_object_urls_equal_reverse(object_id: str, content_type_id: int) -> None:
    presenter = RowPresenter("/a/", QueryDict())
    assert presenter.object_url(content_type_id, object_id) == object_page_url(
        content_type_id, object_id
    )
    # And the cached prefix gives the same answer the second time.
    assert presenter.object_url(content_type_id, object_id) == object_page_url(
        content_type_id, object_id
    )


def test_identical_messages_are_parsed_once(superuser) -> None:
    first, second = (
        log(superuser, Customer, 1, message="Same"),
        log(superuser, Customer, 2, message="Same"),
    )
    presenter = RowPresenter("/a/", QueryDict())
    assert presenter.row(first).change is presenter.row(second).change
