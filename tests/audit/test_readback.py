"""What we write is what the console's reader (auditconsole.changes) reads back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User

from auditconsole.audit import ADDITION, CHANGE, DELETION, log_action, log_actions
from auditconsole.changes import FieldChange, change_summary, extra_message, parse_changes
from project.demo.models import Customer, Invoice, Ticket


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    return make_user("agent")


def test_changes_read_back_field_by_field(
    agent: User, invoice: Invoice, acme: Customer, globex: Customer
) -> None:
    log_action(
        agent,
        invoice,
        CHANGE,
        changes={
            "amount": (invoice.amount, None),
            "customer": (acme, globex),
            "due_date": (invoice.due_date, None),
            "status": ("draft", "paid"),
        },
    )
    entry = LogEntry.objects.get()
    assert parse_changes(entry.change_message) == [
        FieldChange("amount", "Amount", "120.50", None),
        FieldChange(
            "customer",
            "Customer",
            {"pk": str(acme.pk), "repr": "Acme"},
            {"pk": str(globex.pk), "repr": "Globex"},
        ),
        FieldChange("due_date", "Due date", "2026-05-01", None),
        FieldChange("status", "Status", "draft", "paid"),
    ]
    assert extra_message(entry.change_message) is None
    assert change_summary(entry) == "Changed Amount, Customer, Due date and Status."
    customer = parse_changes(entry.change_message)[1]
    assert (customer.old_display, customer.new_display) == (
        f"Acme ({acme.pk})",
        f"Globex ({globex.pk})",
    )


def test_message_and_changes_read_back(agent: User, ticket: Ticket) -> None:
    entry = log_action(agent, ticket, CHANGE, "Escalated", changes={"priority": ("normal", "high")})
    assert extra_message(entry.change_message) == "Escalated"
    assert parse_changes(entry.change_message) == [
        FieldChange("priority", "Priority", "normal", "high")
    ]


def test_additions_read_back_with_their_values(agent: User, ticket: Ticket) -> None:
    entry = log_action(agent, ticket, ADDITION, changes={"subject": (None, ticket.subject)})
    assert change_summary(entry) == "Added."
    assert parse_changes(entry.change_message) == [
        FieldChange("subject", "Subject", None, "Printer on fire")
    ]


@pytest.mark.parametrize(
    ("action", "message"),
    [(CHANGE, "Plain text"), (DELETION, None), (DELETION, "Spam"), (ADDITION, None)],
)
def test_entries_without_values_have_no_diff(
    agent: User, ticket: Ticket, action: int, message: str | None
) -> None:
    entry = log_action(agent, ticket, action, message)
    assert parse_changes(entry.change_message) == []
    assert extra_message(entry.change_message) is None


def test_redacted_values_read_back_as_the_placeholder(agent: User, settings: Any) -> None:
    settings.AUDITCONSOLE_REDACTED_PLACEHOLDER = "[redacted]"
    entry = log_action(agent, agent, CHANGE, changes={"password": ("old-hash", "new-hash")})
    assert parse_changes(entry.change_message) == [
        FieldChange("password", "Password", "[redacted]", "[redacted]")
    ]


def test_bulk_entries_read_back(agent: User, acme: Customer) -> None:
    tickets = [Ticket.objects.create(customer=acme, subject=f"T{n}") for n in range(2)]
    log_actions(agent, tickets, CHANGE, "Bulk close", changes={"status": ("open", "closed")})
    for entry in LogEntry.objects.all():
        assert parse_changes(entry.change_message) == [
            FieldChange("status", "Status", "open", "closed")
        ]
        assert extra_message(entry.change_message) == "Bulk close"
