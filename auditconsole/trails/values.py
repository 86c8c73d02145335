"""Field values and labels as the change format stores them, for every trail."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.db.models import Model

from auditconsole.changes import JsonValue


def json_value(value: object) -> JsonValue:
    """A field value as the change format stores it (JSON), whatever the field's type."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


def labels_of(model: type[Model] | None) -> dict[str, str]:
    """The verbose name of each field of ``model``, by name and by column (``owner_id``)."""
    labels: dict[str, str] = {}
    for field in model._meta.get_fields() if model is not None else ():
        verbose = getattr(field, "verbose_name", None)
        if verbose is not None:
            labels[field.name] = str(verbose)
            labels[getattr(field, "attname", field.name)] = str(verbose)
    return labels
