from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from auditconsole.audit import ADDITION, CHANGE, DELETION, log_action, log_actions
from project.demo.models import Customer, Invoice, Ticket


@pytest.fixture
def agent(make_user: Callable[..., User]) -> User:
    return make_user("agent")


def test_flags_are_the_admins() -> None:
    from django.contrib.admin import models as admin_models

    assert (ADDITION, CHANGE, DELETION) == (
        admin_models.ADDITION,
        admin_models.CHANGE,
        admin_models.DELETION,
    )


def test_a_plain_message_is_stored_as_the_admin_stores_one(agent: User, ticket: Ticket) -> None:
    entry = log_action(agent, ticket, CHANGE, "Escalated to tier 2")
    entry.refresh_from_db()
    assert entry.user == agent
    assert entry.content_type == ContentType.objects.get_for_model(Ticket)
    assert entry.object_id == str(ticket.pk)
    assert entry.object_repr == str(ticket)
    assert entry.action_flag == CHANGE
    assert entry.change_message == "Escalated to tier 2"
    assert entry.get_change_message() == "Escalated to tier 2"
    assert entry.get_edited_object() == ticket


def test_changes_render_as_the_admins_sentence(agent: User, ticket: Ticket) -> None:
    entry = log_action(
        agent,
        ticket,
        CHANGE,
        changes={"subject": ("Printer on fire", "Printer fixed"), "status": ("open", "closed")},
    )
    entry.refresh_from_db()
    assert entry.get_change_message() == "Changed Subject and Status."
    assert str(entry) == f"Changed “{ticket}” — Changed Subject and Status."
    assert json.loads(entry.change_message)[1]["auditconsole"]["changes"][1] == {
        "field": "status",
        "label": "Status",
        "old": "open",
        "new": "closed",
    }


def test_an_addition_without_message_reads_added(agent: User, acme: Customer) -> None:
    entry = log_action(agent, acme, ADDITION)
    assert entry.get_change_message() == "Added."
    assert str(entry) == "Added “Acme”."


def test_string_primary_keys_and_typed_values(
    agent: User, invoice: Invoice, globex: Customer
) -> None:
    entry = log_action(
        agent,
        invoice,
        CHANGE,
        changes={
            "amount": (invoice.amount, invoice.amount * 2),
            "customer": (invoice.customer, globex),
        },
    )
    entry.refresh_from_db()
    assert entry.object_id == "INV-2026-0001"
    rows = json.loads(entry.change_message)[1]["auditconsole"]["changes"]
    assert rows[0]["old"] == "120.50"
    assert rows[0]["new"] == "241.00"
    assert rows[1]["new"] == {"pk": str(globex.pk), "repr": "Globex"}


def test_long_reprs_are_truncated_like_the_admin(agent: User, ticket: Ticket) -> None:
    ticket.subject = "S" * 200
    ticket.save()
    assert len(str(ticket)) > 200
    assert log_action(agent, ticket, CHANGE).object_repr == str(ticket)[:200]


def test_a_user_pk_is_enough(agent: User, ticket: Ticket) -> None:
    assert log_action(agent.pk, ticket, CHANGE, "By id").user == agent


@pytest.mark.parametrize("user", [AnonymousUser(), None, True])
def test_an_anonymous_change_cannot_be_logged(user: Any, ticket: Ticket) -> None:
    with pytest.raises(ValueError, match="saved user"):
        log_action(user, ticket, CHANGE, "x")
    assert not LogEntry.objects.exists()


def test_unsaved_objects_are_refused(agent: User, acme: Customer) -> None:
    with pytest.raises(ValueError, match="no primary key"):
        log_action(agent, Ticket(customer=acme, subject="x"), ADDITION)


def test_log_a_deletion_before_deleting(agent: User, ticket: Ticket) -> None:
    pk, text = ticket.pk, str(ticket)
    entry = log_action(agent, ticket, DELETION)
    ticket.delete()
    entry.refresh_from_db()
    assert (entry.object_id, entry.object_repr, entry.change_message) == (str(pk), text, "")
    assert str(entry) == f"Deleted “{text}.”"
    with pytest.raises(ValueError, match="no primary key"):
        log_action(agent, ticket, DELETION)


def test_the_entry_rolls_back_with_the_callers_transaction(agent: User, ticket: Ticket) -> None:
    def close_then_fail() -> None:
        with transaction.atomic():
            ticket.status = Ticket.Status.CLOSED
            ticket.save()
            log_action(agent, ticket, CHANGE, changes={"status": ("open", "closed")})
            raise RuntimeError("the rest of the work failed")

    with pytest.raises(RuntimeError):
        close_then_fail()
    assert not LogEntry.objects.exists()


class TestBulk:
    def test_one_insert_for_many_objects(
        self, agent: User, acme: Customer, django_assert_num_queries: Any
    ) -> None:
        tickets = Ticket.objects.bulk_create(
            [Ticket(customer=acme, subject=f"Imported {n}") for n in range(50)]
        )
        ContentType.objects.get_for_model(Ticket)  # cached from here on, as in a real run
        with django_assert_num_queries(1):
            entries = log_actions(agent, tickets, ADDITION, "Imported from CSV")
        assert len(entries) == 50
        stored = LogEntry.objects.filter(action_flag=ADDITION)
        assert stored.count() == 50
        assert set(stored.values_list("change_message", flat=True)) == {"Imported from CSV"}
        assert set(stored.values_list("object_id", flat=True)) == {str(t.pk) for t in tickets}

    def test_a_queryset_and_shared_changes(self, agent: User, acme: Customer) -> None:
        for n in range(3):
            Ticket.objects.create(customer=acme, subject=f"T{n}")
        Ticket.objects.update(status=Ticket.Status.CLOSED)
        entries = log_actions(
            agent,
            Ticket.objects.all(),
            CHANGE,
            "Closed in bulk",
            changes={"status": ("open", "closed")},
        )
        assert len(entries) == 3
        for entry in LogEntry.objects.all():
            assert entry.get_change_message() == "Changed Status."
            assert (
                json.loads(entry.change_message)[1]["auditconsole"]["message"] == "Closed in bulk"
            )

    def test_a_single_object_is_a_list_of_one(self, agent: User, ticket: Ticket) -> None:
        (entry,) = log_actions(agent, [ticket], CHANGE, "One")
        assert entry.pk is not None

    def test_nothing_to_log_writes_nothing(
        self, agent: User, django_assert_num_queries: Any
    ) -> None:
        with django_assert_num_queries(1):  # evaluating the empty queryset
            assert log_actions(agent, Ticket.objects.all(), DELETION) == []
        with django_assert_num_queries(0):
            assert log_actions(agent, [], DELETION) == []

    def test_mixed_models_may_share_a_message_but_not_changes(
        self, agent: User, ticket: Ticket, acme: Customer
    ) -> None:
        assert len(log_actions(agent, [ticket, acme], CHANGE, "Merged duplicates")) == 2
        with pytest.raises(ValueError, match="one model"):
            log_actions(agent, [ticket, acme], CHANGE, changes={"name": ("a", "b")})

    def test_anonymous_and_unsaved_are_refused(self, agent: User, acme: Customer) -> None:
        with pytest.raises(ValueError, match="saved user"):
            log_actions(AnonymousUser(), [acme], CHANGE)
        with pytest.raises(ValueError, match="no primary key"):
            log_actions(agent, [acme, Customer(name="new")], CHANGE)
        assert not LogEntry.objects.exists()
