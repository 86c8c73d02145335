from __future__ import annotations

import pytest
from django.core import checks
from django.db import connection

from auditconsole.trails.checks import check_trails
from auditconsole.trails.logentry import LogEntryTrail
from auditconsole.trails.registry import configured_trails, get_trail, trails_for_user
from auditconsole.trails.simple_history import SimpleHistoryTrail

HISTORY = "auditconsole.trails.simple_history.SimpleHistoryTrail"
ADMIN = "auditconsole.trails.logentry.LogEntryTrail"
#: django-pghistory is installed in the test project on PostgreSQL only.
PG = ["pghistory"] if connection.vendor == "postgresql" else []


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [message.id for message in messages]


def test_the_default_is_logentry_plus_each_installed_package(settings) -> None:
    settings.AUDITCONSOLE_TRAILS = None
    assert list(configured_trails()) == [
        "admin",
        "history",
        "reversion",
        "auditlog",
        "easyaudit",
        *PG,
    ]
    assert isinstance(get_trail("admin"), LogEntryTrail)
    history = get_trail("history")
    assert isinstance(history, SimpleHistoryTrail) and history.label == "Model history"
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "simple_history"]
    assert list(configured_trails()) == ["admin", "reversion", "auditlog", "easyaudit", *PG]


def test_configured_trails_in_settings_order(settings) -> None:
    settings.AUDITCONSOLE_TRAILS = {
        "history": {"BACKEND": HISTORY, "LABEL": "Versions"},
        "admin": {"BACKEND": ADMIN},
    }
    assert list(configured_trails()) == ["history", "admin"]
    assert get_trail("history").label == "Versions"
    with pytest.raises(LookupError):
        get_trail("nope")


def test_a_trail_needs_its_permission(settings, make_user, superuser) -> None:
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": ADMIN},
        "history": {"BACKEND": HISTORY, "PERMISSION": "trailapp.view_supplier"},
        "broken": {"BACKEND": "no.such.Backend"},
    }
    agent = make_user("agent2", console_perms=None)
    assert [t.key for t in trails_for_user(agent)] == ["admin"]
    assert [t.key for t in trails_for_user(superuser)] == ["admin", "history"]
    # Not for anyone who is not active staff, whatever they hold.
    customer = make_user("customer", staff=False, console_perms=None)
    assert trails_for_user(customer) == []


def test_checks(settings) -> None:
    settings.AUDITCONSOLE_TRAILS = None
    assert check_trails() == []
    settings.AUDITCONSOLE_TRAILS = {
        "bad key!": {"BACKEND": ADMIN},
        "perm": {"BACKEND": ADMIN, "PERMISSION": "no-dot"},
        "label": {"BACKEND": ADMIN, "LABEL": 5, "OPTIONS": []},
        "missing": {"LABEL": "x"},
        "unknown": {"BACKEND": "no.such.Backend"},
        "wrong": {"BACKEND": "auditconsole.conf.Settings"},
    }
    assert ids(check_trails()) == [
        "auditconsole.E141",
        "auditconsole.E142",
        "auditconsole.E143",
        "auditconsole.E145",
        "auditconsole.E145",
        "auditconsole.E145",
    ]
    settings.SIMPLE_HISTORY_HISTORY_ID_USE_UUID = True
    settings.AUDITCONSOLE_TRAILS = {"history": {"BACKEND": HISTORY}}
    assert ids(check_trails()) == ["auditconsole.E144"]


def test_e140_a_setting_that_is_not_a_dict(settings) -> None:
    settings.AUDITCONSOLE_TRAILS = ["admin"]
    assert "auditconsole.E140" in ids(checks.run_checks())
    assert configured_trails() == {}


def test_which_models_each_trail_reads(settings, db) -> None:
    from django.contrib.contenttypes.models import ContentType

    from project.demo.models import Customer
    from tests.activity.entries import content_type
    from tests.trailapp.models import Supplier, Warehouse

    settings.AUDITCONSOLE_TRAILS = None
    trails = [get_trail(key) for key in configured_trails()]
    gone = ContentType.objects.create(app_label="retired", model="gizmo")
    assert [t.key for t in trails if t.tracks(content_type(Supplier))] == [
        "admin",
        "history",
        "reversion",
        "auditlog",
        "easyaudit",
    ]
    assert [t.key for t in trails if t.tracks(content_type(Warehouse))] == ["admin"]
    assert [t.key for t in trails if t.tracks(content_type(Customer))] == ["admin"]
    assert [t.key for t in trails if t.tracks(gone)] == ["admin"]
