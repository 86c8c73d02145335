"""The ``LogEntry.change_message`` format: the admin's, plus the before/after values.

The admin stores either a plain string or a JSON list such as
``[{"changed": {"fields": ["Name", "Email"]}}]``, and ``LogEntry.get_change_message()``
turns that list into "Changed Name and Email.". It only looks at the ``added``, ``changed``
and ``deleted`` keys of each element, so one more element is invisible to it::

    [
        {"changed": {"fields": ["Name", "Email"]}},
        {"auditconsole": {"message": null,
                          "changes": [{"field": "name", "label": "Name", "old": "A", "new": "B"}]}}
    ]

That keeps the admin's history pages, its LogEntry changelist and every other reader of the
table working unchanged, while the console (``auditconsole.changes.parse_changes``) reads
the values back for its diff.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import translation
from django.utils.text import capfirst

from auditconsole.audit.values import JsonValue, json_safe
from auditconsole.conf import conf
from auditconsole.redaction import is_sensitive

EXTRA_KEY = "auditconsole"
"""The key of the element the admin ignores and the console reads."""

ACTION_FLAGS: frozenset[int] = frozenset({ADDITION, CHANGE, DELETION})

Changes = Mapping[str, tuple[Any, Any]]
"""Field name -> (old value, new value)."""


def field_label(model: type[Model] | Model, name: str) -> str:
    """The label the admin would store for ``name``: the field's capitalised verbose name.

    Stored untranslated, as the admin does (translation is switched off while it builds
    the message): ``get_change_message()`` translates labels when it renders them.
    Names that are not model fields (an extra form field, a computed value) keep their name.
    """
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    # Reverse relations have no verbose_name.
    verbose_name = getattr(field, "verbose_name", None)
    if verbose_name is None:
        return name
    with translation.override(None):
        return str(capfirst(verbose_name))


def change_rows(changes: Changes, labels: Mapping[str, str]) -> list[dict[str, JsonValue]]:
    """The ``changes`` list of the extra element, secrets replaced by the placeholder."""
    rows: list[dict[str, JsonValue]] = []
    for name, (old, new) in changes.items():
        if is_sensitive(name):
            old = new = conf.REDACTED_PLACEHOLDER
        rows.append(
            {"field": name, "label": labels[name], "old": json_safe(old), "new": json_safe(new)}
        )
    return rows


def build_change_message(
    obj: Model,
    action: int,
    message: str | None = None,
    changes: Changes | None = None,
    labels: Mapping[str, str] | None = None,
) -> str | list[dict[str, Any]]:
    """What to pass to ``LogEntry.objects.log_actions(change_message=...)``.

    - No ``changes``: the plain ``message``, exactly as the admin stores a string. Without a
      message, an addition gets the admin's own ``[{"added": {}}]`` ("Added."), and an empty
      ``changes`` dict on a change the admin's ``[]`` ("No fields changed."): the caller
      knows nothing changed, which is what the admin records for a save without changes.
    - ``changes``: the admin's JSON list plus the extra element with the message (or
      ``null``) and one row per field. The admin then shows "Changed X and Y." and the
      console shows the message and the diff.

    ``labels`` overrides the label of a field (``AuditMixin`` passes its form's labels, as
    the admin does); missing names get :func:`field_label`.
    """
    if action not in ACTION_FLAGS:
        raise ValueError(f"action must be ADDITION, CHANGE or DELETION, not {action!r}.")
    if action == DELETION and changes:
        # A deletion entry's change_message is plain text in the admin; the console shows
        # the object's repr. There are no "after" values to diff against.
        raise ValueError("changes cannot be recorded for a DELETION; pass a message instead.")
    if not changes:
        if message:
            return message
        if action == ADDITION:
            return [{"added": {}}]
        if action == CHANGE and changes is not None:
            return []
        return ""

    all_labels = {name: field_label(obj, name) for name in changes}
    all_labels.update({name: label for name, label in (labels or {}).items() if name in changes})
    admin_part: dict[str, Any] = (
        {"added": {}}
        if action == ADDITION
        else {"changed": {"fields": [all_labels[name] for name in changes]}}
    )
    return [
        admin_part,
        {EXTRA_KEY: {"message": message or None, "changes": change_rows(changes, all_labels)}},
    ]
