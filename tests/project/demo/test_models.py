"""The demo models and their admin registration."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from project.demo.admin import CustomerAdmin, InvoiceAdmin, TicketAdmin
from project.demo.models import Customer, Invoice, Ticket


@pytest.fixture
def desk(db: None, django_user_model) -> dict[str, object]:
    agent = django_user_model.objects.create_user("priya", is_staff=True)
    customer = Customer.objects.create(name="Northwind Analytics", email="it@northwind.example")
    ticket = Ticket.objects.create(customer=customer, subject="Cannot log in", assignee=agent)
    invoice = Invoice.objects.create(
        number="INV-2026-0001",
        customer=customer,
        amount=Decimal("49.00"),
        due_date=date(2026, 12, 1),
    )
    return {"customer": customer, "ticket": ticket, "invoice": invoice, "agent": agent}


def test_str(desk: dict[str, object]) -> None:
    ticket = desk["ticket"]
    assert str(desk["customer"]) == "Northwind Analytics"
    assert str(ticket) == f"#{ticket.pk} Cannot log in"
    assert str(desk["invoice"]) == "INV-2026-0001"


def test_defaults(desk: dict[str, object]) -> None:
    ticket, invoice, customer = desk["ticket"], desk["invoice"], desk["customer"]
    assert (ticket.status, ticket.priority, ticket.resolution_note) == ("open", "normal", "")
    assert (invoice.status, invoice.currency) == ("draft", "EUR")
    assert customer.plan == "free"
    assert timezone.now() - customer.created < timedelta(minutes=1)


def test_invoice_primary_key_is_the_number(desk: dict[str, object]) -> None:
    assert Invoice._meta.pk.name == "number"
    assert Invoice.objects.get(pk="INV-2026-0001") == desk["invoice"]


@pytest.mark.parametrize("number", ["INV-2026-1", "2026-0001", "INV-26-0001", "inv-2026-0001"])
def test_invoice_number_is_validated(desk: dict[str, object], number: str) -> None:
    invoice = desk["invoice"]
    invoice.number = number
    with pytest.raises(ValidationError) as excinfo:
        invoice.full_clean()
    assert "number" in excinfo.value.message_dict


def test_ordering(db: None) -> None:
    now = timezone.now()
    zed = Customer.objects.create(name="Zephyr", email="z@z.example", created=now)
    alder = Customer.objects.create(name="Alder", email="a@a.example", created=now)
    assert list(Customer.objects.all()) == [alder, zed]
    old = Ticket.objects.create(customer=zed, subject="old", created=now - timedelta(days=2))
    new = Ticket.objects.create(customer=zed, subject="new", created=now)
    assert list(Ticket.objects.all()) == [new, old]


def test_verbose_names_feed_the_admin_change_message() -> None:
    # LogEntry change messages carry these, capitalised: "Changed Status and Resolution note."
    assert Ticket._meta.get_field("resolution_note").verbose_name == "resolution note"
    assert Invoice._meta.get_field("due_date").verbose_name == "due date"
    assert Customer._meta.get_field("email").verbose_name == "email address"
    assert (Ticket._meta.verbose_name, Invoice._meta.verbose_name_plural) == ("ticket", "invoices")


def test_customer_with_invoices_cannot_be_deleted(desk: dict[str, object]) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        desk["customer"].delete()


def test_registered_in_admin() -> None:
    assert isinstance(admin.site._registry[Customer], CustomerAdmin)
    assert isinstance(admin.site._registry[Ticket], TicketAdmin)
    assert isinstance(admin.site._registry[Invoice], InvoiceAdmin)
    assert "status" in TicketAdmin.list_filter
    assert "number" in InvoiceAdmin.search_fields


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("customer", "?q=northwind&plan__exact=free"),
        ("ticket", "?q=log+in&status__exact=open&priority__exact=normal"),
        ("invoice", "?q=INV-2026&status__exact=draft&currency__exact=EUR"),
    ],
)
def test_admin_changelists_search_and_filter(
    desk: dict[str, object], client_for, superuser, model: str, query: str
) -> None:
    response = client_for(superuser).get(reverse(f"admin:demo_{model}_changelist") + query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_admin_change_page_for_string_key(desk: dict[str, object], client_for, superuser) -> None:
    url = reverse("admin:demo_invoice_change", args=["INV-2026-0001"])
    response = client_for(superuser).get(url)
    assert response.status_code == 200
    assert b"INV-2026-0001" in response.content
