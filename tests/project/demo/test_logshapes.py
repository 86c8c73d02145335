"""Formatters and record builders shared by the seed and the live writer."""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime

from project.demo import logshapes
from project.demo.logshapes import (
    API,
    AUDIT,
    LOGIN,
    ActivityAuditFormatter,
    LogFactory,
    app_formatter,
    make_record,
    text_formatter,
)

WHEN = datetime(2026, 3, 4, 14, 23, 1, 123456, tzinfo=UTC)


def test_make_record_is_backdated() -> None:
    record = make_record(
        "apps.tickets.views",
        logging.INFO,
        "Ticket %s closed by %s",
        WHEN,
        args=(42, "admin"),
        fields={"ticket_id": 42},
    )
    assert record.created == WHEN.timestamp()
    assert record.msecs == 123.0
    assert record.module == "views"
    assert record.getMessage() == "Ticket 42 closed by admin"
    assert record.ticket_id == 42


def test_smallstack_json_shape() -> None:
    record = make_record(
        "apps.tickets.views", logging.INFO, "Ticket %s closed by %s", WHEN, args=(42, "admin")
    )
    line = app_formatter().format(record)
    data = json.loads(line)
    assert list(data) == ["time", "level", "name", "module", "message"]
    assert data["level"] == "INFO"
    assert data["name"] == "apps.tickets.views"
    assert data["message"] == "Ticket 42 closed by admin"
    assert data["time"].endswith(",123")


def test_text_format() -> None:
    record = make_record(
        "apps.alerts.drivers.grafana",
        logging.INFO,
        "Parsed %d alerts from webhook",
        WHEN,
        args=(3,),
    )
    line = text_formatter().format(record)
    assert line.endswith(",123 [INFO] apps.alerts.drivers.grafana: Parsed 3 alerts from webhook")


def test_custom_levels_do_not_leak_into_logging() -> None:
    for level, name in ((AUDIT, "AUDIT"), (API, "API"), (LOGIN, "LOGIN")):
        assert make_record("audit.model", level, "x", WHEN).levelname == name
        assert logging.getLevelName(level) == f"Level {level}"


def test_activity_audit_formatter_picks_fields_by_level() -> None:
    formatter = ActivityAuditFormatter()
    audit = make_record(
        "audit.model",
        AUDIT,
        "CREATE event for Ticket (id: 1)",
        WHEN,
        fields={"model": "Ticket", "event_type": "CREATE"},
    )
    data = json.loads(formatter.format(audit))
    assert list(data)[:4] == ["timestamp", "level", "name", "message"]
    assert data["level"] == "AUDIT"
    assert data["timestamp"].endswith(".123")
    assert data["model"] == "Ticket"
    assert data["instance_id"] is None  # missing attributes are written as null
    plain = make_record("audit.other", logging.INFO, "no extra fields", WHEN)
    assert list(json.loads(formatter.format(plain))) == ["timestamp", "level", "name", "message"]


def test_factory_is_reproducible() -> None:
    def sample(seed: int) -> list[str]:
        factory = LogFactory(random.Random(seed))
        formatter = app_formatter()
        return [formatter.format(factory.app(WHEN)) for _ in range(50)]

    assert sample(1) == sample(1)
    assert sample(1) != sample(2)


def test_every_app_record_kind_occurs() -> None:
    factory = LogFactory(random.Random(3))
    messages = {factory.app(WHEN).msg for _ in range(3000)}
    assert {
        "Ticket %s closed by %s",
        "Ticket %s assigned to %s",
        "Ticket %s created: %s",
        "Invoice %s sent to %s",
        "User %s logged in",
        "%s %s %s",
        "Not Found: %s",
        "Failed login for %s from %s",
        "Report %s took %d ms",
        "Payment received for %s",
        "Internal Server Error: %s",
    } <= messages


def test_every_django_record_kind_occurs() -> None:
    factory = LogFactory(random.Random(4))
    names = {factory.django(WHEN).name for _ in range(2000)}
    assert names == {
        "apps.alerts.drivers.grafana",
        "apps.tickets.signals",
        "apps.health.checks",
        "apps.billing.tasks",
        "django.security.csrf",
        "apps.alerts.tasks",
    }


def test_api_records_cover_every_endpoint() -> None:
    factory = LogFactory(random.Random(5))
    targets = set()
    for _ in range(1500):
        request = factory.api(WHEN).request_repr
        targets.add(request.get("path") or request["endpoint"])
    for part in (
        "/api/v1/tickets/",
        "/api/v1/auth/login/",
        "/api/v1/health/",
        "/pay/",
        "api.payments.example",
    ):
        assert any(part in target for target in targets), part


def test_structlog_and_update_lines() -> None:
    factory = LogFactory(random.Random(6))
    events = factory.worker_job(WHEN)
    line = logshapes.structlog_line(events[0])
    assert line.startswith(
        '{"event": "job started", "level": "info", "logger": "apps.worker", '
        '"timestamp": "2026-03-04T14:23:01.123456Z"'
    )
    update = logshapes.update_history_line(factory.update(WHEN, "abc1234"))
    assert update.startswith('{"timestamp":"2026-03-04T14:23:01+00:00","old_sha":"abc1234"')
