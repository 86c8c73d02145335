"""Turning field values into JSON that can be stored in ``LogEntry.change_message``.

The stored before/after values must survive ``json.dumps`` and read back unambiguously,
whatever the field type. Secrets must never reach the table at all: keys of nested mappings
are redacted here, with the key matching (:func:`auditconsole.redaction.is_sensitive`) the
log sources use when they display log records, and the writer then masks each field change
(:meth:`auditconsole.changes.FieldChange.masked`).
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Model, QuerySet

from auditconsole.changes import JsonValue
from auditconsole.conf import conf
from auditconsole.redaction import is_sensitive


def json_safe(value: Any) -> JsonValue:
    """A JSON-serialisable rendering of ``value``, as the console will display it.

    Dates and times become ISO 8601, decimals and UUIDs strings (a float would lose digits),
    model instances ``{"pk": ..., "repr": ...}`` (the pk to link, the repr because the row
    may be gone by the time anyone reads the entry), collections lists, and anything else
    its ``str()``. Keys of nested mappings (a JSONField, say) are redacted like field names.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        # str.__str__ unwraps str subclasses (TextChoices members, SafeString) to plain text.
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        # NaN and infinity are not JSON; json.dumps would write them anyway.
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Model):
        return {"pk": None if value.pk is None else str(value.pk), "repr": str(value)}
    if isinstance(value, Mapping):
        return {
            str(key): conf.REDACTED_PLACEHOLDER if is_sensitive(str(key)) else json_safe(item)
            for key, item in value.items()
        }
    if isinstance(value, set | frozenset):
        # Sets have no order; sort so the same set is always stored the same way.
        return sorted((json_safe(item) for item in value), key=repr)
    if isinstance(value, QuerySet | list | tuple):
        return [json_safe(item) for item in value]
    return str(value)
