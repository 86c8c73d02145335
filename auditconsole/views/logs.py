"""Log pages: the sources list, browsing a source (or several merged), one record.

Views stay thin: validate the query string with :class:`~auditconsole.sources.query.LogFilterForm`,
ask a :class:`~auditconsole.sources.base.LogSource` for a page, sign its cursor into the
"older" link, render. Every refusal is a 404 for sources the user may not see (their
names are not disclosed), a form error for a bad filter or a tampered cursor.

The records table is a plain template loop rather than django-tables2: records are not
sortable (they are streamed from files newest-first), pages are cursor-based rather than
numbered, and tables2's per-cell template rendering would dominate the page's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, QueryDict
from django.urls import reverse
from django.views.generic import TemplateView

from auditconsole.permissions import VIEW_LOGS
from auditconsole.sources import cursor as cursors
from auditconsole.sources import levels
from auditconsole.sources.base import FileInfo, LogSource, Page
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.query import (
    CURSOR,
    LEVEL,
    LOGGER,
    SINCE,
    SOURCES,
    UNTIL,
    LogFilterForm,
    MergedFilterForm,
    Query,
)
from auditconsole.sources.records import Record, RecordRef
from auditconsole.sources.registry import (
    UnknownSource,
    get_source_for_user,
    sources_and_problems,
)
from auditconsole.views.base import ConsoleAccessMixin, HtmxFragmentMixin
from auditconsole.views.jsontokens import json_lines
from auditconsole.views.links import url_with
from auditconsole.views.sources import MergedSourceMixin, SourceFromKeyMixin, SourceIndexView

CONTEXT = "context"
DEFAULT_CONTEXT = 5
MAX_CONTEXT = 100
TIME_PRESETS: tuple[tuple[str, str], ...] = (
    ("15m", "15 min"),
    ("1h", "1 hour"),
    ("24h", "24 hours"),
    ("7d", "7 days"),
)


def tail_url_for(source: LogSource) -> str:
    """The live tail of ``source``; a merged view tails the same set of sources merged."""
    if isinstance(source, MergedSource):
        keys = urlencode([(SOURCES, member.key) for member in source.sources])
        return f"{reverse('auditconsole:tail_merged')}?{keys}"
    return reverse("auditconsole:tail", kwargs={"key": source.key})


class LogsAccessMixin(ConsoleAccessMixin):
    permission_required = VIEW_LOGS
    extra_context = {"console_section": "logs"}


# -- the sources list ------------------------------------------------------------------------


@dataclass
class SourceRow:
    source: LogSource
    files: list[FileInfo]
    newest: datetime | None
    total_size: int
    browse_url: str
    tail_url: str


class SourceListView(LogsAccessMixin, SourceIndexView):
    template_name = "auditconsole/logs/sources.html"
    merged_url_name = "auditconsole:merged"

    def row(self, source: LogSource) -> SourceRow:
        files = source.files()  # backends report unreadable files per file, never raise
        times = [info.newest_time for info in files if info.newest_time is not None]
        newest = max(times) if times else None
        if newest is None and any(info.error is None for info in files):
            newest = source.newest_time()  # only compressed files: decompress the newest
        return SourceRow(
            source=source,
            files=files,
            newest=newest,
            total_size=sum(info.size for info in files),
            browse_url=reverse("auditconsole:source", kwargs={"key": source.key}),
            tail_url=tail_url_for(source),
        )


# -- browsing ----------------------------------------------------------------------------------


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


@dataclass
class FacetLink:
    name: str
    count: int
    url: str | None
    current: bool


class BrowseView(SourceFromKeyMixin, LogsAccessMixin, HtmxFragmentMixin, TemplateView):
    """One source, newest first, filtered; ``?cursor=`` continues where a page ended."""

    template_name = "auditconsole/logs/browse.html"
    fragment_template_name = "auditconsole/logs/fragment.html"

    def get_form(self) -> LogFilterForm:
        return LogFilterForm(self.request.GET)

    def reset_url(self) -> str:
        return self.request.path

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source = self.source
        form = self.get_form()
        page, query = self.run(form)
        path, params = self.request.path, self.request.GET
        next_url = None
        if page is not None and page.cursor is not None:
            next_url = url_with(
                path, params, **{CURSOR: cursors.dumps(cursors.PAGE, self.scope, page.cursor)}
            )
        columns = list(source.columns)
        context.update(
            source=source,
            form=form,
            query=query,
            page=page,
            rows=[Row.of(record, columns) for record in (page.records if page else [])],
            columns=columns,
            show_source=isinstance(source, MergedSource),
            next_url=next_url,
            newest_url=url_with(path, params, **{CURSOR: None}) if params.get(CURSOR) else None,
            reset_url=self.reset_url(),
            level_facets=self.level_facets(page, form),
            logger_facets=self.logger_facets(page, form),
            all_levels_url=url_with(path, params, **{LEVEL: None, CURSOR: None}),
            all_loggers_url=url_with(path, params, **{LOGGER: None, CURSOR: None}),
            presets=[
                (value, label, url_with(path, params, **{SINCE: value, UNTIL: None, CURSOR: None}))
                for value, label in TIME_PRESETS
            ],
            field_values=form.field_values,
            tail_url=tail_url_for(source),
        )
        return context

    def run(self, form: LogFilterForm) -> tuple[Page | None, Query | None]:
        if not form.is_valid():
            return None, None
        query = form.to_query()
        state = None
        token = form.cleaned_data.get(CURSOR)
        if token:
            try:
                state = cursors.loads(cursors.PAGE, self.scope, token)
            except cursors.InvalidCursor:
                form.add_error(
                    CURSOR,
                    "This page link is not valid for this source; start again from the newest records.",
                )
                return None, query
        try:
            return self.source.page(query, state), query
        except ValueError:
            form.add_error(
                CURSOR,
                "This page link no longer matches the log files; start again from the newest records.",
            )
            return None, query

    def level_facets(self, page: Page | None, form: LogFilterForm) -> list[FacetLink]:
        if page is None:
            return []
        path, params = self.request.path, self.request.GET
        current = form.cleaned_data.get(LEVEL, "") if hasattr(form, "cleaned_data") else ""
        links = []
        for name, count in page.facets.levels:
            usable = bool(name) and levels.number_for_name(name) is not None
            url = url_with(path, params, **{LEVEL: name, CURSOR: None}) if usable else None
            links.append(FacetLink(name or "(none)", count, url, usable and name == current))
        return links

    def logger_facets(self, page: Page | None, form: LogFilterForm) -> list[FacetLink]:
        if page is None:
            return []
        path, params = self.request.path, self.request.GET
        current = form.cleaned_data.get(LOGGER, "") if hasattr(form, "cleaned_data") else ""
        return [
            FacetLink(
                name or "(none)",
                count,
                url_with(path, params, **{LOGGER: name, CURSOR: None}) if name else None,
                bool(name) and name == current,
            )
            for name, count in page.facets.loggers
        ]


class MergedBrowseView(MergedSourceMixin, BrowseView):
    """Several sources interleaved by time: ``logs/merged/?sources=app&sources=api``."""

    empty_redirect = "auditconsole:sources"

    def get_form(self) -> LogFilterForm:
        visible, _ = sources_and_problems(self.request.user)
        return MergedFilterForm(
            self.request.GET, source_choices=[(s.key, s.label) for s in visible]
        )

    def reset_url(self) -> str:
        return url_with(
            self.request.path,
            QueryDict(mutable=True),
            **{SOURCES: self.request.GET.getlist(SOURCES)},
        )


# -- one record ----------------------------------------------------------------------------------


class RecordView(LogsAccessMixin, TemplateView):
    """A record in full: fields as highlighted JSON, message, traceback, its neighbours."""

    template_name = "auditconsole/logs/record.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        key = self.kwargs["key"]
        try:
            source = get_source_for_user(key, self.request.user)
        except (UnknownSource, ImproperlyConfigured):
            raise Http404("No such log source.") from None
        try:
            ref = RecordRef.from_state(key, cursors.loads(cursors.REF, key, self.kwargs["ref"]))
        except (cursors.InvalidCursor, ValueError, TypeError):
            raise Http404("No such record.") from None
        count = _context_count(self.request.GET.get(CONTEXT))
        around = source.around(ref, count)
        if around is None:
            raise Http404(
                "This record is no longer in the log: rotated away, or the file was rewritten."
            )
        record = around.record
        browse_url = reverse("auditconsole:source", kwargs={"key": key})
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
                self.request.path, QueryDict(), **{CONTEXT: str(min(MAX_CONTEXT, count * 5))}
            )
            if count < MAX_CONTEXT
            else None,
            browse_from_url=url_with(browse_url, QueryDict(), **{UNTIL: record.time.isoformat()})
            if record.time
            else None,
            browse_url=browse_url,
        )
        return context


def _context_count(value: str | None) -> int:
    try:
        count = int(value or DEFAULT_CONTEXT)
    except ValueError:
        return DEFAULT_CONTEXT
    return max(1, min(MAX_CONTEXT, count))
