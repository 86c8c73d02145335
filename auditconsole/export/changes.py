"""The two change columns of a LogEntry export: the change as words, and as stored.

``change_message`` is free text anything may have written. Our own writer masks secrets
before they reach the table (:mod:`auditconsole.audit.values`), but the admin, a data
migration or a hand-written ``LogEntry`` did not, and an export leaves the building. So
both columns go through :mod:`auditconsole.redaction` again, the way log records do:

* the rendered change masks the before/after values of a field whose name is sensitive,
  masks sensitive keys inside JSON values, and masks ``password=...`` pairs in the text;
* the raw message is masked structurally when it is a JSON list (re-serialised only when
  something was masked, so an innocent message is exported byte for byte), and as text.

Change messages repeat a lot ("Changed Status."), and parsing one (JSON, the admin's
translated wording) costs far more than writing a CSV row, so the cells are computed once
per distinct message, in a bounded cache: memory stays flat over a million rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson
from django.contrib.admin.models import LogEntry

from auditconsole.changes import EXTRA_KEY, FieldChange, describe_change
from auditconsole.changes import display_value as change_display
from auditconsole.conf import conf
from auditconsole.export.formulas import escape_formula
from auditconsole.redaction import Redactor, is_sensitive

#: Distinct messages remembered; past it the cache starts again (an export of a million
#: unique messages then costs a parse per row, and no more memory).
CACHE_SIZE = 10_000
PART_SEPARATOR = " — "
DIFF_SEPARATOR = "; "


@dataclass(frozen=True)
class ChangeCells:
    """Both cells, ready for the CSV: masked, and formula-escaped."""

    rendered: str
    raw: str


class ChangeRenderer:
    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self.redactor = Redactor()
        self.placeholder = conf.REDACTED_PLACEHOLDER
        self.cache_size = cache_size
        self._cache: dict[str, ChangeCells] = {}

    def cells(self, change_message: str | None) -> ChangeCells:
        key = change_message or ""
        cells = self._cache.get(key)
        if cells is None:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            # Escaped here, once per distinct message, rather than once per row.
            cells = self._cache[key] = ChangeCells(
                escape_formula(self.render(key)), escape_formula(self.raw(key))
            )
        return cells

    def render(self, change_message: str) -> str:
        """The admin's wording, our writer's note, then each field as ``Label: old → new``."""
        description = describe_change(LogEntry(change_message=change_message))
        parts = [description.summary]
        if description.message:
            parts.append(description.message)
        if description.changes:
            parts.append(DIFF_SEPARATOR.join(self.diff(change) for change in description.changes))
        return self.redactor.redact_text(PART_SEPARATOR.join(part for part in parts if part))

    def diff(self, change: FieldChange) -> str:
        if is_sensitive(change.field) or is_sensitive(change.label):
            old = new = self.placeholder
        else:
            old = change_display(self.redactor.redact(change.old))
            new = change_display(self.redactor.redact(change.new))
        return f"{change.label}: {old} → {new}"

    def raw(self, change_message: str) -> str:
        return self.redactor.redact_text(self._masked_json(change_message))

    def _masked_json(self, change_message: str) -> str:
        if not change_message.startswith("["):
            return change_message
        try:
            parsed = orjson.loads(change_message)
        except orjson.JSONDecodeError:
            return change_message
        masked = [self._mask_element(element) for element in parsed]
        if all(new is old for new, old in zip(masked, parsed, strict=True)):
            return change_message
        # The admin writes with json.dumps; so do we, to stay close to the original.
        return json.dumps(masked)

    def _mask_element(self, element: Any) -> Any:
        extra = element.get(EXTRA_KEY) if isinstance(element, dict) else None
        if not isinstance(extra, dict) or not isinstance(extra.get("changes"), list):
            return self.redactor.redact(element)
        rows = [self._mask_row(row) for row in extra["changes"]]
        if all(new is old for new, old in zip(rows, extra["changes"], strict=True)):
            return self.redactor.redact(element)
        return self.redactor.redact({**element, EXTRA_KEY: {**extra, "changes": rows}})

    def _mask_row(self, row: Any) -> Any:
        if not isinstance(row, dict):
            return row
        names = (row.get("field"), row.get("label"))
        if not any(is_sensitive(name) for name in names):
            return row
        masked = {
            key: self.placeholder if key in ("old", "new") else value for key, value in row.items()
        }
        return row if masked == row else masked
