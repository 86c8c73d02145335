"""Log pages: the sources list, browsing a source (or several merged); one record is in
:mod:`auditconsole.views.record`.

Views stay thin: validate the query string with :class:`~auditconsole.sources.query.LogFilterForm`,
ask a :class:`~auditconsole.sources.base.LogSource` for a page, sign its cursor into the
"older" link, render. Every refusal is a 404 for sources the user may not see (their
names are not disclosed), a form error for a bad filter or a tampered cursor.

The records table is a plain template loop rather than django-tables2: records are not
sortable (they are streamed from files newest-first), pages are cursor-based rather than
numbered, and tables2's per-cell template rendering would dominate the page's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.views.generic import TemplateView

from auditconsole.links import source_path, source_url, url_with
from auditconsole.sources import cursor as cursors
from auditconsole.sources import levels
from auditconsole.sources.base import FileInfo, LogSource, Page
from auditconsole.sources.query import CURSOR, LEVEL, LOGGER, SINCE, UNTIL, LogFilterForm, Query
from auditconsole.views.access import AccessRecordMixin
from auditconsole.views.base import HtmxFragmentMixin
from auditconsole.views.record import Row
from auditconsole.views.sources import (
    FilterFormMixin,
    LogsAccessMixin,
    MergedFilterFormMixin,
    MergedSourceMixin,
    SourceChoice,
    SourceIndexView,
    SourceMixin,
)

TIME_PRESETS: tuple[tuple[str, str], ...] = (
    ("15m", "15 min"),
    ("1h", "1 hour"),
    ("24h", "24 hours"),
    ("7d", "7 days"),
)


# -- the sources list ------------------------------------------------------------------------


@dataclass
class SourceRow(SourceChoice):
    files: list[FileInfo]
    newest: datetime | None
    total_size: int


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
            tail_url=source_url(source, "tail"),
            browse_url=source_path(source, "browse"),
            files=files,
            newest=newest,
            total_size=sum(info.size for info in files),
        )


# -- browsing ----------------------------------------------------------------------------------


@dataclass
class FacetLink:
    name: str
    count: int | None
    url: str | None
    current: bool


def level_counts(page: Page | None) -> list[tuple[str, int | None]]:
    """The level facet's values in severity order: those not counted first, then the rest."""
    if page is None:
        return []
    counts: list[tuple[str, int | None]] = [(name, None) for name in page.facets.uncounted_levels]
    counts.extend(page.facets.levels)
    return counts


def facet_links(
    counts: Sequence[tuple[str, int | None]],
    name: str,
    current: str,
    link: Callable[[dict[str, str]], str],
    usable: Callable[[str], bool] = bool,
) -> list[FacetLink]:
    """One facet's values, each a link that sets ``name`` to it; a value nobody can filter
    on (no level, a level name that is not one) is shown without a link. A count of
    ``None`` is a value that was not counted (the page says why)."""
    facets = []
    for value, count in counts:
        url = link({name: value}) if usable(value) else None
        facets.append(
            FacetLink(value or "(none)", count, url, url is not None and value == current)
        )
    return facets


def is_level(name: str) -> bool:
    return bool(name) and levels.number_for_name(name) is not None


class BrowseView(
    AccessRecordMixin,
    SourceMixin,
    FilterFormMixin,
    LogsAccessMixin,
    HtmxFragmentMixin,
    TemplateView,
):
    """One source, newest first, filtered; ``?cursor=`` continues where a page ended."""

    template_name = "auditconsole/logs/browse.html"
    fragment_template_name = "auditconsole/logs/fragment.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source = self.source
        form = self.get_form()
        page, query = self.run(form)
        params = self.request.GET
        # Every link changes the result, so each drops the cursor (url_with's default).
        link = partial(url_with, self.request.path, params)
        next_url = None
        if page is not None and page.cursor is not None:
            next_url = link({CURSOR: cursors.dumps(cursors.PAGE, self.scope, page.cursor)})
        cleaned = form.cleaned_data if page is not None else {}
        columns = list(source.columns)
        context.update(
            source=source,
            form=form,
            query=query,
            page=page,
            rows=[Row.of(record, columns) for record in (page.records if page else [])],
            columns=columns,
            show_source=source.is_merged,
            next_url=next_url,
            newest_url=link() if params.get(CURSOR) else None,
            reset_url=source_url(source, "browse"),
            level_facets=facet_links(
                level_counts(page),
                LEVEL,
                cleaned.get(LEVEL, ""),
                link,
                is_level,
            ),
            logger_facets=facet_links(
                page.facets.loggers if page else [], LOGGER, cleaned.get(LOGGER, ""), link
            ),
            all_levels_url=link({LEVEL: None}),
            all_loggers_url=link({LOGGER: None}),
            presets=[
                (value, label, link({SINCE: value, UNTIL: None})) for value, label in TIME_PRESETS
            ],
            field_values=form.field_values,
            tail_url=source_url(source, "tail"),
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


class MergedBrowseView(MergedSourceMixin, MergedFilterFormMixin, BrowseView):
    """Several sources interleaved by time: ``logs/merged/?sources=app&sources=api``."""

    empty_redirect = "auditconsole:sources"
