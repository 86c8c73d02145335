"""The demo history's before/after values: written by auditconsole's helpers, read by the console.

Field changes made "in the app" carry values; those made in the Django admin name the fields
only; notes are plain text. Where values are written they must tell one consistent story:
each field's old value is the previous new one, and the last new one is what the database holds.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.text import get_text_list

from auditconsole.audit import json_safe
from auditconsole.audit.messages import field_label
from auditconsole.changes import FieldChange, extra_message, parse_changes
from project.demo.accounts import ensure_accounts
from project.demo.history import DeskHistory, changed
from project.demo.models import Customer, Invoice, Ticket
from project.demo.seed import SeedResult, seed_demo
from project.demo.vocabulary import INVOICE_NOTES, RESOLUTIONS
from tests.project.demo.conftest import SEED_NOW

#: Large enough for the rare edits (an amount corrected, a due date moved) to occur.
LARGE_DESK_ENTRIES = 2000
#: Plain-text notes that change a field although their text names none.
NOTES_THAT_CHANGE = {INVOICE_NOTES[2]: {"status"}}


@pytest.fixture
def large_desk(db: None) -> SeedResult:
    return seed_demo(entries=LARGE_DESK_ENTRIES, logs=False, now=SEED_NOW)


def kind(entry: LogEntry) -> str:
    if not entry.change_message.startswith("["):
        return "plain"
    return "values" if parse_changes(entry.change_message) else "admin"


def field_changes() -> list[LogEntry]:
    """CHANGE entries that record field changes (not notes), oldest first."""
    entries = LogEntry.objects.filter(action_flag=CHANGE).select_related("content_type", "user")
    return [e for e in entries.order_by("action_time", "id") if e.change_message.startswith("[")]


def admin_fields(entry: LogEntry) -> list[str]:
    """The field labels of the admin's part of a JSON change message."""
    return [
        label
        for part in json.loads(entry.change_message)
        for label in part.get("changed", {}).get("fields", [])
    ]


def test_a_good_share_of_field_changes_carry_values(seeded: SeedResult) -> None:
    entries = field_changes()
    kinds = Counter(kind(entry) for entry in entries)
    assert set(kinds) == {"values", "admin"}
    assert 0.6 <= kinds["values"] / len(entries) <= 0.85
    assert seeded.history is not None and seeded.history.with_values == kinds["values"]
    with_values = {e.content_type.model for e in entries if kind(e) == "values"}
    assert with_values == {"ticket", "invoice", "customer"}
    # Notes stay plain text, which the console shows as they are.
    notes = LogEntry.objects.filter(action_flag=CHANGE).exclude(change_message__startswith="[")
    assert notes.exists()
    for note in notes:
        assert parse_changes(note.change_message) == []
        assert extra_message(note.change_message) is None
        assert note.get_change_message() == note.change_message


def test_values_keep_the_admins_wording(seeded: SeedResult) -> None:
    entries = [entry for entry in field_changes() if kind(entry) == "values"]
    for entry in entries:
        rows = parse_changes(entry.change_message)
        labels = admin_fields(entry)
        assert [row.label for row in rows] == labels
        assert entry.get_change_message() == f"Changed {get_text_list(labels, 'and')}."
        assert extra_message(entry.change_message) is None
        for row in rows:
            assert row.old != row.new
    closing = next(e for e in entries if admin_fields(e) == ["Status", "Resolution note"])
    assert closing.get_change_message() == "Changed Status and Resolution note."
    status, note = parse_changes(closing.change_message)
    assert (status.field, status.new) == ("status", "closed")
    assert status.old in {"open", "pending"}
    assert note.field == "resolution_note"
    assert note.new in RESOLUTIONS


def test_entries_without_values_remain(seeded: SeedResult) -> None:
    entries = field_changes()
    admin_format = [entry for entry in entries if kind(entry) == "admin"]
    assert {e.content_type.model for e in admin_format} >= {"ticket", "invoice", "user"}
    # The superuser works in the Django admin, which records no values.
    assert all(kind(e) == "admin" for e in entries if e.user.username == "admin")
    ticket_labels = {
        label for e in admin_format if e.content_type.model == "ticket" for label in admin_fields(e)
    }
    assert {"Status", "Assignee"} <= ticket_labels


def test_each_kind_of_value_is_stored_as_json(large_desk: SeedResult) -> None:
    rows: dict[tuple[str, str], list[FieldChange]] = defaultdict(list)
    for entry in field_changes():
        for row in parse_changes(entry.change_message):
            rows[(entry.content_type.model, row.field)].append(row)
    assert set(rows) == {
        ("ticket", "status"),
        ("ticket", "priority"),
        ("ticket", "assignee"),
        ("ticket", "resolution_note"),
        ("invoice", "status"),
        ("invoice", "amount"),
        ("invoice", "due_date"),
        ("customer", "plan"),
        ("customer", "email"),
        ("customer", "phone"),
    }
    agents = dict(User.objects.values_list("pk", "username"))
    for row in rows[("ticket", "assignee")]:
        # Assigned once, from nobody to an agent: a user as the helpers store an instance.
        assert row.old is None
        assert row.new == {"pk": row.new["pk"], "repr": agents[int(row.new["pk"])]}
        assert row.new_display == f"{row.new['repr']} ({row.new['pk']})"
    for row in rows[("invoice", "amount")]:
        # Decimals as strings with their two places: no float rounding.
        assert (Decimal(row.old) * Decimal("0.9")).quantize(Decimal("0.01")) == Decimal(row.new)
        assert row.old.split(".")[1].isdigit() and len(row.old.split(".")[1]) == 2
    for row in rows[("invoice", "due_date")]:
        assert date.fromisoformat(row.new) - date.fromisoformat(row.old) == timedelta(days=14)
    for row in rows[("customer", "email")]:
        assert row.old.split("@")[1] == row.new.split("@")[1]
    for row in rows[("ticket", "status")] + rows[("invoice", "status")]:
        assert isinstance(row.old, str) and isinstance(row.new, str)


def test_values_form_one_chain_per_object_and_field(large_desk: SeedResult) -> None:
    """Old follows the previous new; the last new is the database's value.

    Only where the trail can tell: an entry without values that names the field (or a
    note that changes it) breaks the chain, since its values were never written.
    """
    timelines: dict[tuple[int, str], list[LogEntry]] = defaultdict(list)
    for entry in LogEntry.objects.order_by("action_time", "id"):
        timelines[(entry.content_type_id, entry.object_id)].append(entry)
    links = finals = 0
    for (content_type_id, object_id), entries in timelines.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        by_label = {field_label(model, f.name): f.name for f in model._meta.concrete_fields}
        known: dict[str, Any] = {}
        for entry in entries:
            if entry.action_flag != CHANGE:
                continue
            if not entry.change_message.startswith("["):
                for name in NOTES_THAT_CHANGE.get(entry.change_message, ()):
                    known.pop(name, None)
                continue
            rows = parse_changes(entry.change_message)
            if not rows:
                for label in admin_fields(entry):
                    # Users' "Groups" and "password" never carry values: kept as they are.
                    known.pop(by_label.get(label, label), None)
            for row in rows:
                if row.field in known:
                    assert row.old == known[row.field], (entry.object_repr, row)
                    links += 1
                known[row.field] = row.new
        obj = model._default_manager.filter(pk=object_id).first()
        if obj is None or not known:
            continue
        for name, value in known.items():
            assert json_safe(getattr(obj, name)) == value, (obj, name)
        finals += 1
    assert links > 100
    assert finals > 300


def test_the_plan_records_every_change_as_an_unbroken_chain(db: None) -> None:
    """In memory every change has its values, written or not, so the chains have no gaps."""
    desk = DeskHistory(ensure_accounts(), random.Random(11), timezone.now())
    desk.plan(5000)
    chains: dict[tuple[int, str], list[tuple[Any, Any]]] = defaultdict(list)
    targets: dict[int, models.Model] = {}
    kinds: Counter[str] = Counter()
    for event in sorted(desk.events, key=lambda event: event.when):
        if event.changes is None:
            assert not event.with_values
            continue
        assert event.flag == CHANGE
        targets[id(event.target)] = event.target
        for name, (old, new) in event.changes.items():
            assert old != new
            chains[(id(event.target), name)].append((old, new))
        if isinstance(event.message, str):
            kinds["note"] += 1
            assert not event.with_values
            assert event.change_message() == event.message
        else:
            kinds["values" if event.with_values else "admin"] += 1
            assert event.message == changed(type(event.target), *event.changes)
            if event.actor.username == "admin":
                assert not event.with_values
    for (target_id, name), chain in chains.items():
        for (_, new), (old, _) in pairwise(chain):
            assert old == new
        assert chain[-1][1] == getattr(targets[target_id], name)
    assert kinds["note"] > 0
    assert 0.65 <= kinds["values"] / (kinds["values"] + kinds["admin"]) <= 0.8
    # A reopened ticket is closed twice, with a resolution note of its own each time.
    reopened = [
        chain for (_, name), chain in chains.items() if name == "status" and len(chain) >= 3
    ]
    assert any(("closed", "open") in chain for chain in reopened)


def test_change_leaves_out_what_did_not_change(db: None) -> None:
    accounts = ensure_accounts()
    now = timezone.now()
    desk = DeskHistory(accounts, random.Random(1), now)
    customer = Customer(name="Acme", email="it@acme.example", plan="team", created=now)
    ticket = Ticket(customer=customer, subject="s", priority=Ticket.Priority.HIGH, created=now)

    desk._change(now, accounts.admin, ticket, priority=Ticket.Priority.HIGH, status="pending")
    (event,) = desk.events
    assert event.changes == {"status": ("open", "pending")}
    assert event.message == changed(Ticket, "status")
    assert ticket.status == "pending"
    assert not event.with_values  # the superuser's edits are made in the admin

    desk._change(now, accounts.support, ticket, status="pending")
    assert len(desk.events) == 1  # nothing changed: nothing logged

    invoice = Invoice(
        number="INV-2026-0001",
        customer=customer,
        amount=Decimal("49.00"),
        due_date=now.date(),
        created=now,
    )
    desk._change(now, accounts.support, invoice, INVOICE_NOTES[2], status=Invoice.Status.PAID)
    note = desk.events[-1]
    assert note.changes == {"status": ("draft", "paid")}
    assert note.change_message() == INVOICE_NOTES[2]
    assert not note.with_values


def test_the_apps_entries_are_built_by_the_audit_helpers(db: None) -> None:
    accounts = ensure_accounts()
    now = timezone.now()
    agent = accounts.agents[0]
    desk = DeskHistory(accounts, random.Random(1), now)
    customer = Customer(name="Acme", email="it@acme.example", plan="team", created=now)
    ticket = Ticket(customer=customer, subject="Printer on fire", created=now)
    desk.customers, desk.tickets = [customer], [ticket]
    desk._log(now, agent, ADDITION, ticket, [{"added": {}}])
    desk._change(now, agent, ticket, assignee=agent, status=Ticket.Status.PENDING)
    desk.events[-1].with_values = True  # whatever the dice said
    desk.write()

    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert entry.object_repr == f"#{ticket.pk} Printer on fire"
    assert entry.get_change_message() == "Changed Assignee and Status."
    assert [(r.field, r.old, r.new) for r in parse_changes(entry.change_message)] == [
        ("assignee", None, {"pk": str(agent.pk), "repr": agent.username}),
        ("status", "open", "pending"),
    ]
    saved = Ticket.objects.get(pk=ticket.pk)
    assert (saved.assignee, saved.status) == (agent, "pending")
