"""Our entries on the admin's own history page, beside the admin's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from auditconsole.audit import ADDITION, CHANGE, log_action
from auditconsole.changes import parse_changes
from project.demo.models import Customer, Invoice, Ticket


@pytest.fixture
def admin_client(client_for: Callable[[User | None], Client], superuser: User) -> Client:
    return client_for(superuser)


def history(client: Client, obj: Any) -> str:
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_history_page_renders_our_entries(
    admin_client: Client, make_user: Callable[..., User], ticket: Ticket, globex: Customer
) -> None:
    agent = make_user("agent", superuser=False)
    log_action(agent, ticket, ADDITION)
    log_action(agent, ticket, CHANGE, "Escalated <to> tier 2")
    log_action(
        agent,
        ticket,
        CHANGE,
        "Moved to the right customer",
        changes={"customer": (ticket.customer, globex), "resolution_note": ("", "Moved")},
    )
    page = history(admin_client, ticket)
    assert "Added." in page
    assert "Escalated &lt;to&gt; tier 2" in page
    assert "Changed Customer and Resolution note." in page
    assert "3 entries" in page
    assert page.count(">agent<") == 3
    # The values are the console's business: the admin shows none of them.
    assert "&quot;changes&quot;" not in page
    assert "Globex" not in page


def test_history_of_a_string_primary_key(
    admin_client: Client, superuser: User, invoice: Invoice
) -> None:
    log_action(superuser, invoice, CHANGE, changes={"status": ("draft", "sent")})
    assert "Changed Status." in history(admin_client, invoice)


def test_the_admins_own_entries_are_untouched(
    admin_client: Client, superuser: User, ticket: Ticket
) -> None:
    url = reverse("admin:demo_ticket_change", args=[ticket.pk])
    response = admin_client.post(
        url,
        {
            "customer": ticket.customer_id,
            "subject": "Printer on fire",
            "status": "closed",
            "priority": "high",
            "assignee": "",
            "resolution_note": "",
            "created_0": "2026-04-04",
            "created_1": "12:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get()
    assert entry.get_change_message() == "Changed Status, Priority and Created."
    # Admin entries carry no values: the console shows no diff for them.
    assert parse_changes(entry.change_message) == []
    log_action(superuser, ticket, CHANGE, changes={"priority": ("high", "urgent")})
    page = history(admin_client, ticket)
    assert "Changed Status, Priority and Created." in page
    assert "Changed Priority." in page
