"""The demo's logs name the desk's own records: every audit record opens a real object."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection

from project.demo.catalogue import Catalogue
from project.demo.logshapes import LogFactory
from project.demo.models import Customer, Invoice, Ticket
from project.demo.seed import SeedResult


def crud_fields(factory: LogFactory, when: datetime, count: int) -> list[dict]:
    return [factory.crud(when).__dict__ for _ in range(count)]


def test_a_seeded_desk_is_read_whole(seeded: SeedResult) -> None:
    catalogue = Catalogue.from_database()
    assert catalogue.tickets == tuple(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    assert {pk for pk, _, _ in catalogue.customers} == set(
        Customer.objects.values_list("pk", flat=True)
    )
    numbers = [n for year in sorted(catalogue.invoices) for n in catalogue.invoices[year]]
    assert sorted(numbers) == sorted(Invoice.objects.values_list("number", flat=True))
    for year, of_year in catalogue.invoices.items():
        assert all(number.startswith(f"INV-{year}-") for number in of_year)


def test_audit_records_name_only_existing_objects(seeded: SeedResult) -> None:
    factory = LogFactory(random.Random(3), Catalogue.from_database())
    customers = {c.pk: c for c in Customer.objects.all()}
    tickets = set(Ticket.objects.values_list("pk", flat=True))
    invoices = set(Invoice.objects.values_list("number", flat=True))
    seen = set()
    for record in crud_fields(factory, datetime(2026, 10, 30, 12, tzinfo=UTC), 400):
        model, instance_id = record["model"], record["instance_id"]
        seen.add(model)
        if model == "Ticket":
            assert int(instance_id) in tickets
            assert record["instance_repr"]["customer_id"] in customers
        elif model == "Customer":
            customer = customers[int(instance_id)]
            assert record["instance_repr"]["name"] == customer.name
            assert record["instance_repr"]["email"] == customer.email
        else:
            assert instance_id in invoices and instance_id.startswith("INV-2026-")
    assert seen == {"Ticket", "Customer", "Invoice"}


def test_a_year_without_invoices_draws_from_the_latest_year() -> None:
    catalogue = Catalogue(invoices={2025: ("INV-2025-0001",), 2026: ("INV-2026-0007",)})
    factory = LogFactory(random.Random(1), catalogue)
    assert factory.invoice_number(datetime(2025, 3, 1, tzinfo=UTC)) == "INV-2025-0001"
    assert factory.invoice_number(datetime(2027, 1, 5, tzinfo=UTC)) == "INV-2026-0007"
    # No invoices at all: a number of the record's year, as before.
    made_up = LogFactory(random.Random(1)).invoice_number(datetime(2027, 1, 5, tzinfo=UTC))
    assert made_up.startswith("INV-2027-")


@pytest.mark.django_db
def test_an_empty_desk_or_no_database_falls_back_to_the_ranges() -> None:
    assert Catalogue.from_database() == Catalogue()

    def unreachable(execute, sql, params, many, context):
        raise DatabaseError("no such table: demo_ticket")

    with connection.execute_wrapper(unreachable):
        assert Catalogue.from_database() == Catalogue()
