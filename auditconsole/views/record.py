"""One record in full: its fields as highlighted JSON, message, traceback, its neighbours;
and a record as a row of the log tables (browse and record pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, QueryDict
from django.views.generic import TemplateView

from auditconsole.access.events import RECORD
from auditconsole.links import source_path, url_with
from auditconsole.sources import cursor as cursors
from auditconsole.sources.query import UNTIL
from auditconsole.sources.records import Record, RecordRef
from auditconsole.trails.correlation import record_links
from auditconsole.views.access import AccessRecordMixin
from auditconsole.views.jsontokens import json_lines
from auditconsole.views.sources import LogsAccessMixin, SourceMixin

CONTEXT = "context"
DEFAULT_CONTEXT = 5
MAX_CONTEXT = 100


@dataclass
class Cell:
    """One configured column's value in a row; the column names it where no header shows."""

    column: str
    value: str


@dataclass
class Row:
    record: Record
    cells: list[Cell]

    @classmethod
    def of(cls, record: Record, columns: list[str]) -> Row:
        return cls(record, [Cell(column, record.column(column)) for column in columns])


class RecordView(AccessRecordMixin, SourceMixin, LogsAccessMixin, TemplateView):
    """A record in full: fields as highlighted JSON, message, traceback, its neighbours."""

    access_event = RECORD

    template_name = "auditconsole/logs/record.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source = self.source
        try:
            state = cursors.loads(cursors.REF, self.scope, self.kwargs["ref"])
            ref = RecordRef.from_state(source.key, state)
        except (cursors.InvalidCursor, ValueError, TypeError):
            raise Http404("No such record.") from None
        count = _context_count(self.request.GET.get(CONTEXT))
        around = source.around(ref, count)
        if around is None:
            raise Http404(
                "This record is no longer in the log: rotated away, or the file was rewritten."
            )
        record = around.record
        browse_url = source_path(source, "browse")
        columns = list(source.columns)
        context.update(
            source=source,
            record=record,
            around=around,
            rows=[Row.of(r, columns) for r in around.rows],
            columns=columns,
            current=record,
            json=json_lines(record.data) if record.data else None,
            context_count=count,
            more_context_url=url_with(
                self.request.path, QueryDict(), {CONTEXT: str(min(MAX_CONTEXT, count * 5))}
            )
            if count < MAX_CONTEXT
            else None,
            browse_from_url=url_with(browse_url, QueryDict(), {UNTIL: record.time.isoformat()})
            if record.time
            else None,
            browse_url=browse_url,
            record_links=record_links(record.data, self.request.user),
        )
        return context


def _context_count(value: str | None) -> int:
    try:
        count = int(value or DEFAULT_CONTEXT)
    except ValueError:
        return DEFAULT_CONTEXT
    return max(1, min(MAX_CONTEXT, count))
