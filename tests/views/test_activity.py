"""The activity pages over HTTP: URL contract, htmx fragments, permissions, scoping, bad input."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import django_filters
import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from auditconsole.activity import estimates
from auditconsole.activity.filters import ActivityFilterSet
from auditconsole.activity.pagination import MAX_PAGE
from auditconsole.activity.search import ActivitySearch
from auditconsole.activity.tables import ActivityTable
from auditconsole.views.activity import ActivityView, FacetsView
from project.demo.models import Customer, Invoice, Ticket
from tests.activity.entries import auditconsole_message, content_type, log, many_entries
from tests.views.helpers import answer

HX = {"HTTP_HX_REQUEST": "true"}
ACTIVITY = "/audit/activity/"


def entry_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="entry-(\d+)"', response.content.decode())]


@pytest.fixture
def desk(superuser, make_user):
    """A small desk: two agents' work on customers, tickets and invoices, and one User change."""
    now = timezone.now()
    alice = make_user("alice")
    bob = make_user("bob")
    acme = Customer.objects.create(name="Acme Ltd", email="ops@acme.example")
    invoice = Invoice.objects.create(
        number="INV-2026-0001",
        customer=acme,
        amount=Decimal("99.00"),
        due_date=datetime.date(2026, 4, 1),
    )
    entries = {
        "acme_added": log(
            alice,
            acme,
            acme.pk,
            ADDITION,
            when=now - datetime.timedelta(hours=1),
            name="Acme Ltd",
            message=[{"added": {}}],
        ),
        "acme_changed": log(
            alice,
            acme,
            acme.pk,
            CHANGE,
            when=now - datetime.timedelta(minutes=30),
            name="Acme Ltd",
            message=auditconsole_message(
                [
                    {
                        "field": "email",
                        "label": "Email address",
                        "old": "old@acme.example",
                        "new": "ops@acme.example",
                    }
                ],
                note="Customer called to update their address",
            ),
        ),
        "ticket_deleted": log(
            bob,
            Ticket,
            41,
            DELETION,
            when=now - datetime.timedelta(days=3),
            name="#41 Printer on fire",
        ),
        "invoice_added": log(
            bob,
            invoice,
            invoice.pk,
            ADDITION,
            when=now - datetime.timedelta(days=10),
            name="INV-2026-0001",
        ),
        "user_changed": log(
            superuser,
            User,
            bob.pk,
            CHANGE,
            when=now - datetime.timedelta(days=2),
            name="bob",
            message=[{"changed": {"fields": ["Staff status"]}}],
        ),
    }
    return {
        "alice": alice,
        "bob": bob,
        "acme": acme,
        "invoice": invoice,
        "root": superuser,
        **entries,
    }


def ids(desk, *names: str) -> set[int]:
    return {desk[name].pk for name in names}


# --- Access ---------------------------------------------------------------------------


def all_urls(desk) -> list[str]:
    ct = content_type(Customer).pk
    user = desk["alice"].pk
    return [
        reverse("auditconsole:activity"),
        reverse("auditconsole:activity_facets"),
        reverse("auditconsole:activity_chart"),
        reverse("auditconsole:user", args=[user]),
        reverse("auditconsole:user_facets", args=[user]),
        reverse("auditconsole:user_chart", args=[user]),
        reverse("auditconsole:user_summary", args=[user]),
        reverse("auditconsole:object", args=[ct, desk["acme"].pk]),
    ]


def test_anonymous_users_are_sent_to_login(desk, client) -> None:
    for url in all_urls(desk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_staff_without_the_permission_get_403(desk, client_for, staff_user, make_user) -> None:
    inactive = make_user("gone", active=False, console_perms=None)
    customer = make_user("customer", staff=False, console_perms=None)
    for user in (staff_user, customer):
        client = client_for(user)
        for url in all_urls(desk):
            assert client.get(url).status_code == 403, url
    assert client_for(inactive).get(ACTIVITY).status_code == 302  # cannot even log in


def test_viewer_gets_every_page(desk, client_for, viewer_user) -> None:
    client = client_for(viewer_user)
    for url in all_urls(desk):
        assert client.get(url).status_code == 200, url
        assert client.get(url, **HX).status_code == 200, url


# --- The list and its URL contract -------------------------------------------------------


def test_list_shows_newest_first(desk, client_for) -> None:
    response = client_for(desk["root"]).get(ACTIVITY)
    assert response.status_code == 200
    assert entry_ids(response) == [
        desk[n].pk
        for n in ("acme_changed", "acme_added", "user_changed", "ticket_deleted", "invoice_added")
    ]
    html = response.content.decode()
    assert "5 entries." in html
    assert "{% block export_action %}" not in html
    assert 'id="facets"' in html and 'hx-trigger="load"' in html
    assert 'id="chart"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=1", ("acme_added", "invoice_added")),
        ("action=addition", ("acme_added", "invoice_added")),
        ("action=2", ("acme_changed", "user_changed")),
        ("action=change", ("acme_changed", "user_changed")),
        ("action=3", ("ticket_deleted",)),
        ("action=deletion", ("ticket_deleted",)),
        ("content_type=demo.customer", ("acme_added", "acme_changed")),
        ("content_type=demo.invoice", ("invoice_added",)),
        ("object_id=INV-2026-0001", ("invoice_added",)),
        ("q=printer", ("ticket_deleted",)),
        ("q=called+to+update", ("acme_changed",)),
        ("period=24h", ("acme_added", "acme_changed")),
        ("period=7d", ("acme_added", "acme_changed", "user_changed", "ticket_deleted")),
    ],
)
def test_url_contract(desk, client_for, query, expected) -> None:
    response = client_for(desk["root"]).get(f"{ACTIVITY}?{query}")
    assert response.status_code == 200
    assert set(entry_ids(response)) == ids(desk, *expected)


def test_url_contract_ids_and_dates(desk, client_for) -> None:
    client = client_for(desk["root"])
    assert set(entry_ids(client.get(f"{ACTIVITY}?user={desk['bob'].pk}"))) == ids(
        desk, "ticket_deleted", "invoice_added"
    )
    ct = content_type(Customer).pk
    assert set(entry_ids(client.get(f"{ACTIVITY}?content_type={ct}"))) == ids(
        desk, "acme_added", "acme_changed"
    )
    day = (timezone.localtime(desk["ticket_deleted"].action_time)).date()
    response = client.get(f"{ACTIVITY}?since={day.isoformat()}&until={day.isoformat()}")
    assert set(entry_ids(response)) == ids(desk, "ticket_deleted")
    moment = desk["user_changed"].action_time
    since = (moment - datetime.timedelta(seconds=1)).isoformat()
    until = (moment + datetime.timedelta(seconds=1)).isoformat()
    response = client.get(ACTIVITY, {"since": since, "until": until})
    assert set(entry_ids(response)) == ids(desk, "user_changed")


def test_filters_combine(desk, client_for) -> None:
    response = client_for(desk["root"]).get(f"{ACTIVITY}?action=addition&user={desk['alice'].pk}")
    assert set(entry_ids(response)) == ids(desk, "acme_added")


def test_sortable_columns(desk, client_for) -> None:
    client = client_for(desk["root"])
    oldest_first = entry_ids(client.get(f"{ACTIVITY}?sort=time"))
    assert oldest_first == entry_ids(client.get(ACTIVITY))[::-1]
    by_object = entry_ids(client.get(f"{ACTIVITY}?sort=object"))
    names = [LogEntry.objects.get(pk=pk).object_repr for pk in by_object]
    assert names == sorted(names)
    by_user_desc = entry_ids(client.get(f"{ACTIVITY}?sort=-user"))
    assert [LogEntry.objects.get(pk=pk).user.username for pk in by_user_desc] == [
        "root",
        "bob",
        "bob",
        "alice",
        "alice",
    ]
    for sort in ("action", "-action", "content_type", "-content_type", "nonsense"):
        assert len(entry_ids(client.get(f"{ACTIVITY}?sort={sort}"))) == 5


def test_rows_render_like_the_admin_with_diffs_and_links(desk, client_for) -> None:
    html = client_for(desk["root"]).get(f"{ACTIVITY}?content_type=demo.customer").content.decode()
    assert "Changed Email address." in html
    assert "Customer called to update their address" in html
    assert '<details class="change-diff">' in html
    assert "old@acme.example" in html and "ops@acme.example" in html
    assert "Added." in html
    assert f'href="/audit/user/{desk["alice"].pk}/"' in html
    ct = content_type(Customer).pk
    assert f'href="/audit/object/{ct}/{desk["acme"].pk}/"' in html
    assert 'class="badge badge--addition"' in html and 'class="badge badge--change"' in html
    assert 'title="' in html and " UTC" in html


def test_user_supplied_text_is_escaped(desk, client_for) -> None:
    log(
        desk["alice"],
        Customer,
        9,
        name="<img src=x onerror=alert(1)>",
        message=auditconsole_message(
            [{"field": "n", "label": "<b>N</b>", "old": "<i>", "new": "</td>"}]
        ),
    )
    html = client_for(desk["root"]).get(ACTIVITY).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>N</b>" not in html and "&lt;/td&gt;" in html


# --- htmx -------------------------------------------------------------------------------


def test_htmx_gets_the_fragment_and_out_of_band_panels(desk, client_for) -> None:
    client = client_for(desk["root"])
    full = client.get(f"{ACTIVITY}?action=change")
    fragment = client.get(f"{ACTIVITY}?action=change", **HX)
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in full["Vary"]
    html = fragment.content.decode()
    assert "<html" not in html and "<html" in full.content.decode()
    assert (
        html.lstrip().startswith('<div id="results"') or 'id="results"' in html.split("\n", 3)[-1]
    )
    assert '<form id="filters"' in html and 'hx-swap-oob="true"' in html
    assert re.search(r'<section id="facets"[^>]*hx-swap-oob="true"', html)
    assert entry_ids(fragment) == entry_ids(full)


def test_history_restore_gets_the_whole_page(desk, client_for) -> None:
    response = client_for(desk["root"]).get(
        ACTIVITY, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-History-Restore-Request" in response["Vary"]


def test_links_swap_results_and_push_the_url(desk, client_for) -> None:
    html = client_for(desk["root"]).get(ACTIVITY).content.decode()
    assert 'hx-target="#results"' in html and 'hx-push-url="true"' in html
    form = re.search(r"<form id=\"filters\"[^>]*>", html).group(0)
    assert (
        'method="get"' in form and f'action="{ACTIVITY}"' in form and f'hx-get="{ACTIVITY}"' in form
    )
    # Lazy panels load themselves and push nothing.
    assert re.search(r'<section id="chart"[^>]*hx-target="this"[^>]*hx-push-url="false"', html)


def test_facets_fragment_and_page(desk, client_for) -> None:
    client = client_for(desk["root"])
    url = reverse("auditconsole:activity_facets") + "?action=change"
    fragment = client.get(url, **HX).content.decode()
    assert "<html" not in fragment
    assert 'class="facets panel"' in fragment
    assert f'href="{ACTIVITY}?action=deletion"' in fragment
    assert f'href="{ACTIVITY}"' in fragment  # the selected action toggles off
    assert f'class="facet-drill" href="/audit/user/{desk["alice"].pk}/"' in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and "Facet counts" in page
    assert f'href="{ACTIVITY}?action=change"' in page  # back to the entries


def test_facets_of_an_invalid_search(desk, client_for) -> None:
    html = (
        client_for(desk["root"])
        .get(reverse("auditconsole:activity_facets") + "?since=x", **HX)
        .content.decode()
    )
    assert "fix the filters first" in html


def test_chart_fragment_and_page(desk, client_for) -> None:
    client = client_for(desk["root"])
    url = reverse("auditconsole:activity_chart")
    fragment = client.get(url, **HX).content.decode()
    assert "<svg" in fragment and "<html" not in fragment
    assert 'class="bar-addition"' in fragment and "<title>" in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and "<svg" in page
    empty = client.get(url + "?since=2030-01-01", **HX).content.decode()
    assert "No entries in this period." in empty
    invalid = client.get(url + "?since=nope", **HX).content.decode()
    assert "<svg" not in invalid


def test_chart_is_unlocalized(desk, client_for, settings) -> None:
    settings.LANGUAGE_CODE = "de"
    fragment = (
        client_for(desk["root"]).get(reverse("auditconsole:activity_chart"), **HX).content.decode()
    )
    assert re.findall(r'<rect [^>]*width="(\d+,\d+)"', fragment) == []
    assert re.search(r'<rect [^>]*x="\d+(\.\d+)?"', fragment)


# --- Paging and counts --------------------------------------------------------------------


def test_paging_through_every_entry(desk, client_for, settings) -> None:
    client = client_for(desk["root"])
    everything = entry_ids(client.get(ACTIVITY))
    settings.AUDITCONSOLE_PAGE_SIZE = 2
    seen, url, pages = [], ACTIVITY, 0
    while url:
        response = client.get(url)
        pages += 1
        seen += entry_ids(response)
        match = re.search(r'href="([^"]+)"[^>]*rel="next"', response.content.decode())
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == everything
    assert pages == 3


def test_previous_and_first_links(desk, client_for, settings) -> None:
    settings.AUDITCONSOLE_PAGE_SIZE = 2
    client = client_for(desk["root"])
    first = client.get(ACTIVITY).content.decode()
    next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).content.decode()
    assert 'rel="prev"' in second and 'rel="first"' in second
    assert "more than" not in second and "5 entries; 2 on this page." in second
    prev_url = re.search(r'href="([^"]+)"[^>]*rel="prev"', second).group(1).replace("&amp;", "&")
    assert entry_ids(client.get(prev_url)) == entry_ids(client.get(ACTIVITY))


def test_offset_paging_for_other_sorts(desk, client_for, settings) -> None:
    settings.AUDITCONSOLE_PAGE_SIZE = 2
    client = client_for(desk["root"])
    page2 = client.get(f"{ACTIVITY}?sort=user&page=2").content.decode()
    assert "Entries 3–4 of 5 entries." in page2
    assert "Page 2" in page2


def test_large_results_are_not_fully_counted(desk, client_for, monkeypatch) -> None:
    monkeypatch.setattr("auditconsole.activity.counting.COUNT_CAP", 3)
    html = client_for(desk["root"]).get(f"{ACTIVITY}?after=2099-01-01T00:00:00Z~1").content.decode()
    assert "more than 3 entries" in html


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "until=2026-02-30",
        "since=2026-03-10&until=2026-03-01",
        "user=999999",
        "user=abc",
        "user=99999999999999999999999",
        "action=9",
        "content_type=nope.nope",
        "content_type=99999999999999999999999",
        f"page={10**12}",
        f"page={MAX_PAGE + 1}",
        "page=-1",
        "after=garbage",
        "before=2026-13-01T00:00:00Z~1",
        "after=x&before=y",
        "object_id=" + "x" * 10_240,
        "q=" + "x" * 10_240,
        "period=forever",
    ],
)
def test_bad_input_is_a_form_error_never_a_500(desk, client_for, query) -> None:
    client = client_for(desk["root"])
    for headers in ({}, HX):
        response = client.get(f"{ACTIVITY}?{query}", **headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="form-errors"' in html
        assert entry_ids(response) == []
    for name in ("activity_facets", "activity_chart"):
        assert client.get(f"{reverse('auditconsole:' + name)}?{query}", **HX).status_code == 200


def test_huge_page_number_with_a_column_sort(desk, client_for) -> None:
    response = client_for(desk["root"]).get(f"{ACTIVITY}?sort=user&page={10**12}")
    assert response.status_code == 200
    assert "Pages past" in response.content.decode()


def test_unknown_user_page_is_404(desk, client_for) -> None:
    assert (
        client_for(desk["root"]).get(reverse("auditconsole:user", args=[999999])).status_code == 404
    )
    assert (
        client_for(desk["root"])
        .get(reverse("auditconsole:user_summary", args=[999999]))
        .status_code
        == 404
    )


# --- Scoping -----------------------------------------------------------------------------


def test_support_agent_never_sees_user_rows(desk, client_for, support_user) -> None:
    client = client_for(support_user)
    assert desk["user_changed"].pk not in entry_ids(client.get(ACTIVITY))
    assert len(entry_ids(client.get(ACTIVITY))) == 4
    # Asking for them by name is an error like any unknown model.
    assert entry_ids(client.get(f"{ACTIVITY}?content_type=auth.user")) == []
    facets = client.get(reverse("auditconsole:activity_facets"), **HX).content.decode()
    assert "Authentication and Authorization | user" not in facets
    assert re.search(r"<span>All</span><span class=\"facet-count\">4</span>", facets)
    chart = client.get(reverse("auditconsole:activity_chart"), **HX).content.decode()
    assert "Change 1" in chart  # root's change to a User is not counted
    user_ct = content_type(User).pk
    assert (
        client.get(reverse("auditconsole:object", args=[user_ct, desk["bob"].pk])).status_code
        == 404
    )
    root_page = client.get(reverse("auditconsole:user", args=[desk["root"].pk]))
    assert entry_ids(root_page) == []
    summary = client.get(
        reverse("auditconsole:user_summary", args=[desk["root"].pk]), **HX
    ).content.decode()
    assert "No recorded activity that you may see." in summary
    form = client.get(ACTIVITY).content.decode()
    assert 'value="auth.user"' not in form


def test_superuser_sees_user_rows(desk, client_for) -> None:
    client = client_for(desk["root"])
    assert desk["user_changed"].pk in entry_ids(client.get(ACTIVITY))
    user_ct = content_type(User).pk
    assert (
        client.get(reverse("auditconsole:object", args=[user_ct, desk["bob"].pk])).status_code
        == 200
    )


def test_scoping_can_be_switched_off(desk, client_for, support_user, settings) -> None:
    settings.AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS = False
    assert desk["user_changed"].pk in entry_ids(client_for(support_user).get(ACTIVITY))


# --- Drill-down: objects -------------------------------------------------------------------


def test_object_page_timeline_and_state(desk, client_for) -> None:
    ct = content_type(Customer).pk
    response = client_for(desk["root"]).get(
        reverse("auditconsole:object", args=[ct, desk["acme"].pk])
    )
    html = response.content.decode()
    assert entry_ids(response) == [desk["acme_changed"].pk, desk["acme_added"].pk]
    assert "Exists" in html
    assert f'href="/admin/demo/customer/{desk["acme"].pk}/change/"' in html
    assert "Customer called to update their address" in html and "old@acme.example" in html
    assert f'href="/audit/user/{desk["alice"].pk}/trails/"' in html
    assert "?content_type=demo.customer&amp;object_id=" in html


def test_object_page_without_admin_link_for_agents(desk, client_for, support_user) -> None:
    ct = content_type(Customer).pk
    html = (
        client_for(support_user)
        .get(reverse("auditconsole:object", args=[ct, desk["acme"].pk]))
        .content.decode()
    )
    assert "Open in admin" not in html


def test_deleted_object_says_who_deleted_it(desk, client_for) -> None:
    ct = content_type(Ticket).pk
    response = client_for(desk["root"]).get(reverse("auditconsole:object", args=[ct, 41]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Deleted" in html and f'href="/audit/user/{desk["bob"].pk}/trails/">bob</a>' in html
    assert "#41 Printer on fire" in html


def test_object_with_a_string_key(desk, client_for) -> None:
    ct = content_type(Invoice).pk
    response = client_for(desk["root"]).get(
        reverse("auditconsole:object", args=[ct, "INV-2026-0001"])
    )
    assert response.status_code == 200
    assert entry_ids(response) == [desk["invoice_added"].pk]
    assert "Exists" in response.content.decode()


@pytest.mark.parametrize(
    "object_id", ["a/b/c", "with space", "ünïcode", "50%off", "q?x=1#frag", "trailing/"]
)
def test_awkward_object_ids_round_trip(desk, client_for, object_id) -> None:
    entry = log(desk["alice"], Ticket, object_id, name=f"ticket {object_id}")
    url = reverse("auditconsole:object", args=[content_type(Ticket).pk, object_id])
    response = client_for(desk["root"]).get(url)
    assert response.status_code == 200
    assert entry_ids(response) == [entry.pk]
    # The list links to exactly this page.
    listing = client_for(desk["root"]).get(ACTIVITY).content.decode()
    assert f'href="{url}"' in listing.replace("&amp;", "&")


def test_object_page_404s(desk, client_for) -> None:
    client = client_for(desk["root"])
    ct = content_type(Customer).pk
    assert client.get(reverse("auditconsole:object", args=[999999, 1])).status_code == 404
    assert client.get(reverse("auditconsole:object", args=[ct, "x" * 10_240])).status_code == 404
    assert client.get(reverse("auditconsole:object", args=[ct, "424242"])).status_code == 404


def test_object_page_of_an_existing_object_without_entries(desk, client_for) -> None:
    quiet = Customer.objects.create(name="Quiet Co", email="q@example.com")
    ct = content_type(Customer).pk
    response = client_for(desk["root"]).get(reverse("auditconsole:object", args=[ct, quiet.pk]))
    assert response.status_code == 200
    assert "No recorded activity for this object." in response.content.decode()


def test_object_page_paging_and_bad_cursor(desk, client_for, settings) -> None:
    settings.AUDITCONSOLE_PAGE_SIZE = 1
    client = client_for(desk["root"])
    url = reverse("auditconsole:object", args=[content_type(Customer).pk, desk["acme"].pk])
    first = client.get(url).content.decode()
    next_url = re.search(r'href="([^"]+)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url)
    assert entry_ids(second) == [desk["acme_added"].pk]
    assert "Acme Ltd" in second.content.decode()
    fragment = client.get(next_url, **HX).content.decode()
    assert fragment.lstrip().startswith('<div id="timeline"')
    bad = client.get(url + "?after=garbage")
    assert bad.status_code == 200 and "not valid any more" in bad.content.decode()


def test_object_of_a_model_that_is_gone(desk, client_for) -> None:
    gone = ContentType.objects.create(app_label="retired", model="widget")
    log(desk["alice"], gone, 3, name="Widget 3")
    html = (
        client_for(desk["root"])
        .get(reverse("auditconsole:object", args=[gone.pk, 3]))
        .content.decode()
    )
    assert "Model not installed" in html and "Widget 3" in html


# --- Drill-down: users ---------------------------------------------------------------------


def test_user_page_lists_their_entries_with_filters(desk, client_for) -> None:
    client = client_for(desk["root"])
    url = reverse("auditconsole:user", args=[desk["bob"].pk])
    response = client.get(url)
    html = response.content.decode()
    assert set(entry_ids(response)) == ids(desk, "ticket_deleted", "invoice_added")
    assert "Activity of" in html and "bob" in html
    assert 'name="user"' not in html  # the user is the page, not a filter
    assert "<th" in html and ">User<" not in html  # nor a column
    assert set(entry_ids(client.get(url + "?action=deletion"))) == ids(desk, "ticket_deleted")
    # A user= parameter cannot widen the page to someone else.
    assert set(entry_ids(client.get(url + f"?user={desk['alice'].pk}"))) == ids(
        desk, "ticket_deleted", "invoice_added"
    )
    assert f'hx-get="/audit/user/{desk["bob"].pk}/summary/"' in html
    assert f'hx-get="/audit/user/{desk["bob"].pk}/facets/"' in html


def test_user_summary(desk, client_for) -> None:
    client = client_for(desk["root"])
    url = reverse("auditconsole:user_summary", args=[desk["bob"].pk])
    html = client.get(url, **HX).content.decode()
    assert "<dt>Entries</dt><dd>2</dd>" in html
    assert f'href="/audit/user/{desk["bob"].pk}/?action=deletion">1</a>' in html
    assert f'href="/audit/user/{desk["bob"].pk}/?content_type=demo.invoice">' in html
    assert "<html" in client.get(url).content.decode()


def test_user_facets_and_chart(desk, client_for) -> None:
    client = client_for(desk["root"])
    facets = client.get(
        reverse("auditconsole:user_facets", args=[desk["bob"].pk]), **HX
    ).content.decode()
    assert ">User<" not in facets
    assert f'href="/audit/user/{desk["bob"].pk}/?action=deletion"' in facets
    chart = client.get(
        reverse("auditconsole:user_chart", args=[desk["bob"].pk]), **HX
    ).content.decode()
    assert "Addition 1" in chart and "Deletion 1" in chart


# --- Constant queries ----------------------------------------------------------------------


def grow(make_user, n: int, desk) -> None:
    """n more users and models, each with entries: on the list, on alice's page, and on
    the Acme customer's page, so that any per-row query would show."""
    for i in range(n):
        user = make_user(f"load{n}-{i}")
        ct = ContentType.objects.create(app_label="load", model=f"m{n}x{i}")
        message = auditconsole_message([{"field": "f", "label": f"F{i}", "old": i, "new": i + 1}])
        for action in (ADDITION, CHANGE, DELETION):
            log(user, ct, i, action, message=message)
        log(desk["alice"], ct, i, CHANGE, message=message)
        log(user, desk["acme"], desk["acme"].pk, CHANGE, message=message)


@pytest.mark.parametrize(
    ("name", "limit"),
    # Session and user, then: rows, bounded count, the form's users and models (list);
    # cube, users, models, date aggregate and count (facets); latest and buckets (chart);
    # rows and object lookup (object page); plus the page's user on user pages.
    [
        ("activity", 6),
        ("activity_facets", 7),
        ("activity_chart", 5),
        ("user", 6),
        ("user_facets", 7),
        ("user_chart", 5),
        ("user_summary", 6),
        ("object", 5),
    ],
)
def test_queries_do_not_grow_with_users_or_models(
    desk, client_for, make_user, django_assert_max_num_queries, name, limit
) -> None:
    client = client_for(desk["root"])
    for n in (5, 50):
        grow(make_user, n, desk)
        if name.startswith("user"):
            url = reverse(f"auditconsole:{name}", args=[desk["alice"].pk])
        elif name == "object":
            url = reverse("auditconsole:object", args=[content_type(Customer).pk, desk["acme"].pk])
        else:
            url = reverse(f"auditconsole:{name}")
        with django_assert_max_num_queries(limit):
            assert client.get(url, **HX).status_code == 200
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_scoped_queries_are_constant_too(
    desk, client_for, make_user, support_user, django_assert_max_num_queries
) -> None:
    client = client_for(support_user)
    for n in (5, 50):
        grow(make_user, n, desk)
        with django_assert_max_num_queries(10):
            client.get(ACTIVITY)
        with django_assert_max_num_queries(10):
            client.get(reverse("auditconsole:activity_facets"), **HX)


# --- Template contract ---------------------------------------------------------------------


def test_export_block_can_be_filled(desk, rf) -> None:
    """The export issue fills ``{% block export_action %}`` in the list's toolbar."""
    from django.template import engines
    from django.template.loader import get_template
    from django.template.loader_tags import BlockNode
    from django_htmx.middleware import HtmxDetails

    from auditconsole.views.activity import ActivityView

    template = get_template("auditconsole/activity/list.html").template
    blocks = {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    assert {"export_action", "toolbar_actions", "sidebar", "results"} <= blocks
    request = rf.get(ACTIVITY)
    request.user = desk["root"]
    request.htmx = HtmxDetails(request)
    view = ActivityView()
    view.setup(request)
    child = engines["django"].from_string(
        '{% extends "auditconsole/activity/list.html" %}'
        '{% block export_action %}<a id="export">CSV</a>{% endblock %}'
    )
    html = child.render(view.get_context_data(), request)
    assert '<a id="export">CSV</a>' in html
    assert '<div id="results"' in html


# --- Hooks for sites that extend the console -------------------------------------------------


class NamedFilterSet(ActivityFilterSet):
    """A site's own filter: the object's name, a substring."""

    name = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains")


class NamedSearch(ActivitySearch):
    filterset_class = NamedFilterSet


class NamedActivityView(ActivityView):
    def get_search_class(self) -> type[ActivitySearch]:
        return NamedSearch


class FlaggedTable(ActivityTable):
    class Meta(ActivityTable.Meta):
        attrs = {"class": "activity-table flagged"}


class FlaggedActivityView(ActivityView):
    def get_table_class(self) -> type[ActivityTable]:
        return FlaggedTable


def render_view(view: Any, rf: Any, user: User, url: str) -> str:
    return answer(view.as_view(), rf, user, url).content.decode()


def test_get_search_class_is_the_search_the_page_runs(desk, rf) -> None:
    url = f"{ACTIVITY}?name=acme"
    assert len(re.findall(r'id="entry-\d+"', render_view(ActivityView, rf, desk["root"], url))) > 2
    html = render_view(NamedActivityView, rf, desk["root"], url)
    assert set(re.findall(r'id="entry-(\d+)"', html)) == {
        str(desk["acme_added"].pk),
        str(desk["acme_changed"].pk),
    }
    # The lazy panels share the hook: the facets count the same rows.
    facets = render_view(
        type("NamedFacetsView", (FacetsView,), {"search_class": NamedSearch}),
        rf,
        desk["root"],
        url,
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", facets))
    assert "Action All 2 Addition 1 Change 1 Deletion 0" in text


def test_get_table_class_is_the_table_the_page_renders(desk, rf) -> None:
    assert 'class="activity-table flagged"' not in render_view(
        ActivityView, rf, desk["root"], ACTIVITY
    )
    html = render_view(FlaggedActivityView, rf, desk["root"], ACTIVITY)
    assert 'class="activity-table flagged"' in html
    assert f'id="entry-{desk["acme_added"].pk}"' in html


def test_object_pages_and_panels_are_sent_as_html(desk, client_for, make_user) -> None:
    # The object's model is named ``object_type`` on the view: an attribute called
    # ``content_type`` is what TemplateResponseMixin sends as the Content-Type header, and
    # the page then showed its own source.
    ct = content_type(Customer).pk
    watcher = make_user("watcher", superuser=True)
    for name in ("object", "object_viewers"):
        response = client_for(watcher).get(
            reverse(f"auditconsole:{name}", args=[ct, desk["acme"].pk])
        )
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/html; charset=utf-8", name


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="estimated facets are PostgreSQL's (TABLESAMPLE)"
)
def test_facets_fragment_says_its_counts_are_estimates(superuser, client_for, monkeypatch):
    monkeypatch.setattr(estimates, "SAMPLE_ROWS", 1000)
    many_entries([superuser], 3000)
    with override_settings(AUDITCONSOLE_FACET_ESTIMATE_ROWS=1500):
        html = client_for(superuser).get(reverse("auditconsole:activity_facets"), **HX)
    text = html.content.decode()
    assert "estimated from 33.3% of the log’s pages: about 3,000 entries to count" in text
    assert re.search(r'<span class="facet-count">≈ [\d,]+</span>', text)


def test_an_estimated_choice_shows_its_count_as_approximate_or_few() -> None:
    from django.template.loader import render_to_string

    from auditconsole.activity.facets import FacetChoice

    def count(choice: FacetChoice) -> str:
        html = render_to_string(
            "auditconsole/activity/partials/facet_choice.html", {"choice": choice}
        )
        return re.search(r'<span class="facet-count">([^<]*)</span>', html).group(1)

    exact = FacetChoice(label="alice", count=0, selected=False, url="/audit/activity/")
    assert count(exact) == "0"
    assert count(FacetChoice("alice", 1234, False, "/", estimated=True)) == "≈ 1,234"
    # Not met by the sample: a few entries, perhaps, not none.
    assert count(FacetChoice("alice", 0, False, "/", estimated=True)) == "few"
