"""The console as an attacker meets it: users of every kind, log sources, hidden rows.

``world`` builds one small but complete installation in ``tmp_path``: two log sources
anyone with ``view_logs`` may read, one (``ledger``) that requires ``demo.view_invoice``,
a canary file *outside* the configured directories that must never be read, and
``LogEntry`` rows about models the restricted callers may not view. Every string that must
never reach a restricted caller is distinctive, so a leak is found by a substring search.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from auditconsole.export.audit import LOGGER_NAME as EXPORTS_LOGGER
from auditconsole.export.audit import ExportInfo, record_export
from auditconsole.export.ledger import export_ref
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from project.demo.models import Customer, Invoice
from tests.activity.entries import log
from tests.export.helpers import finished, json_handler
from tests.security.console_urls import Samples
from tests.sources.helpers import app_line, config, write

#: In a file outside every configured directory: must never appear in any response.
CANARY = "CANARY-OUTSIDE-9c1e"
#: object_repr / change_message of LogEntry rows the restricted callers may not see.
HIDDEN = "HIDDEN-ROW-5b7d"
#: The label and the content of the log source that requires demo.view_invoice.
LEDGER_LABEL = "LEDGER-LABEL-4e1f"
LEDGER_LINE = "LEDGER-LINE-4e1f"

#: The demo models the restricted callers may view (not invoices, not users).
VISIBLE_MODEL_PERMS = ("demo.view_customer", "demo.view_ticket")

#: Every kind of caller the permission matrix knows, and what each may do.
CALLERS: tuple[str, ...] = (
    "anonymous",
    "inactive",
    "nonstaff",
    "staff",
    "viewer",
    "exporter",
    "superuser",
)
LOGGED_OUT: frozenset[str] = frozenset({"anonymous", "inactive"})
RESTRICTED: tuple[str, ...] = ("viewer", "exporter")


@dataclass
class World:
    logs: Path
    outside: Path
    users: dict[str, User]
    customer: Customer
    customer_type: ContentType
    hidden_entries: list[LogEntry] = field(default_factory=list)

    @property
    def alice(self) -> User:
        """Writes the visible history."""
        return self.users["alice"]

    @property
    def ghost(self) -> User:
        """Writes only history the restricted callers may not see."""
        return self.users["ghost"]


def source_settings(logs: Path) -> dict[str, dict[str, Any]]:
    return {
        "app": config(logs / "app.log", LABEL="Application", OPTIONS={"columns": ["module"]}),
        "django": config(logs / "django.log", LABEL="Django", OPTIONS={"format": "text"}),
        "ledger": config(logs / "ledger.log", LABEL=LEDGER_LABEL, PERMISSION="demo.view_invoice"),
        # The console's own log, holding one export (with its manifest) by alice.
        "console": config(logs / "console.log", LABEL="This console"),
    }


def write_export_record(logs: Path, user: User) -> None:
    """A real export record, manifest and all, in the world's own console log."""
    handler = json_handler(logs / "console.log")
    exports = logging.getLogger(EXPORTS_LOGGER)
    exports.addHandler(handler)
    try:
        info = ExportInfo(
            user_id=user.pk,
            username=user.get_username(),
            view="activity",
            params={"action": ["change"]},
            export_file="activity-2026-04-04T1200Z.csv",
        )
        record_export(info, finished(2))
    finally:
        exports.removeHandler(handler)
        handler.close()


def write_logs(logs: Path) -> None:
    write(logs / "app.log.1", [app_line(i) for i in range(0, 20)])
    write(logs / "app.log", [app_line(i) for i in range(20, 40)])
    write(
        logs / "django.log",
        [
            "2026-04-04 12:00:00,000 [ERROR] django.request: Internal Server Error: /x",
            "Traceback (most recent call last):",
            "KeyError: 'x'",
            "2026-04-04 12:00:01,000 [INFO] django.server: GET / 200",
        ],
    )
    write(
        logs / "ledger.log",
        [
            json.dumps(
                {
                    "time": "2026-04-04 12:00:00,000",
                    "level": "INFO",
                    "name": "ledger",
                    "message": f"{LEDGER_LINE} payout {i}",
                }
            )
            for i in range(5)
        ],
    )


@pytest.fixture(autouse=True)
def _no_time_budget(settings: Any) -> None:
    """Scans stop on bytes, never on the clock, so no test depends on the machine's speed."""
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 3600


@pytest.fixture
def world(tmp_path: Path, settings: Any, make_user: Callable[..., User]) -> World:
    logs = tmp_path / "logs"
    outside = tmp_path / "outside"
    logs.mkdir()
    outside.mkdir()
    write(
        outside / "secret.log",
        [json.dumps({"time": "2026-04-04 12:00:00", "level": "ERROR", "message": CANARY})],
    )
    write_logs(logs)
    settings.AUDITCONSOLE_LOG_SOURCES = source_settings(logs)
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"

    users = {
        "inactive": make_user(
            "inactive", active=False, console_perms=None, perms=VISIBLE_MODEL_PERMS
        ),
        "nonstaff": make_user(
            "nonstaff", staff=False, console_perms=None, perms=VISIBLE_MODEL_PERMS
        ),
        "staff": make_user("staffer"),
        "viewer": make_user(
            "viewer", console_perms=("view_activity", "view_logs"), perms=VISIBLE_MODEL_PERMS
        ),
        "exporter": make_user("exporter", console_perms=None, perms=VISIBLE_MODEL_PERMS),
        "superuser": make_user("root", superuser=True),
        "alice": make_user("alice"),
        "ghost": make_user("ghost"),
    }
    customer = Customer.objects.create(name="Acme Ltd", email="ops@acme.example")
    world = World(
        logs=logs,
        outside=outside,
        users=users,
        customer=customer,
        customer_type=ContentType.objects.get_for_model(Customer),
    )
    alice, ghost = users["alice"], users["ghost"]
    write_export_record(logs, alice)
    log(alice, Customer, customer.pk, ADDITION, name="Acme Ltd")
    log(
        alice,
        Customer,
        customer.pk,
        CHANGE,
        name="Acme Ltd",
        message=[{"changed": {"fields": ["Email"]}}],
    )
    log(alice, Customer, 999, DELETION, name="Gone Corp")
    world.hidden_entries = [
        # An invoice (string primary key): the restricted callers lack demo.view_invoice.
        log(
            ghost,
            Invoice,
            "INV-2026-0001",
            CHANGE,
            name=f"{HIDDEN} invoice",
            message=f"{HIDDEN} amount changed",
        ),
        log(ghost, User, ghost.pk, CHANGE, name=f"{HIDDEN} user"),
        # About no model at all: only unrestricted viewers see it.
        log(ghost, None, None, ADDITION, name=f"{HIDDEN} no model"),
        # By alice, so it shares her pages and facets with rows the callers may see.
        log(alice, Invoice, "INV-2026-0002", DELETION, name=f"{HIDDEN} by alice"),
    ]
    return world


@pytest.fixture
def samples(world: World) -> Samples:
    def ref() -> str:
        return get_source("app").page(Query()).records[0].token

    def an_export() -> str:
        return export_ref(get_source("console").page(Query(logger=EXPORTS_LOGGER)).records[0])

    return Samples(
        {
            "key": lambda: "app",
            "user_id": lambda: world.alice.pk,
            "content_type_id": lambda: world.customer_type.pk,
            "object_id": lambda: str(world.customer.pk),
            "ref": ref,
            "export_ref": an_export,
        }
    )


@pytest.fixture
def callers(world: World) -> dict[str, Client]:
    """A test client per kind of caller, logged in the way a real one would be."""
    clients: dict[str, Client] = {"anonymous": Client()}
    inactive = Client()
    # ModelBackend refuses inactive users: the login fails and the session stays anonymous.
    assert inactive.login(username="inactive", password="pw") is False
    clients["inactive"] = inactive
    for name in ("nonstaff", "staff", "viewer", "exporter", "superuser"):
        client = Client()
        client.force_login(world.users[name])
        clients[name] = client
    return clients
