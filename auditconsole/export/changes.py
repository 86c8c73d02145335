"""The two change columns of a LogEntry export: the change as words, and as stored.

``change_message`` is free text anything may have written. Our own writer masks secrets
before they reach the table, but the admin, a data migration or a hand-written ``LogEntry``
did not, and an export leaves the building. So both columns are masked by the change format
(:mod:`auditconsole.changes`), which masks what a page shows the same way:

* the rendered change is :func:`~auditconsole.changes.describe_change`'s, already masked,
  laid out on one line and masked once more as text (labels and the joined line are text);
* the raw message is :func:`~auditconsole.changes.mask_change_message`'s: masked
  structurally when it is a JSON list (an innocent message is exported byte for byte),
  and as text.

Change messages repeat a lot ("Changed Status."), and parsing one (JSON, the admin's
translated wording) costs far more than writing a CSV row, so the cells are computed once
per distinct message, in a bounded cache: memory stays flat over a million rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.admin.models import LogEntry

from auditconsole.changes import FieldChange, describe_change, mask_change_message
from auditconsole.export.formulas import escape_formula
from auditconsole.redaction import Redactor

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
        return f"{change.label}: {change.old_display} → {change.new_display}"

    def raw(self, change_message: str) -> str:
        return mask_change_message(change_message, self.redactor)
