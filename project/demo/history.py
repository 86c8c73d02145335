"""Ninety days of a support desk, written to ``LogEntry`` exactly as the Django admin writes it.

The desk is planned in memory first: customers, tickets and invoices with their final
state, and for each object an ordered list of events (added, changed, deleted) by real
staff users. Then everything is written in bulk:

* objects with ``bulk_create``, in creation order so primary keys grow with time;
* history through Django's own ``LogEntry.objects.log_actions()``, one call per
  (user, action, message) group, the way an admin bulk action logs a whole queryset;
* ``log_actions`` stamps ``action_time=now``, so times are backdated afterwards
  (:func:`backdate`);
* objects whose last event is a deletion are deleted last, after their DELETION entry,
  as ``ModelAdmin.log_deletions`` does.

Change messages come in the three shapes a real project's table holds:

* field changes made "in the app", through the project's own audit helpers: the admin's
  JSON plus the before/after values (:func:`auditconsole.audit.build_change_message`),
  so the console can show a diff;
* field changes made in the Django admin (every edit by the superuser, and a share of the
  desk's): the admin's JSON alone (``construct_change_message``), field labels without
  values: capitalised verbose names, stored untranslated;
* notes (a merge, a reminder, a payment booked with a remark): plain text.

The simulation records every field change as ``(old, new)`` whichever shape is written, so
each object's values form one unbroken chain ending at the state saved in the database.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.text import capfirst, slugify

from auditconsole.audit import build_change_message
from project.demo.accounts import Accounts
from project.demo.models import Customer, Invoice, Ticket
from project.demo.timeline import Clock
from project.demo.trails import backdate_deletions
from project.demo.vocabulary import (
    COMPANY_FIRST,
    COMPANY_SECOND,
    COMPANY_SUFFIX,
    CONTRACTOR,
    CUSTOMER_NOTES,
    INVOICE_NOTES,
    PHONE_PREFIXES,
    RESOLUTIONS,
    TICKET_NOTES,
    TICKET_SUBJECTS,
)

WINDOW = timedelta(days=90)
ChangeMessage = list[dict[str, Any]] | str
Changes = dict[str, tuple[Any, Any]]

ADDED: list[dict[str, Any]] = [{"added": {}}]
# The admin's password form reports the pseudo-field "password", which has no form field
# and therefore no label: the admin stores it lower-case, and so do we.
PASSWORD_CHANGED: list[dict[str, Any]] = [{"changed": {"fields": ["password"]}}]

PLAN_TICKET_WEIGHT = {"free": 1, "starter": 2, "team": 3, "enterprise": 5}
PLAN_INVOICE_WEIGHT = {"free": 0, "starter": 1, "team": 2, "enterprise": 3}
PLAN_UPGRADE = {"free": "starter", "starter": "team", "team": "enterprise", "enterprise": "team"}
CURRENCIES = ("EUR", "EUR", "USD", "GBP")
EMAIL_LOCAL_PARTS = ("billing", "accounts", "it", "admin", "ops", "finance", "hello")
CITIES = ("Berlin", "Leeds", "Austin", "Lyon", "Malmö", "Porto", "Dublin", "Graz")
PHONES = tuple(f"{prefix}{number:02d}" for prefix in PHONE_PREFIXES for number in range(100))
CENT = Decimal("0.01")

#: Share of the desk's field changes made in the Django admin rather than in the app:
#: their entries name the fields but carry no values. With the superuser's edits (always
#: in the admin) about 30% of field-change entries have no diff, so the console shows both.
ADMIN_SHARE = 0.2

# Objects per requested LogEntry row, measured on the generated history, so that
# --entries N yields about N rows with a desk of matching size.
CUSTOMERS_PER_ENTRY = 0.065
TICKETS_PER_ENTRY = 0.31
INVOICES_PER_ENTRY = 0.105


def backdate(entries: list[LogEntry]) -> None:
    """Store each entry's ``action_time`` with one parameterised UPDATE run per row.

    ``bulk_update(entries, ["action_time"])`` does the same through one CASE WHEN per
    row; for 5,000 rows compiling those took 2.1 s, most of the whole seed. executemany()
    takes milliseconds on SQLite and PostgreSQL alike.
    """
    ops = connection.ops
    table = ops.quote_name(LogEntry._meta.db_table)
    column = ops.quote_name(LogEntry._meta.get_field("action_time").column)
    key = ops.quote_name(LogEntry._meta.pk.column)
    rows = [(ops.adapt_datetimefield_value(entry.action_time), entry.pk) for entry in entries]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {key} = %s", rows)  # noqa: S608


def changed(model: type[models.Model], *field_names: str) -> list[dict[str, Any]]:
    """What ``construct_change_message`` records when a form changes ``field_names``."""
    with translation.override(None):
        labels = [str(capfirst(model._meta.get_field(name).verbose_name)) for name in field_names]
    return [{"changed": {"fields": labels}}]


@dataclass
class Event:
    when: datetime
    actor: User
    flag: int
    #: What the Django admin writes for this event: its JSON, or a plain-text note.
    message: ChangeMessage
    target: models.Model
    #: Every field this event changed, as (old, new), even when the entry will not show it.
    changes: Changes | None = None
    #: Made in the app, whose audit helpers store ``changes`` with the entry.
    with_values: bool = False

    def change_message(self) -> ChangeMessage:
        """The ``change_message`` to write: the admin's, or our helpers' with the values."""
        if self.with_values and self.changes:
            return build_change_message(self.target, self.flag, None, self.changes)
        return self.message


@dataclass
class HistoryReport:
    customers: int = 0
    tickets: int = 0
    invoices: int = 0
    deleted: Counter[str] = field(default_factory=Counter)
    entries: Counter[int] = field(default_factory=Counter)
    #: Change entries written with before/after values.
    with_values: int = 0

    @property
    def total_entries(self) -> int:
        return sum(self.entries.values())


class DeskHistory:
    """Plans the desk and its history in memory, then writes both (see the module docstring)."""

    def __init__(self, accounts: Accounts, rng: random.Random, now: datetime) -> None:
        self.accounts = accounts
        self.rng = rng
        self.clock = Clock(rng)
        self.now = now
        self.start = now - WINDOW
        self.customers: list[Customer] = []
        self.tickets: list[Ticket] = []
        self.invoices: list[Invoice] = []
        self.events: list[Event] = []
        #: What the story deletes, when and by whom.
        self.doomed: list[tuple[models.Model, datetime, User]] = []
        self.duplicates: set[int] = set()  # id() of customers created by mistake
        self.contractor: User | None = None
        self.joined: dict[str, datetime] = {}
        self._names: set[str] = set()

    # --- planning -------------------------------------------------------------------

    def plan(self, entries: int) -> None:
        self.plan_customers(max(12, round(entries * CUSTOMERS_PER_ENTRY)))
        self.plan_tickets(max(30, round(entries * TICKETS_PER_ENTRY)))
        self.plan_invoices(max(12, round(entries * INVOICES_PER_ENTRY)))
        self.plan_users()

    def _log(
        self,
        when: datetime,
        actor: User,
        flag: int,
        target: models.Model,
        message: ChangeMessage = "",
    ) -> None:
        self.events.append(Event(when, actor, flag, message, target))

    def _change(
        self, when: datetime, actor: User, target: models.Model, note: str = "", **values: Any
    ) -> None:
        """Set ``values`` on ``target`` and log the change with each field's old and new value.

        Fields that keep their value are left out, as a form's ``changed_data`` leaves them
        out; a save that changes nothing is not logged at all. With a ``note`` the entry is
        that plain text, as the admin stores a typed remark: the values are remembered here
        but not written.
        """
        changes: Changes = {}
        for name, new in values.items():
            old = getattr(target, name)
            if old != new:
                changes[name] = (old, new)
                setattr(target, name, new)
        if not changes:
            return
        message = note or changed(type(target), *changes)
        self.events.append(
            Event(
                when,
                actor,
                CHANGE,
                message,
                target,
                changes,
                with_values=not note and self._in_the_app(actor),
            )
        )

    def _in_the_app(self, actor: User) -> bool:
        """Whether ``actor`` made an edit in the app (values logged) or in the Django admin."""
        # The superuser works in the Django admin; the desk mostly in the app.
        return actor.pk != self.accounts.admin.pk and self.rng.random() >= ADMIN_SHARE

    def _delete(self, when: datetime, actor: User, target: models.Model) -> None:
        # ModelAdmin.log_deletions() writes an empty change message.
        self._log(when, actor, DELETION, target)
        self.doomed.append((target, when, actor))

    def _company_name(self) -> str:
        rng = self.rng
        name = (
            f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)}{rng.choice(COMPANY_SUFFIX)}"
        )
        if name in self._names:
            name = f"{name} ({rng.choice(CITIES)})"
        number = 2
        base = name
        while name in self._names:
            name = f"{base} {number}"
            number += 1
        self._names.add(name)
        return name

    def _new_customer(self, created: datetime) -> Customer:
        rng = self.rng
        name = self._company_name()
        domain = slugify(name.split(" (")[0])[:40] or "customer"
        return Customer(
            name=name,
            email=f"{rng.choice(EMAIL_LOCAL_PARTS)}@{domain}.example",
            phone=f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(100):02d}",
            plan=rng.choices(list(Customer.Plan.values), weights=(4, 4, 3, 1))[0],
            created=created,
        )

    def plan_customers(self, count: int) -> None:
        rng, clock, desk = self.rng, self.clock, self.accounts.desk
        editors = [*desk, self.accounts.staff]
        for _ in range(count):
            new = rng.random() < 0.3
            if new:
                created = clock.between(self.start, self.now - timedelta(days=1))
            else:
                created = clock.between(self.now - timedelta(days=3 * 365), self.start)
            customer = self._new_customer(created)
            self.customers.append(customer)
            if new:
                self._log(created, rng.choice(editors), ADDITION, customer, ADDED)
            if rng.random() < (0.35 if new else 0.25):
                when = clock.between(max(created, self.start), self.now)
                fields = rng.choice(
                    (("plan",), ("plan",), ("email",), ("phone",), ("email", "phone"))
                )
                values = {name: self._edited(customer, name) for name in fields}
                self._change(when, rng.choice(editors), customer, **values)
            if rng.random() < 0.03:
                when = clock.between(max(created, self.start), self.now)
                self._log(when, rng.choice(desk), CHANGE, customer, CUSTOMER_NOTES[1])
        self._plan_duplicates(max(1, count // 50))

    def _edited(self, customer: Customer, name: str) -> str:
        """A new value for a customer field: the next plan, another contact address or phone."""
        rng = self.rng
        if name == "plan":
            return PLAN_UPGRADE[customer.plan]
        if name == "email":
            local, domain = customer.email.split("@")
            return f"{rng.choice([part for part in EMAIL_LOCAL_PARTS if part != local])}@{domain}"
        return rng.choice([phone for phone in PHONES if phone != customer.phone])

    def _plan_duplicates(self, count: int) -> None:
        """Customers entered twice by mistake: merged into the original, then deleted."""
        rng, clock = self.rng, self.clock
        # Only a customer who already existed can be entered a second time.
        cutoff = self.now - timedelta(days=3)
        originals = [c for c in self.customers if c.created < cutoff] or list(self.customers)
        for _ in range(count):
            original = rng.choice(originals)
            earliest = max(self.start, original.created + timedelta(hours=1))
            created = clock.between(earliest, self.now - timedelta(days=2))
            duplicate = self._new_customer(created)
            duplicate.name = f"{original.name} (duplicate)"
            duplicate.plan = Customer.Plan.FREE
            self.customers.append(duplicate)
            self.duplicates.add(id(duplicate))
            actor = rng.choice(self.accounts.desk)
            self._log(created, rng.choice(self.accounts.desk), ADDITION, duplicate, ADDED)
            # Noticed within a day, merged, and the duplicate removed soon after; all of
            # it at least a day ago, so no step can fall into the future.
            merged = clock.between(created + timedelta(minutes=5), created + timedelta(days=1))
            self._log(merged, actor, CHANGE, original, CUSTOMER_NOTES[0])
            gone = clock.between(merged + timedelta(minutes=2), merged + timedelta(hours=2))
            self._delete(gone, actor, duplicate)

    def _customers_by(self, weights: dict[str, int]) -> tuple[list[Customer], list[int]]:
        pool = [c for c in self.customers if id(c) not in self.duplicates]
        chosen = [weights[c.plan] for c in pool]
        if not any(chosen):
            chosen = [1] * len(pool)
        return pool, chosen

    def _created_for(self, customer: Customer, recent_share: float) -> tuple[datetime, bool]:
        """When a ticket or invoice of ``customer`` was created, and whether in the window."""
        if customer.created >= self.start or self.rng.random() < recent_share:
            earliest = max(self.start, customer.created + timedelta(hours=1))
            return self.clock.between(earliest, self.now), True
        earliest = max(customer.created, self.now - timedelta(days=365))
        return self.clock.between(earliest, self.start), False

    def plan_tickets(self, count: int) -> None:
        rng = self.rng
        pool, weights = self._customers_by(PLAN_TICKET_WEIGHT)
        for _ in range(count):
            customer = rng.choices(pool, weights)[0]
            created, recent = self._created_for(customer, 0.65)
            ticket = Ticket(
                customer=customer,
                subject=rng.choice(TICKET_SUBJECTS),
                priority=rng.choices(list(Ticket.Priority.values), weights=(3, 8, 3, 1))[0],
                created=created,
            )
            self.tickets.append(ticket)
            if recent:
                self.ticket_lifecycle(ticket)
            else:
                ticket.status = Ticket.Status.CLOSED
                ticket.assignee = rng.choice(self.accounts.agents)
                ticket.resolution_note = rng.choice(RESOLUTIONS)

    def ticket_lifecycle(self, ticket: Ticket) -> None:
        """Added, usually assigned, maybe parked, usually closed; never past ``now``."""
        rng, clock, now, desk = self.rng, self.clock, self.now, self.accounts.desk
        when: datetime | None = ticket.created
        self._log(when, rng.choice(desk), ADDITION, ticket, ADDED)
        if rng.random() < 0.03:
            when = clock.after(when, timedelta(days=2), now)
            if when is not None:
                # Spam or a ticket opened twice: deleted with its history kept.
                self._delete(when, rng.choice(desk), ticket)
            return
        if rng.random() < 0.8:
            when = clock.after(when, timedelta(days=2), now)
            if when is None:
                return
            assignee = rng.choice(self.accounts.agents)
            actor = assignee if rng.random() < 0.6 else rng.choice(desk)
            values: dict[str, Any] = {"assignee": assignee}
            if rng.random() < 0.15:
                raised = (Ticket.Priority.HIGH, Ticket.Priority.URGENT)
                values["priority"] = rng.choice([p for p in raised if p != ticket.priority])
            self._change(when, actor, ticket, **values)
        worker = ticket.assignee or rng.choice(desk)
        if rng.random() < 0.04:
            note_time = clock.after(when, timedelta(days=3), now)
            if note_time is not None:
                when = note_time
                self._log(when, worker, CHANGE, ticket, rng.choice(TICKET_NOTES))
        if rng.random() < 0.35:
            when = clock.after(when, timedelta(days=3), now)
            if when is None:
                return
            self._change(when, worker, ticket, status=Ticket.Status.PENDING)
        age = now - ticket.created
        if rng.random() < (0.85 if age > timedelta(days=4) else 0.3):
            closed = self._close(ticket, worker, when)
            # Reopened when the customer writes back; only tickets closed a while ago.
            if closed is not None and closed < now - timedelta(days=1) and rng.random() < 0.07:
                reopened = clock.between(
                    closed + timedelta(minutes=2), min(closed + timedelta(days=6), now)
                )
                self._change(reopened, rng.choice(desk), ticket, status=Ticket.Status.OPEN)
                self._close(ticket, worker, reopened)

    def _close(self, ticket: Ticket, actor: User, after: datetime) -> datetime | None:
        when = self.clock.after(after, timedelta(days=6), self.now)
        if when is not None:
            # Closed again after a reopen: a note of its own, so the diff shows the new one.
            note = self.rng.choice([n for n in RESOLUTIONS if n != ticket.resolution_note])
            self._change(when, actor, ticket, status=Ticket.Status.CLOSED, resolution_note=note)
        return when

    def plan_invoices(self, count: int) -> None:
        rng = self.rng
        pool, weights = self._customers_by(PLAN_INVOICE_WEIGHT)
        currency = {id(c): rng.choice(CURRENCIES) for c in pool}
        billing = [self.accounts.support, self.accounts.agents[2], self.accounts.admin]
        for _ in range(count):
            customer = rng.choices(pool, weights)[0]
            created, recent = self._created_for(customer, 0.6)
            invoice = Invoice(
                number="",
                customer=customer,
                amount=self._amount(customer),
                currency=currency[id(customer)],
                due_date=(created + timedelta(days=30)).date(),
                created=created,
            )
            self.invoices.append(invoice)
            actor = rng.choice(billing)
            if recent:
                self.invoice_lifecycle(invoice, actor)
            elif rng.random() < 0.2:
                # Sent before the window and paid late: the payment is booked inside it.
                invoice.status = Invoice.Status.SENT
                paid = self.clock.between(self.start, self.now)
                self._change(paid, actor, invoice, status=Invoice.Status.PAID)
            else:
                invoice.status = rng.choices(
                    (Invoice.Status.PAID, Invoice.Status.VOID), weights=(30, 1)
                )[0]
        self._number_invoices()

    def _amount(self, customer: Customer) -> Decimal:
        rng = self.rng
        if customer.plan == Customer.Plan.ENTERPRISE:
            cents = rng.randrange(120_000, 900_000)
        elif customer.plan == Customer.Plan.TEAM:
            cents = 2900 * rng.randrange(3, 40)
        else:
            cents = rng.choice((4900, 4900, 9800, 14700))
        return (Decimal(cents) / 100).quantize(CENT)

    def invoice_lifecycle(self, invoice: Invoice, actor: User) -> None:
        """Drafted, sent, reminded, paid (or voided or deleted as a draft); never past ``now``."""
        rng, clock, now = self.rng, self.clock, self.now
        when: datetime | None = invoice.created
        self._log(when, actor, ADDITION, invoice, ADDED)
        if rng.random() < 0.08:
            fixed = clock.after(when, timedelta(hours=6), now)
            if fixed is not None:
                when = fixed
                corrected = (invoice.amount * Decimal("0.9")).quantize(CENT)
                self._change(when, actor, invoice, amount=corrected)
        sent = clock.after(when, timedelta(days=2), now) if rng.random() < 0.9 else None
        if sent is None:
            if rng.random() < 0.3:
                gone = clock.after(when, timedelta(days=5), now)
                if gone is not None:
                    self._delete(gone, actor, invoice)
            return
        self._change(sent, actor, invoice, status=Invoice.Status.SENT)
        when = sent
        if rng.random() < 0.05:
            when = clock.after(when, timedelta(days=10), now)
            if when is not None:
                self._change(when, actor, invoice, status=Invoice.Status.VOID)
            return
        if rng.random() < 0.06:
            moved = clock.after(when, timedelta(days=20), now)
            if moved is not None:
                when = moved
                self._change(when, actor, invoice, due_date=invoice.due_date + timedelta(days=14))
        due = datetime.combine(invoice.due_date, datetime.min.time(), tzinfo=when.tzinfo)
        if due < now and rng.random() < 0.25:
            reminded = clock.after(max(due, when), timedelta(days=5), now)
            if reminded is not None:
                when = reminded
                self._log(when, actor, CHANGE, invoice, INVOICE_NOTES[0])
        if rng.random() < 0.8:
            paid = clock.after(when, timedelta(days=35), now)
            if paid is not None:
                note = INVOICE_NOTES[2] if rng.random() < 0.15 else ""
                self._change(paid, actor, invoice, note, status=Invoice.Status.PAID)
                if rng.random() < 0.03:
                    refund = clock.after(paid, timedelta(days=10), now)
                    if refund is not None:
                        self._log(refund, self.accounts.admin, CHANGE, invoice, INVOICE_NOTES[1])

    def _number_invoices(self) -> None:
        """INV-<year>-<sequence>, numbered in creation order like a real billing system."""
        self.invoices.sort(key=lambda invoice: invoice.created)
        sequence: Counter[int] = Counter()
        for invoice in self.invoices:
            year = invoice.created.year
            sequence[year] += 1
            invoice.number = f"INV-{year}-{sequence[year]:04d}"

    def plan_users(self) -> None:
        """The admin set up the team's accounts at the start of the window."""
        accounts, clock, admin = self.accounts, self.clock, self.accounts.admin
        profile = ("first_name", "last_name", "email", "is_staff")
        # Only accounts this run created: an older account's history is not ours to invent.
        team = [
            user
            for user in (accounts.support, accounts.staff, *accounts.agents)
            if user.username in accounts.created
        ]
        for user in team:
            added = clock.between(self.start, self.start + timedelta(days=4))
            self.joined[user.username] = added
            self._log(added, admin, ADDITION, user, ADDED)
            fields = profile if user is accounts.staff else (*profile, "groups")
            edited = clock.after(added, timedelta(minutes=30), self.now)
            self._log(edited or added, admin, CHANGE, user, changed(User, *fields))
        for user in self.rng.sample(accounts.agents, 2):
            when = clock.between(self.start + timedelta(days=10), self.now)
            self._log(when, admin, CHANGE, user, PASSWORD_CHANGED)
        if User.objects.filter(username=CONTRACTOR.username).exists():
            return
        added = clock.between(self.start + timedelta(days=20), self.start + timedelta(days=30))
        self.contractor = User(
            username=CONTRACTOR.username,
            first_name=CONTRACTOR.first_name,
            last_name=CONTRACTOR.last_name,
            email=f"{CONTRACTOR.username}@support.example.com",
            is_staff=True,
            date_joined=added,
        )
        self.contractor.set_unusable_password()
        self._log(added, admin, ADDITION, self.contractor, ADDED)
        edited = clock.after(added, timedelta(minutes=20), self.now) or added
        self._log(edited, admin, CHANGE, self.contractor, changed(User, *profile))
        gone = clock.after(edited, timedelta(days=40), self.now) or edited
        self._delete(gone, admin, self.contractor)

    # --- writing --------------------------------------------------------------------

    def write(self, *, with_entries: bool = True) -> HistoryReport:
        report = HistoryReport()
        with transaction.atomic():
            self.customers.sort(key=lambda customer: customer.created)
            self.tickets.sort(key=lambda ticket: ticket.created)
            Customer.objects.bulk_create(self.customers)
            Ticket.objects.bulk_create(self.tickets)
            Invoice.objects.bulk_create(self.invoices)
            if self.contractor is not None:
                self.contractor.save()
            self._backdate_new_accounts()
            if with_entries:
                report.entries = self._write_entries()
                report.with_values = sum(1 for event in self.events if event.with_values)
            for target, _, _ in self.doomed:
                report.deleted[target._meta.label] += 1
            self._delete_doomed()
        report.customers = Customer.objects.count()
        report.tickets = Ticket.objects.count()
        report.invoices = Invoice.objects.count()
        return report

    def _backdate_new_accounts(self) -> None:
        # plan_users() only invents a join date for accounts this run created.
        users = [
            user
            for user in (self.accounts.support, self.accounts.staff, *self.accounts.agents)
            if user.username in self.joined
        ]
        for user in users:
            user.date_joined = self.joined[user.username]
        User.objects.bulk_update(users, ["date_joined"])

    def _write_entries(self) -> Counter[int]:
        # Messages are built only now, after bulk_create: a value that is a model instance
        # is stored with its primary key, which objects planned in this run have only now.
        # Values split the groups (an assignee, a resolution note): the default desk takes
        # about 500 log_actions() calls instead of 120, some 0.3 s more on SQLite.
        groups: dict[tuple[int, int, str], list[Event]] = {}
        for event in self.events:
            message = event.change_message()
            # The text log_actions() would store: it json.dumps() a list the same way.
            text = message if isinstance(message, str) else json.dumps(message)
            groups.setdefault((event.actor.pk, event.flag, text), []).append(event)
        entries: list[LogEntry] = []
        for (actor_id, flag, text), group in groups.items():
            written = LogEntry.objects.log_actions(
                actor_id,
                [event.target for event in group],
                flag,
                change_message=text,
            )
            for entry, event in zip(written, group, strict=True):
                entry.action_time = event.when
                entries.append(entry)
        backdate(entries)
        return Counter(entry.action_flag for entry in entries)

    def _delete_doomed(self) -> None:
        # Invoices before customers: Invoice.customer is PROTECT.
        for model in (Invoice, Ticket, Customer, User):
            keys = [target.pk for target, _, _ in self.doomed if isinstance(target, model)]
            if keys:
                model.objects.filter(pk__in=keys).delete()
        # The audit packages recorded the customers' deletions just now: at the story's time.
        backdate_deletions(
            [
                (target.pk, when, actor)
                for target, when, actor in self.doomed
                if isinstance(target, Customer)
            ]
        )
