"""Demo objects for the audit-trail tests: a desk with two customers and a ticket."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from project.demo.models import Customer, Invoice, Ticket


@pytest.fixture
def acme(db: None) -> Customer:
    return Customer.objects.create(name="Acme", email="ops@acme.test")


@pytest.fixture
def globex(db: None) -> Customer:
    return Customer.objects.create(name="Globex", email="it@globex.test")


@pytest.fixture
def ticket(acme: Customer) -> Ticket:
    return Ticket.objects.create(customer=acme, subject="Printer on fire")


@pytest.fixture
def invoice(acme: Customer) -> Invoice:
    return Invoice.objects.create(
        number="INV-2026-0001",
        customer=acme,
        amount=Decimal("120.50"),
        due_date=datetime.date(2026, 5, 1),
    )
