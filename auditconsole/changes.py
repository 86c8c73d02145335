"""Reading the before/after values back out of ``LogEntry.change_message``.

The writer side (:mod:`auditconsole.audit.messages`) stores the admin's JSON list plus one
element the admin ignores::

    [{"changed": {"fields": ["Name", "Email"]}},
     {"auditconsole": {"message": "optional free text or null",
                       "changes": [{"field": "name", "label": "Name", "old": "A", "new": "B"}]}}]

This module is the reader. ``change_message`` is free text that anything may have written
(the admin, import-export, a data migration, a hand-edited row), so every function here
accepts any string, or no string at all, and never raises: garbage reads as "no diff".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import orjson
from django.contrib.admin.models import LogEntry

from auditconsole.redaction import Redactor, is_sensitive

EXTRA_KEY = "auditconsole"

#: What a missing value (JSON ``null``) is shown as in a diff cell.
NULL_DISPLAY = "—"
#: What an empty string is shown as, so it cannot be mistaken for ``null``.
EMPTY_DISPLAY = "(empty)"


@dataclass(frozen=True)
class FieldChange:
    """One field's before and after, as JSON values (str, number, bool, None, list, dict)."""

    field: str
    label: str
    old: Any
    new: Any

    @property
    def old_display(self) -> str:
        return display_value(self.old)

    @property
    def new_display(self) -> str:
        return display_value(self.new)


def display_value(value: Any) -> str:
    """Readable text for a stored JSON value; the template escapes it.

    Model instances are stored as ``{"pk": ..., "repr": ...}`` and read as ``repr (pk)``;
    lists (many-to-many) as their items joined by commas; other mappings (a JSONField) as
    compact JSON, so nothing is hidden.
    """
    if value is None:
        return NULL_DISPLAY
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else EMPTY_DISPLAY
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        if set(value) == {"pk", "repr"}:
            return (
                f"{value['repr']} ({value['pk']})"
                if value["pk"] is not None
                else str(value["repr"])
            )
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    if isinstance(value, list):
        return ", ".join(display_value(item) for item in value) if value else "[]"
    return str(value)


def _extra(change_message: object) -> dict[str, Any] | None:
    """The ``{"auditconsole": {...}}`` element's mapping, if the message has a valid one."""
    if not isinstance(change_message, str) or not change_message.startswith("["):
        return None
    try:
        parsed = orjson.loads(change_message)
    except orjson.JSONDecodeError:
        return None
    # Text starting with "[" that parses at all parses to a list.
    for element in parsed:
        if isinstance(element, dict) and isinstance(element.get(EXTRA_KEY), dict):
            return element[EXTRA_KEY]
    return None


def parse_changes(change_message: str | None) -> list[FieldChange]:
    """The field changes recorded in ``change_message``; ``[]`` when there are none or it is garbage.

    Rows that are not mappings, or lack a string ``field``, are skipped: one bad row does
    not hide the good ones. A missing ``label`` falls back to the field name, a missing
    ``old``/``new`` to ``None``.
    """
    return _changes(_extra(change_message))


def _changes(extra: dict[str, Any] | None) -> list[FieldChange]:
    if extra is None or not isinstance(extra.get("changes"), list):
        return []
    changes: list[FieldChange] = []
    for row in extra["changes"]:
        if not isinstance(row, dict) or not isinstance(row.get("field"), str) or not row["field"]:
            continue
        label = row.get("label")
        changes.append(
            FieldChange(
                field=row["field"],
                label=label if isinstance(label, str) and label else row["field"],
                old=row.get("old"),
                new=row.get("new"),
            )
        )
    return changes


def extra_message(change_message: str | None) -> str | None:
    """The free-text message our writer stored beside the diff, if any."""
    return _message(_extra(change_message))


def _message(extra: dict[str, Any] | None) -> str | None:
    if extra is None:
        return None
    message = extra.get("message")
    return message if isinstance(message, str) and message.strip() else None


def change_summary(entry: LogEntry) -> str:
    """``entry.get_change_message()``, the admin's rendering, without its crashes.

    The admin assumes every element of a JSON change message is a well-formed mapping; a
    row such as ``[null]`` or ``[{"changed": 5}]`` makes it raise. Such a row is shown as
    its raw text instead, which is what the admin does for text that is not JSON.
    """
    try:
        return entry.get_change_message()
    except (TypeError, KeyError, AttributeError, ValueError, IndexError):
        return entry.change_message


@dataclass(frozen=True)
class ChangeDescription:
    """Everything a page shows about one entry's change, from a single parse."""

    summary: str
    message: str | None
    changes: list[FieldChange]


def describe_change(entry: LogEntry) -> ChangeDescription:
    """The entry's change for a page, with secrets masked as exports mask them.

    Entries written by the admin or by other code never went through our writer's
    redaction, so a "password=..." in a message or a diff value is masked here too.
    """
    extra = _extra(entry.change_message)
    redactor = Redactor()
    message = _message(extra)
    return ChangeDescription(
        redactor.redact_text(change_summary(entry)),
        None if message is None else redactor.redact_text(message),
        [_masked(change, redactor) for change in _changes(extra)],
    )


def _masked(change: FieldChange, redactor: Redactor) -> FieldChange:
    if is_sensitive(change.field) or is_sensitive(change.label):
        hidden = redactor.placeholder
        return replace(change, old=hidden, new=hidden)
    return replace(change, old=redactor.redact(change.old), new=redactor.redact(change.new))
