"""The demo's LogEntry history: written through Django's API, shaped like the admin's."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import construct_change_message
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.forms import modelform_factory
from django.utils import timezone

from project.demo.accounts import ensure_accounts
from project.demo.history import PASSWORD_CHANGED, WINDOW, DeskHistory, changed
from project.demo.models import Customer, Invoice, Ticket
from project.demo.seed import SeedResult, seed_demo
from project.demo.vocabulary import CONTRACTOR
from tests.project.demo.conftest import SEED_NOW, TEST_ENTRIES

MODELS = {"customer": Customer, "ticket": Ticket, "invoice": Invoice, "user": User}


def by_object() -> dict[tuple[int, str], list[LogEntry]]:
    history: dict[tuple[int, str], list[LogEntry]] = defaultdict(list)
    for entry in LogEntry.objects.order_by("action_time", "id"):
        history[(entry.content_type_id, entry.object_id)].append(entry)
    return history


def test_entry_count_follows_the_request(seeded: SeedResult) -> None:
    count = LogEntry.objects.count()
    assert 0.7 * TEST_ENTRIES <= count <= 1.3 * TEST_ENTRIES
    assert seeded.history is not None
    assert seeded.history.total_entries == count


def test_every_action_flag_occurs(seeded: SeedResult) -> None:
    flags = Counter(LogEntry.objects.values_list("action_flag", flat=True))
    assert set(flags) == {ADDITION, CHANGE, DELETION}
    assert flags[CHANGE] > flags[ADDITION] > flags[DELETION]


def test_change_messages_are_the_admins_json(seeded: SeedResult) -> None:
    messages = Counter(LogEntry.objects.values_list("change_message", flat=True))
    assert messages['[{"added": {}}]'] == LogEntry.objects.filter(action_flag=ADDITION).count()
    assert '[{"changed": {"fields": ["Status", "Resolution note"]}}]' in messages
    # Deletions carry an empty message, as ModelAdmin.log_deletions() writes them.
    assert set(
        LogEntry.objects.filter(action_flag=DELETION).values_list("change_message", flat=True)
    ) == {""}
    closing = LogEntry.objects.filter(change_message__contains="Resolution note").first()
    assert closing.get_change_message() == "Changed Status and Resolution note."
    assert LogEntry.objects.filter(action_flag=ADDITION).first().get_change_message() == "Added."


def test_some_messages_are_plain_text(seeded: SeedResult) -> None:
    plain = [
        m
        for m in LogEntry.objects.filter(action_flag=CHANGE).values_list(
            "change_message", flat=True
        )
        if not m.startswith("[")
    ]
    assert plain
    entry = LogEntry.objects.get(pk=LogEntry.objects.filter(change_message=plain[0]).first().pk)
    assert entry.get_change_message() == plain[0]


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Ticket, {"status": "closed", "resolution_note": "Reset the MFA device."}),
        (Ticket, {"assignee": "7", "priority": "urgent"}),
        (Invoice, {"due_date": "2026-12-24"}),
        (Customer, {"email": "new@example.com", "phone": "+1 555-0100"}),
        (
            User,
            {
                "first_name": "A",
                "last_name": "B",
                "email": "a@b.example",
                "is_staff": "on",
                "groups": ["1"],
            },
        ),
    ],
)
def test_changed_matches_construct_change_message(db: None, model, data: dict) -> None:
    """Our messages equal what the admin builds from a form whose fields really changed."""
    form = modelform_factory(model, fields=list(data))(data=data)
    assert form.changed_data == list(data)
    assert construct_change_message(form, [], add=False) == changed(model, *data)


def test_password_change_message_matches_the_user_admin(db: None) -> None:
    from django.contrib.auth.forms import AdminPasswordChangeForm

    user = User.objects.create_user("someone", password="old-password-1")
    form = AdminPasswordChangeForm(
        user, data={"password1": "N3w-passw0rd!x", "password2": "N3w-passw0rd!x"}
    )
    assert form.is_valid()
    assert construct_change_message(form, None, add=False) == PASSWORD_CHANGED
    entry = LogEntry(change_message=json.dumps(PASSWORD_CHANGED))
    assert entry.get_change_message() == "Changed password."


def test_spread_over_ninety_days_mostly_in_office_hours(seeded: SeedResult) -> None:
    now = SEED_NOW
    times = list(LogEntry.objects.values_list("action_time", flat=True))
    assert min(times) >= now - WINDOW - timedelta(minutes=5)
    assert max(times) <= now
    assert max(times) - min(times) > timedelta(days=80)
    local = [timezone.localtime(t) for t in times]
    weekdays = sum(1 for t in local if t.weekday() < 5) / 5
    weekends = sum(1 for t in local if t.weekday() >= 5) / 2
    assert weekdays > 2 * weekends
    office = sum(1 for t in local if 8 <= t.hour < 18)
    assert office > 0.6 * len(local)
    assert len({t.date() for t in local}) > 50


def test_each_objects_history_is_in_order(seeded: SeedResult) -> None:
    for entries in by_object().values():
        flags = [entry.action_flag for entry in entries]
        if ADDITION in flags:
            assert flags[0] == ADDITION
            assert flags.count(ADDITION) == 1
        if DELETION in flags:
            assert flags[-1] == DELETION
            assert flags.count(DELETION) == 1


def test_deleted_objects_are_gone_and_the_rest_exist(seeded: SeedResult) -> None:
    deleted_kinds = set()
    for (content_type_id, object_id), entries in by_object().items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        exists = model._default_manager.filter(pk=object_id).exists()
        if entries[-1].action_flag == DELETION:
            assert not exists, entries[-1]
            deleted_kinds.add(model)
        else:
            assert exists, entries[-1]
            obj = model._default_manager.get(pk=object_id)
            assert entries[-1].object_repr == str(obj)
    assert {Ticket, Customer, User} <= deleted_kinds
    assert not User.objects.filter(username=CONTRACTOR.username).exists()


def test_entries_do_not_predate_their_objects(seeded: SeedResult) -> None:
    ticket_type = ContentType.objects.get_for_model(Ticket)
    for ticket in Ticket.objects.select_related("customer"):
        assert ticket.created >= ticket.customer.created
    for entry in LogEntry.objects.filter(content_type=ticket_type, action_flag=ADDITION):
        ticket = Ticket.objects.filter(pk=entry.object_id).first()
        if ticket is not None:
            assert ticket.created == entry.action_time


def test_invoice_entries_have_string_object_ids(seeded: SeedResult) -> None:
    ids = LogEntry.objects.filter(content_type__model="invoice").values_list("object_id", flat=True)
    assert ids
    for object_id in ids:
        assert object_id.startswith("INV-")
        assert not object_id.isdigit()


def test_invoices_are_numbered_in_creation_order(seeded: SeedResult) -> None:
    invoices = list(Invoice.objects.order_by("created"))
    assert invoices
    for invoice in invoices:
        assert invoice.number.startswith(f"INV-{invoice.created.year}-")
    same_year = [i.number for i in invoices if i.created.year == invoices[-1].created.year]
    assert same_year == sorted(same_year)


def test_staff_accounts_have_history(seeded: SeedResult) -> None:
    users = LogEntry.objects.filter(content_type__app_label="auth", content_type__model="user")
    assert users.filter(action_flag=ADDITION).count() >= 9
    assert users.filter(change_message=json.dumps(PASSWORD_CHANGED)).count() == 2
    assert set(users.values_list("user__username", flat=True)) == {"admin"}
    # A new account's join date is when the admin added it.
    support = User.objects.get(username="support")
    added = users.get(object_id=str(support.pk), action_flag=ADDITION)
    assert support.date_joined == added.action_time


def test_actors_are_the_desk(seeded: SeedResult) -> None:
    actors = set(LogEntry.objects.values_list("user__username", flat=True))
    assert {"admin", "support", "priya.raman", "mei.lin"} <= actors


def test_primary_keys_grow_with_time(seeded: SeedResult) -> None:
    created = list(Ticket.objects.order_by("pk").values_list("created", flat=True))
    assert created == sorted(created)


def test_zero_entries_writes_the_desk_without_history(db: None) -> None:
    result = seed_demo(entries=0, logs=False)
    assert LogEntry.objects.count() == 0
    assert result.history is not None and result.history.total_entries == 0
    assert Ticket.objects.exists() and Customer.objects.exists() and Invoice.objects.exists()


def test_the_plan_is_reproducible_from_the_seed(db: None) -> None:
    accounts = ensure_accounts()
    now = timezone.now()

    def plan(seed: int) -> list[tuple[object, ...]]:
        desk = DeskHistory(accounts, random.Random(seed), now)
        desk.plan(TEST_ENTRIES)
        return [
            (e.when, e.flag, e.actor.username, str(e.message), str(e.changes), e.with_values)
            for e in desk.events
        ]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


def test_a_full_size_plan_stays_consistent(db: None) -> None:
    """At the default size every branch of the lifecycles runs; check the plan's invariants."""
    accounts = ensure_accounts()
    now = timezone.now()
    desk = DeskHistory(accounts, random.Random(11), now)
    desk.plan(5000)
    assert 4000 < len(desk.events) < 6000
    timelines: dict[int, list] = defaultdict(list)
    for event in desk.events:
        assert now - WINDOW <= event.when <= now
        timelines[id(event.target)].append(event)
    for events in timelines.values():
        flags = [event.flag for event in sorted(events, key=lambda event: event.when)]
        assert DELETION not in flags[:-1]
        assert ADDITION not in flags[1:]


def test_objects_created_moments_ago_have_no_future_history(db: None) -> None:
    accounts = ensure_accounts()
    now = timezone.now()
    rng = random.Random(12)
    desk = DeskHistory(accounts, rng, now)
    customer = Customer(name="Fresh", email="f@f.example", plan="team", created=now - WINDOW)
    for _ in range(1500):
        # Some a few minutes old (no room for a next step), some a few hours.
        created = now - timedelta(minutes=rng.uniform(0, rng.choice((4, 600))))
        desk.ticket_lifecycle(Ticket(customer=customer, subject="s", created=created))
        invoice = Invoice(
            customer=customer,
            amount=Decimal("49.00"),
            due_date=(created - timedelta(days=40)).date(),
            created=created,
        )
        desk.invoice_lifecycle(invoice, accounts.support)
    targets: dict[int, list] = defaultdict(list)
    for event in desk.events:
        assert event.when <= now
        targets[id(event.target)].append(event)
    assert len(targets) == 3000
    for events in targets.values():
        assert events[0].flag == ADDITION
        assert [e.when for e in events] == sorted(e.when for e in events)


def test_customer_names_stay_unique_on_a_large_desk(db: None) -> None:
    desk = DeskHistory(ensure_accounts(), random.Random(13), timezone.now())
    names = [desk._company_name() for _ in range(3000)]
    assert len(set(names)) == len(names)


def test_a_desk_of_free_customers_still_gets_invoices(db: None) -> None:
    now = timezone.now()
    desk = DeskHistory(ensure_accounts(), random.Random(14), now)
    desk.customers = [
        Customer(name=f"C{n}", email="c@c.example", plan="free", created=now - timedelta(days=200))
        for n in range(3)
    ]
    desk.plan_invoices(5)
    assert len(desk.invoices) == 5
    assert [i.number for i in desk.invoices] == sorted(i.number for i in desk.invoices)


def test_an_existing_contractor_account_is_left_alone(db: None, django_user_model) -> None:
    contractor = django_user_model.objects.create_user(CONTRACTOR.username)
    seed_demo(entries=TEST_ENTRIES, logs=False)
    assert User.objects.filter(pk=contractor.pk).exists()
    assert not LogEntry.objects.filter(
        content_type__model="user", object_id=str(contractor.pk)
    ).exists()


def test_existing_accounts_get_no_invented_history(db: None, django_user_model) -> None:
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    joined = staff.date_joined
    seed_demo(entries=TEST_ENTRIES, logs=False)
    staff.refresh_from_db()
    assert staff.date_joined == joined
    assert not LogEntry.objects.filter(content_type__model="user", object_id=str(staff.pk)).exists()
    support = User.objects.get(username="support")
    assert LogEntry.objects.filter(
        content_type__model="user", object_id=str(support.pk), action_flag=ADDITION
    ).exists()
