"""The change format: the before/after values stored in ``LogEntry.change_message``.

The admin stores either a plain string or a JSON list such as
``[{"changed": {"fields": ["Name", "Email"]}}]``; ``LogEntry.get_change_message()`` turns
that list into "Changed Name and Email.". It only reads the ``added``, ``changed`` and
``deleted`` keys of each element, so one more element is invisible to it::

    [{"changed": {"fields": ["Name", "Email"]}},
     {"auditconsole": {"message": "optional free text or null",
                       "changes": [{"field": "name", "label": "Name", "old": "A", "new": "B"}]}}]

The admin's history pages and every other reader of the table keep working unchanged, while
the console reads the values back for its diff.

This module owns that format, whoever wrote the entry. :class:`FieldChange` is one field's
before and after; around it:

* build: :func:`extra_element` (:mod:`auditconsole.audit` writes the admin's part beside it);
* parse: :func:`parse_changes`, :func:`extra_message`, and :func:`describe_change` for a page;
* mask: :meth:`FieldChange.masked` for one field, :func:`mask_change_message` for stored text;
* display: :func:`display_value`, and ``FieldChange.old_display``/``new_display``.

``change_message`` is free text that anything may have written (the admin, import-export, a
data migration, a hand-edited row), so every reader here accepts any string, or no string at
all, and never raises: garbage reads as "no diff".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import orjson
from django.contrib.admin.models import LogEntry

from auditconsole.redaction import Redactor, is_sensitive

EXTRA_KEY = "auditconsole"
"""The key of the element the admin ignores and the console reads."""

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]

#: What a missing value (JSON ``null``) is shown as in a diff cell.
NULL_DISPLAY = "—"
#: What an empty string is shown as, so it cannot be mistaken for ``null``.
EMPTY_DISPLAY = "(empty)"


@dataclass(frozen=True)
class FieldChange:
    """One field's before and after, as JSON values (str, number, bool, None, list, dict).

    ``field`` is the name code uses, ``label`` the one people read (the admin's verbose name).
    Whoever recorded the change (our writer, or another audit package mapped onto this
    type), the pages and the export show it the same way.
    """

    field: str
    label: str
    old: JsonValue
    new: JsonValue

    @property
    def old_display(self) -> str:
        return display_value(self.old)

    @property
    def new_display(self) -> str:
        return display_value(self.new)

    @property
    def is_secret(self) -> bool:
        """Whether the field itself is a secret, so that neither value may be shown."""
        return _is_secret(self.field, self.label)

    def masked(self, redactor: Redactor) -> FieldChange:
        """This change as it may be stored or shown.

        A secret field's values both become the placeholder (that it changed is not a
        secret); other values keep their shape, with sensitive keys and ``key=value`` pairs
        inside them masked. Masking a masked change changes nothing.
        """
        if self.is_secret:
            return replace(self, old=redactor.placeholder, new=redactor.placeholder)
        return replace(self, old=redactor.redact(self.old), new=redactor.redact(self.new))

    def to_row(self) -> dict[str, JsonValue]:
        """The row stored in the extra element's ``changes`` list."""
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}

    @classmethod
    def from_row(cls, row: object) -> FieldChange | None:
        """The change a stored row records; ``None`` for a row without a usable ``field``.

        A missing ``label`` falls back to the field name, a missing ``old``/``new`` to ``None``.
        """
        if not isinstance(row, dict) or not isinstance(row.get("field"), str) or not row["field"]:
            return None
        label = row.get("label")
        return cls(
            field=row["field"],
            label=label if isinstance(label, str) and label else row["field"],
            old=row.get("old"),
            new=row.get("new"),
        )


def _is_secret(field: object, label: object) -> bool:
    # The label too: a form may label "pin" as "Password".
    return is_sensitive(field) or is_sensitive(label)


def display_value(value: object) -> str:
    """A diff cell's text for a stored JSON value; the template (or the CSV) escapes it.

    ``None`` is "no value here" (an addition's "before"), shown as :data:`NULL_DISPLAY`:
    unlike a log record's field (``auditconsole.sources.records.display_value``), where a
    ``null`` is data and is shown as written. Model instances are stored as
    ``{"pk": ..., "repr": ...}`` and read as ``repr (pk)``; lists (many-to-many) as their
    items joined by commas; other mappings (a JSONField) as compact JSON, so nothing is hidden.
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


# --- build ---------------------------------------------------------------------------------


def extra_element(message: str | None, changes: Iterable[FieldChange]) -> dict[str, JsonValue]:
    """The element the admin ignores: the free-text message (or ``null``) and the rows.

    Stored as given: the writer masks the changes first (:meth:`FieldChange.masked`).
    """
    return {EXTRA_KEY: {"message": message or None, "changes": [c.to_row() for c in changes]}}


# --- parse ---------------------------------------------------------------------------------


def _json_list(change_message: object) -> list[Any] | None:
    """``change_message`` parsed, when it is a JSON list (the admin's format, and ours)."""
    if not isinstance(change_message, str) or not change_message.startswith("["):
        return None
    try:
        # Text starting with "[" that parses at all parses to a list.
        parsed: list[Any] = orjson.loads(change_message)
        return parsed
    except orjson.JSONDecodeError:
        return None


def _extra(change_message: object) -> dict[str, Any] | None:
    """The ``{"auditconsole": {...}}`` element's mapping, if the message has a valid one."""
    for element in _json_list(change_message) or ():
        if isinstance(element, dict) and isinstance(element.get(EXTRA_KEY), dict):
            extra: dict[str, Any] = element[EXTRA_KEY]
            return extra
    return None


def parse_changes(change_message: str | None) -> list[FieldChange]:
    """The field changes recorded in ``change_message``; ``[]`` when there are none or it is garbage.

    Rows that are not mappings, or lack a string ``field``, are skipped: one bad row does
    not hide the good ones.
    """
    return _changes(_extra(change_message))


def _changes(extra: dict[str, Any] | None) -> list[FieldChange]:
    if extra is None or not isinstance(extra.get("changes"), list):
        return []
    parsed = (FieldChange.from_row(row) for row in extra["changes"])
    return [change for change in parsed if change is not None]


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
        message: str = entry.change_message  # an untyped field in django-stubs 5.2
        return message


@dataclass(frozen=True)
class ChangeDescription:
    """Everything a page shows about one entry's change, from a single parse."""

    summary: str
    message: str | None
    changes: list[FieldChange]


def describe_change(entry: LogEntry, redactor: Redactor | None = None) -> ChangeDescription:
    """The entry's change for a page or an export, with secrets masked.

    Entries written by the admin or by other code never went through our writer's
    masking, so a "password=..." in a message or a diff value is masked here too.
    """
    extra = _extra(entry.change_message)
    redactor = redactor or Redactor()
    message = _message(extra)
    return ChangeDescription(
        redactor.redact_text(change_summary(entry)),
        None if message is None else redactor.redact_text(message),
        [change.masked(redactor) for change in _changes(extra)],
    )


class ChangeDescriber:
    """:func:`describe_change` for the entries of one page, once per distinct message.

    A page often repeats "Changed Status."; the admin's rendering of it (a JSON parse and
    a translation per field) is most of what an entry costs to describe. The description
    depends on ``change_message`` alone, so entries with the same text share it.
    """

    def __init__(self) -> None:
        self.redactor = Redactor()
        self._seen: dict[str, ChangeDescription] = {}

    def __call__(self, entry: LogEntry) -> ChangeDescription:
        key = entry.change_message
        if key not in self._seen:
            self._seen[key] = describe_change(entry, self.redactor)
        return self._seen[key]


# --- mask the stored text ------------------------------------------------------------------


def mask_change_message(change_message: str, redactor: Redactor) -> str:
    """``change_message`` as stored, with its secrets masked (an export's raw column).

    A JSON list is masked structurally: a secret field's ``old`` and ``new`` in our rows,
    then sensitive keys at any depth. It is re-serialised only when something was masked,
    so an innocent message (and anything our writer stored) comes back byte for byte. Then
    ``password=...`` pairs are masked in the text.
    """
    return redactor.redact_text(_masked_json(change_message, redactor))


def _masked_json(change_message: str, redactor: Redactor) -> str:
    parsed = _json_list(change_message)
    if parsed is None:
        return change_message
    masked = [_masked_element(element, redactor) for element in parsed]
    if all(new is old for new, old in zip(masked, parsed, strict=True)):
        return change_message
    # The admin writes with json.dumps; so do we, to stay close to the original.
    return json.dumps(masked)


def _masked_element(element: Any, redactor: Redactor) -> Any:
    extra = element.get(EXTRA_KEY) if isinstance(element, dict) else None
    if not isinstance(extra, dict) or not isinstance(extra.get("changes"), list):
        return redactor.redact(element)
    rows = [_masked_row(row, redactor.placeholder) for row in extra["changes"]]
    if all(new is old for new, old in zip(rows, extra["changes"], strict=True)):
        return redactor.redact(element)
    return redactor.redact({**element, EXTRA_KEY: {**extra, "changes": rows}})


def _masked_row(row: Any, placeholder: str) -> Any:
    """A stored row with a secret field's values hidden; other keys kept as written."""
    if not isinstance(row, dict) or not _is_secret(row.get("field"), row.get("label")):
        return row
    masked = {key: placeholder if key in ("old", "new") else value for key, value in row.items()}
    return row if masked == row else masked
