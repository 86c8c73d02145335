"""The activity browser in real Chromium: htmx swaps, pushed URLs, lazy panels, history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.utils import timezone

from project.demo.models import Customer, Ticket
from tests.activity.entries import log

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(support_user, make_user):
    alice = make_user("alice")
    now = timezone.now()
    log(alice, Customer, 1, ADDITION, when=now - datetime.timedelta(hours=3), name="Acme Ltd")
    log(
        alice,
        Customer,
        1,
        CHANGE,
        when=now - datetime.timedelta(hours=2),
        name="Acme Ltd",
        message=[{"changed": {"fields": ["Name", "Email"]}}],
    )
    log(
        alice,
        Ticket,
        41,
        DELETION,
        when=now - datetime.timedelta(hours=1),
        name="#41 Printer on fire",
    )
    return alice


def test_filtering_swaps_the_table_and_pushes_the_url(login, support_user, desk) -> None:
    page = login(support_user)
    page.goto("/audit/activity/")
    rows = page.locator("table.activity-table tbody tr")
    assert rows.count() == 3
    # The facets arrive by themselves, after the page.
    page.locator("#facets .facet-count").first.wait_for()
    # A marker that a full page load would wipe out.
    page.evaluate("window.__stillHere = true")

    page.select_option("#id_action", "deletion")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/audit/activity/\?action=deletion$"))
    page.wait_for_function(
        "document.querySelectorAll('table.activity-table tbody tr').length === 1"
    )
    assert "#41 Printer on fire" in rows.first.inner_text()
    assert page.evaluate("window.__stillHere") is True, (
        "the table was swapped, not the page reloaded"
    )
    # Blank fields are left out of the pushed permalink.
    assert "user=" not in page.url and "q=" not in page.url

    # Facets were refreshed for the new filter: the action group shows Deletion selected.
    selected = page.locator('#facets a[aria-current="true"]', has_text="Deletion")
    selected.wait_for()

    # A facet link swaps and pushes too; the form follows.
    page.locator("#facets a", has_text="Change").first.click()
    page.wait_for_url(re.compile(r".*action=change"))
    page.wait_for_function(
        "document.querySelectorAll('table.activity-table tbody tr').length === 1"
    )
    assert page.locator("#id_action").input_value() == "change"
    assert page.evaluate("window.__stillHere") is True

    # Back: htmx restores the previous URL with the whole page, not a bare fragment.
    page.go_back()
    page.wait_for_url(re.compile(r".*action=deletion$"))
    page.wait_for_function(
        "document.querySelectorAll('table.activity-table tbody tr').length === 1"
    )
    assert page.locator("header.site-header").count() == 1
    assert page.locator("#filters").count() == 1
    assert page.console_errors == []


def test_permalink_works_without_javascript(chromium, live_server, support_user, desk) -> None:
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", support_user.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto("/audit/activity/?action=change")
    assert page.locator("table.activity-table tbody tr").count() == 1
    # The lazy panels are links without JavaScript.
    page.get_by_role("link", name="Show facet counts").click()
    assert page.get_by_role("heading", name="Facet counts").is_visible()
    page.get_by_role("link", name=re.compile("Deletion")).first.click()
    page.wait_for_url(re.compile(r".*/audit/activity/\?action=deletion$"))
    assert page.locator("table.activity-table tbody tr").count() == 1
    context.close()
