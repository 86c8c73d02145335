from __future__ import annotations

import datetime

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from auditconsole.activity.scoping import scope_for
from auditconsole.activity.summary import Tally, summarize
from project.demo.models import Customer, Ticket
from tests.activity.entries import NOW, log


def test_summary_of_a_users_activity(superuser, make_user, django_assert_max_num_queries) -> None:
    alice = make_user("alice")
    log(alice, Customer, 1, ADDITION, when=NOW - datetime.timedelta(days=9))
    log(alice, Customer, 1, CHANGE, when=NOW - datetime.timedelta(days=5))
    log(alice, Ticket, 2, CHANGE, when=NOW - datetime.timedelta(days=1))
    log(alice, None, None, DELETION, when=NOW)
    log(superuser, Ticket, 3, DELETION, when=NOW + datetime.timedelta(days=1))
    with django_assert_max_num_queries(3):
        summary = summarize(LogEntry.objects.filter(user=alice))
    assert summary.total == 4
    assert summary.first_seen == NOW - datetime.timedelta(days=9)
    assert summary.last_seen == NOW
    assert summary.by_action == [
        Tally("Addition", 1, "addition"),
        Tally("Change", 2, "change"),
        Tally("Deletion", 1, "deletion"),
    ]
    assert summary.by_content_type == [
        Tally("Demo support desk | customer", 2, "demo.customer"),
        Tally("Demo support desk | ticket", 1, "demo.ticket"),
    ]


def test_summary_respects_scope(superuser, support_user) -> None:
    from django.contrib.auth.models import User

    log(superuser, User, 1, CHANGE)
    log(superuser, Customer, 1, CHANGE)
    mine = LogEntry.objects.filter(user=superuser)
    assert summarize(scope_for(support_user).apply(mine)).total == 1
    assert summarize(mine).total == 2


def test_summary_of_nobody(db) -> None:
    summary = summarize(LogEntry.objects.none())
    assert summary.total == 0 and summary.first_seen is None and summary.by_content_type == []
