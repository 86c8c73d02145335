"""The filters of an export in words, for the confirmation page: "Action: Change".

Read from the very form that validated the request, so the summary cannot describe
anything but what will be exported. Choices and models are shown by their labels; other
values as they were typed (``7d`` stays ``7d``, a date stays the date the user gave
rather than the instant it was turned into).
"""

from __future__ import annotations

from typing import Any

from django import forms


def is_empty(value: Any) -> bool:
    """Blank, or an unticked box: not a filter."""
    return value is None or value is False or value in ("", [], ())


def filter_summary(form: forms.Form) -> list[tuple[str, str]]:
    """``(label, value)`` of every filter a valid ``form`` applies, in the form's order."""
    items: list[tuple[str, str]] = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field.widget, forms.HiddenInput) or is_empty(value):
            continue
        items.append((str(field.label or name), display(form, name, field, value)))
    return items


def display(form: forms.Form, name: str, field: forms.Field, value: Any) -> str:
    if isinstance(field, forms.ModelChoiceField):
        return str(field.label_from_instance(value))
    if isinstance(field, forms.MultipleChoiceField):
        # Django has normalised choices into (value, label) pairs by now; the stubs allow more.
        labels = dict(field.choices)  # type: ignore[arg-type]
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(field, forms.BooleanField):
        return "yes"
    raw = form[name].value()
    if isinstance(raw, list | tuple):
        return ", ".join(str(item).strip() for item in raw if str(item).strip())
    return str(raw).strip()
