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

from django.urls import reverse
from django.views.generic import TemplateView

from auditconsole.links import source_path, source_url, url_with
from auditconsole.sources import cursor as cursors
from auditconsole.sources import levels
from auditconsole.sources.base import Facets, FileInfo, LogSource, Page
from auditconsole.sources.histogram import log_chart
from auditconsole.sources.query import (
    CURSOR,
    FIELD,
    LEVEL,
    LOGGER,
    SINCE,
    UNTIL,
    LogFilterForm,
    Query,
)
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


def level_counts(facets: Facets | None) -> list[tuple[str, int | None]]:
    """The level facet's values in severity order: those not counted first, then the rest."""
    if facets is None:
        return []
    counts: list[tuple[str, int | None]] = [(name, None) for name in facets.uncounted_levels]
    counts.extend(facets.levels)
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


#: The field filter a host facet sets (a backend that knows hosts filters ``host=``).
HOST_FIELD = "host"


def host_links(
    counts: list[tuple[str, int]], current: list[str], link: Callable[[dict[str, Any]], str]
) -> list[FacetLink]:
    """The host facet: each host a link adding ``field=host=<name>`` to the other field
    filters (replacing a host filter already there)."""
    others = [value for value in current if not value.replace(" ", "").startswith("host=")]
    facets = []
    for name, count in counts:
        chosen = f"{HOST_FIELD}={name}"
        url = link({FIELD: [*others, chosen]}) if name else None
        facets.append(FacetLink(name or "(none)", count, url, chosen in current))
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
        columns = list(source.columns)
        apart = source.facets_apart and page is not None
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
            **facet_context(
                None if apart or page is None else page.facets, form, page is not None, link
            ),
            # Counted by the store in a request of their own: the records do not wait.
            facets_url=url_with(
                reverse("auditconsole:source_facets", kwargs=source.url_kwargs), params
            )
            if apart
            else None,
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


def facet_context(
    facets: Facets | None,
    form: LogFilterForm,
    valid: bool,
    link: Callable[[dict[str, Any]], str],
) -> dict[str, Any]:
    """What ``logs/partials/facets.html`` shows: each facet's values as links."""
    cleaned = form.cleaned_data if valid else {}
    return {
        "facets": facets,
        "level_facets": facet_links(
            level_counts(facets), LEVEL, cleaned.get(LEVEL, ""), link, is_level
        ),
        "logger_facets": facet_links(
            facets.loggers if facets else [], LOGGER, cleaned.get(LOGGER, ""), link
        ),
        "host_facets": host_links(facets.hosts if facets else [], form.field_values, link),
        "all_levels_url": link({LEVEL: None}),
        "all_loggers_url": link({LOGGER: None}),
    }


class FacetsView(SourceMixin, FilterFormMixin, LogsAccessMixin, HtmxFragmentMixin, TemplateView):
    """``logs/<key>/facets/``: a source's facets alone.

    The browse page of a source that counts them in its store (``facets_apart``) loads
    this into its facet panel (htmx, on load) and links to it (no JavaScript); its links
    lead back to the browse page with the facet's filter set. Any source answers.
    """

    template_name = "auditconsole/logs/facets.html"
    fragment_template_name = "auditconsole/logs/facets_fragment.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source = self.source
        form = self.get_form()
        valid = form.is_valid()
        facets = query = None
        if valid:
            query = form.to_query()
            # A source that counts per page (merged files): the newest page's counts.
            facets = (
                source.count_facets(query) if source.facets_apart else source.page(query).facets
            )
        browse = source_path(source, "browse")
        link = partial(url_with, browse, self.request.GET)
        histogram = facets.histogram if facets is not None else None
        context.update(
            source=source,
            form=form,
            query=query,
            browse_url=link(),
            # Asking again goes on counting where a partial count stopped (files).
            facets_page_url=self.request.get_full_path(),
            # In the page (htmx), a partial count goes on by itself until it is whole.
            auto_continue=bool(getattr(self.request, "htmx", False)),
            chart=log_chart(histogram, link) if histogram is not None else None,
            show_errors=True,  # this page has no filter form to show them beside
            **facet_context(facets, form, valid, link),
        )
        return context


class MergedBrowseView(MergedSourceMixin, MergedFilterFormMixin, BrowseView):
    """Several sources interleaved by time: ``logs/merged/?sources=app&sources=api``."""

    empty_redirect = "auditconsole:sources"
