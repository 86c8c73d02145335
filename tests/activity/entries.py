"""Writing LogEntry rows for the activity tests, the way the admin would."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from project.demo.models import Customer, Ticket

NOW = datetime.datetime(2026, 3, 15, 12, 0, tzinfo=datetime.UTC)


def content_type(model: type[Model] | Model | ContentType) -> ContentType:
    if isinstance(model, ContentType):
        return model
    return ContentType.objects.get_for_model(model, for_concrete_model=False)


def log(
    user: Any,
    model: type[Model] | Model | ContentType | None,
    object_id: Any = 1,
    action: int = CHANGE,
    *,
    when: datetime.datetime | None = None,
    name: str | None = None,
    message: str | list | None = None,
) -> LogEntry:
    """One entry; ``message`` as a list is stored as JSON, like the admin does."""
    ct = content_type(model) if model is not None else None
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry.objects.create(
        user=user,
        content_type=ct,
        object_id=None if object_id is None else str(object_id),
        object_repr=name if name is not None else f"{ct.model if ct else 'thing'} {object_id}",
        action_flag=action,
        change_message=message or "",
        action_time=when or timezone.now(),
    )


def auditconsole_message(
    changes: list[dict[str, Any]], fields: list[str] | None = None, note: str | None = None
) -> str:
    """The change message our writer (issue 7) stores: the admin's list plus our element."""
    admin_part = {"changed": {"fields": fields or [c["label"] for c in changes]}}
    return json.dumps([admin_part, {"auditconsole": {"message": note, "changes": changes}}])


def many_entries(users: list[Any], rows: int, *, analyse: bool = True) -> None:
    """``rows`` entries over many pages of the table, by ``users`` on customers and
    tickets, a minute apart back from :data:`NOW`; analysed on PostgreSQL, so that its
    statistics know the table's size (the facets' estimates read them), unless ``analyse``
    is false."""
    customer, ticket = content_type(Customer), content_type(Ticket)
    LogEntry.objects.bulk_create(
        LogEntry(
            user=users[n % len(users)],
            content_type=customer if n % 5 else ticket,
            object_id=str(n % 400),
            object_repr=f"Object {n % 400} 100% “quoted” {'x' * 60}",
            action_flag=(ADDITION, CHANGE, CHANGE, DELETION)[n % 4],
            change_message="",
            action_time=NOW - datetime.timedelta(minutes=n),
        )
        for n in range(rows)
    )
    if analyse and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE django_admin_log")
