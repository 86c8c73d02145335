"""Writing LogEntry rows for the activity tests, the way the admin would."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

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
