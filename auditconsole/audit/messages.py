"""What our writer stores in ``LogEntry.change_message``: the admin's wording, plus the values.

The layout is :mod:`auditconsole.changes`'s (described there). This module decides what goes
in it for an action, as the admin would: its plain text, its ``[{"added": {}}]`` or ``[]``,
or its JSON list with the ``changed`` fields' labels followed by our element.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import translation
from django.utils.text import capfirst

from auditconsole.audit.values import json_safe
from auditconsole.changes import FieldChange, extra_element
from auditconsole.redaction import Redactor

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


def field_changes(changes: Changes, labels: Mapping[str, str]) -> list[FieldChange]:
    """One :class:`FieldChange` per field, its values JSON-safe and masked before storing."""
    redactor = Redactor()
    return [
        FieldChange(name, labels[name], json_safe(old), json_safe(new)).masked(redactor)
        for name, (old, new) in changes.items()
    ]


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
    return [admin_part, extra_element(message, field_changes(changes, all_labels))]
