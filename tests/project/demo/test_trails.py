"""The demo's customer whose page shows every trail, and one change shown once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import reversion
from auditlog.models import LogEntry as AuditlogEntry
from auditlog.registry import auditlog
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from project.demo.models import Customer
from project.demo.seed import seed_demo
from project.demo.trails import register_demo_trails
from tests.project.demo.conftest import SEED_NOW, TEST_ENTRIES
from tests.sources.helpers import config


@pytest.fixture
def demo_trails(settings) -> Iterator[None]:
    """The demo's registrations, as ``make run`` has them, undone after the test."""
    settings.DEMO_TRAILS = True
    register_demo_trails()
    register_demo_trails()  # twice is once
    yield
    reversion.unregister(Customer)
    auditlog.unregister(Customer)


def test_one_object_page_with_four_trails_and_one_change_shown_once(
    demo_trails, client_for, superuser, tmp_path, settings
) -> None:
    result = seed_demo(entries=TEST_ENTRIES, log_dir=tmp_path)
    customer = result.showcase
    assert customer is not None and customer.phone == "+44 20 7946 0018"
    settings.AUDITCONSOLE_LOG_SOURCES = {"audit": config(tmp_path / "audit.log")}
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "reversion": {"BACKEND": "auditconsole.trails.reversion.ReversionTrail"},
        "auditlog": {"BACKEND": "auditconsole.trails.auditlog.AuditlogTrail"},
        "audit_log": {
            "BACKEND": "auditconsole.trails.logsource.LogSourceTrail",
            "OPTIONS": {"source": "audit"},
        },
    }
    ct = ContentType.objects.get_for_model(Customer)
    html = client_for(superuser).get(reverse("auditconsole:object", args=[ct.pk, customer.pk]))
    badges = [
        re.findall(r'data-trail="(\w+)"', body)
        for body in re.findall(r'<li id="entry-[\w-]+"(.*?)</li>', html.content.decode(), re.S)
    ]
    assert {trail for item in badges for trail in item} == {
        "admin",
        "reversion",
        "auditlog",
        "audit_log",
    }
    assert ["admin", "reversion", "auditlog"] in badges
    # Seeding again adds nothing: the desk is there.
    assert seed_demo(entries=TEST_ENTRIES, logs=False).showcase is None


def test_the_desks_deletions_are_recorded_once_at_the_storys_moment(
    demo_trails, client_for, superuser, settings
) -> None:
    seed_demo(entries=TEST_ENTRIES, logs=False, now=SEED_NOW)
    ct = ContentType.objects.get_for_model(Customer)
    deletions = AuditlogEntry.objects.filter(content_type=ct, action=AuditlogEntry.Action.DELETE)
    assert deletions.exists()
    for recorded in deletions:
        # Not "now, by nobody": by whoever deleted it in the admin's log, just after.
        admin = LogEntry.objects.get(
            content_type=ct, object_id=recorded.object_pk, action_flag=DELETION
        )
        assert recorded.actor_id == admin.user_id
        assert timedelta(0) < recorded.timestamp - admin.action_time < timedelta(seconds=1)
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
        "auditlog": {"BACKEND": "auditconsole.trails.auditlog.AuditlogTrail"},
    }
    first = deletions.first()
    html = (
        client_for(superuser)
        .get(reverse("auditconsole:object", args=[ct.pk, first.object_pk]))
        .content.decode()
    )
    deleted = re.findall(
        r'<li id="entry-[^"]+" class="timeline-entry timeline-entry--deletion">(.*?)</li>',
        html,
        re.S,
    )
    assert len(deleted) == 1  # one deletion, both trails' badges on it
    assert re.findall(r'data-trail="(\w+)"', deleted[0]) == ["admin", "auditlog"]
    assert "unknown user" not in deleted[0]
