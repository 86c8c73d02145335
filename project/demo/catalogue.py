"""The desk's records a log line may name, so that the demo's logs name real ones.

The audit log's CRUD records link to object pages (docs/trails.md: ``LogSourceTrail``):
a record about ``INV-2026-0565`` when the desk has 515 invoices that year would open the
page of an invoice that was never saved. Without a database (the log shapes' own tests,
an empty desk) the ranges the shapes always drew from are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DatabaseError


@dataclass(frozen=True)
class Catalogue:
    tickets: tuple[int, ...] = tuple(range(1, 2000))
    #: ``(pk, name, email)`` of each customer.
    customers: tuple[tuple[int, str, str], ...] = tuple(
        (pk, f"Customer {pk}", f"billing@customer{pk}.example") for pk in range(1, 400)
    )
    #: Invoice numbers by the year they were raised in; none: numbers made up per year.
    invoices: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_database(cls) -> Catalogue:
        """The desk as seeded; the default ranges for whatever kind it has none of, and
        for all of them when the database cannot say (the live writer needs no database:
        it may run before ``migrate``)."""
        from project.demo.models import Customer, Invoice, Ticket

        default = cls()
        invoices: dict[int, list[str]] = {}
        try:
            tickets = tuple(Ticket.objects.order_by("pk").values_list("pk", flat=True))
            customers = tuple(Customer.objects.order_by("pk").values_list("pk", "name", "email"))
            for number, created in Invoice.objects.order_by("number").values_list(
                "number", "created"
            ):
                invoices.setdefault(created.year, []).append(number)
        except DatabaseError:
            return default
        return cls(
            tickets=tickets or default.tickets,
            customers=customers or default.customers,
            invoices={year: tuple(numbers) for year, numbers in invoices.items()},
        )
