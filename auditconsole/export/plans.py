"""What one export writes: the page's own search, its rows, its columns, its file name.

A plan is built from the query string of the page it exports and validated the way that
page validates it, so an export can only ever contain what the page shows:

* activity: :class:`~auditconsole.activity.search.ActivitySearch` (the FilterSet and the
  viewer's scope) and the page's sort order;
* logs: :class:`~auditconsole.sources.query.LogFilterForm` turned into the same
  :class:`~auditconsole.sources.query.Query`, run by the same source.

Paging parameters are ignored: an export is every matching row, not the page on screen.
The views and the management command both start from a plan.
"""

from __future__ import annotations

import datetime
import itertools
import shlex
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse

from auditconsole.activity.counting import count_results
from auditconsole.activity.filters import FILTER_PARAMS
from auditconsole.activity.ordering import DEFAULT_SORT, SORT, resolve_sort
from auditconsole.activity.search import ActivitySearch
from auditconsole.export.naming import export_filename
from auditconsole.export.resources import (
    CHUNK_SIZE,
    LogEntryResource,
    LogRecordResource,
    StreamingResource,
    TimelineItemResource,
)
from auditconsole.export.summary import filter_summary
from auditconsole.links import given_params, source_path, url_with
from auditconsole.sources import query as log_query
from auditconsole.sources.base import LogSource, default_budget
from auditconsole.sources.query import REGEX, SOURCES, LogFilterForm, Query
from auditconsole.sources.records import Record
from auditconsole.sources.scanning import ScanContext, reading
from auditconsole.trails.base import TrailQuery
from auditconsole.trails.registry import trails_for_user
from auditconsole.trails.search import TRAIL, answering, selected_trails, trail_query
from auditconsole.trails.timeline import TimelineItem, every_item, merged

ACTIVITY_VIEW = "activity"
LOGS_VIEW = "logs"
TRAILS_VIEW = "trails"

#: The query-string parameters an activity export reads (the activity page's, minus paging).
ACTIVITY_PARAMS: tuple[str, ...] = (*FILTER_PARAMS, SORT)
#: Parameters that are switches: ``--regex`` on the command line, ``regex=1`` in a URL.
FLAG_PARAMS: frozenset[str] = frozenset({REGEX})
COMMAND = "auditconsole_export"


@dataclass(frozen=True)
class RowEstimate:
    """What the confirmation page can say of the row count before the download starts."""

    count: int
    #: ``count`` is every matching row (otherwise the count stopped early).
    complete: bool
    #: More rows match than the cap: the file will stop at the cap.
    over_cap: bool = False
    #: PostgreSQL's estimate of the whole result, when over the cap.
    estimate: int | None = None
    #: ``count`` is complete but may overcount the rows: records that become one row.
    at_most: bool = False


class ExportPlan(ABC):
    view: str
    #: The page's filters as given: what the audit record keeps, what the links carry.
    params: dict[str, list[str]]
    source_key: str | None = None
    #: The django-import-export resource that writes the file's columns.
    resource_class: type[StreamingResource]

    noun: str

    @property
    @abstractmethod
    def is_valid(self) -> bool: ...

    @property
    @abstractmethod
    def form(self) -> Any: ...

    def resource(self) -> StreamingResource:
        return self.resource_class()

    @abstractmethod
    def rows(self) -> Iterable[Any]:
        """The objects to export, in the page's order, read lazily."""

    @abstractmethod
    def estimate(self, cap: int) -> RowEstimate: ...

    @abstractmethod
    def page_url(self) -> str:
        """The page this export was taken from, with its filters."""

    @abstractmethod
    def command_words(self) -> list[str]:
        """What follows ``auditconsole_export`` on the command line, before the options."""

    @property
    def summary(self) -> list[tuple[str, str]]:
        return filter_summary(self.form) if self.is_valid else []

    def errors(self) -> list[str]:
        """Every problem with the filters, one line each, labelled."""
        form = self.form
        lines: list[str] = []
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = f"{field.label}: " if field is not None and field.label else ""
            lines.extend(f"{label}{error}" for error in errors)
        return lines

    def url(self, path: str) -> str:
        """``path`` (the page, the download) with this export's filters."""
        return url_with(path, QueryDict(), self.params)

    def filename(self, now: datetime.datetime | None = None) -> str:
        return export_filename(self.view, self.source_key, now=now)

    @property
    def headers(self) -> list[str]:
        return self.resource().get_export_headers()

    def command_line(self, as_user: str | None) -> str:
        """The shell command that writes the same file without the cap."""
        words = ["python", "manage.py", COMMAND, *self.command_words()]
        for name, values in self.params.items():
            if name == SOURCES:
                continue
            option = "--" + name.replace("_", "-")
            for value in values:
                words.extend([option] if name in FLAG_PARAMS else [option, value])
        if as_user:
            words.extend(["--as-user", as_user])
        words.extend(["--output", self.filename()])
        return shlex.join(words)


class ActivityPlan(ExportPlan):
    view = ACTIVITY_VIEW
    noun = "activity rows"

    def __init__(
        self,
        params: QueryDict,
        viewer: Any,
        *,
        search_class: type[ActivitySearch] = ActivitySearch,
        resource_class: type[StreamingResource] = LogEntryResource,
    ) -> None:
        self.search = search_class(params, viewer)
        self.resource_class = resource_class
        self.sort = resolve_sort(params.get(SORT))
        self.params = given_params(params, ACTIVITY_PARAMS)

    @property
    def is_valid(self) -> bool:
        return self.search.is_valid

    @property
    def form(self) -> Any:
        return self.search.form

    @property
    def summary(self) -> list[tuple[str, str]]:
        items = super().summary
        if self.is_valid and self.sort.alias != DEFAULT_SORT:
            items.append(("Sorted by", self.sort.alias))
        return items

    def queryset(self) -> QuerySet[LogEntry]:
        """The page's rows in the page's order; none when the filters are invalid."""
        return self.search.queryset.order_by(*self.sort.ordering)

    def rows(self) -> QuerySet[LogEntry]:
        return self.queryset()

    def estimate(self, cap: int) -> RowEstimate:
        counted = count_results(self.queryset(), cap)
        return RowEstimate(
            counted.value,
            complete=counted.exact,
            over_cap=not counted.exact,
            estimate=counted.estimate,
        )

    def page_url(self) -> str:
        return self.url(reverse("auditconsole:activity"))

    def command_words(self) -> list[str]:
        return [ACTIVITY_VIEW]


class SourcePlan(ExportPlan):
    """A log source, or several merged (then ``params`` also names them in ``sources``)."""

    view = LOGS_VIEW

    def __init__(
        self,
        source: LogSource,
        form: LogFilterForm,
        *,
        resource_class: type[StreamingResource] = LogRecordResource,
    ) -> None:
        """``resource_class`` is built with the source's ``columns=``, as LogRecordResource."""
        self.source = source
        self._form = form
        self.source_key = source.key
        self.resource_class = resource_class
        # A merged view names its sources in the query string; they are part of its filters.
        # Bound to request.GET: a QueryDict, which the stubs' Mapping does not promise.
        self.params = given_params(form.data, (*source.url_params, *log_query.FILTER_PARAMS))  # type: ignore[arg-type]

    @property  # read-only here; ActivityPlan's is a plain class attribute
    def noun(self) -> str:  # type: ignore[override]
        return f"records of log source {self.source.key!r}"

    @property
    def is_valid(self) -> bool:
        return self._form.is_valid()

    @property
    def form(self) -> LogFilterForm:
        return self._form

    @property
    def query(self) -> Query:
        if not self.is_valid:
            # Exporting the valid half of a request would answer a question nobody asked.
            raise ValueError("The filters are not valid: nothing to export.")
        return self._form.to_query()

    def rows(self) -> Iterator[Record]:
        return self.source.iter_records(self.query)

    def resource(self) -> StreamingResource:
        return self.resource_class(columns=self.source.columns)

    def estimate(self, cap: int) -> RowEstimate:
        """Count matches within the browse page's scan budget, and no further.

        Reading a whole log to count it would take as long as the export itself; the page
        says "at least N" when the budget ran out first.
        """
        query = self.query
        ctx = ScanContext(query=query, budget=default_budget())
        scan = self.source.scan(query, None, ctx)
        with reading(scan) as records:
            count = sum(1 for _ in itertools.islice(records, cap + 1))
        if count > cap:
            return RowEstimate(cap, complete=False, over_cap=True)
        return RowEstimate(count, complete=scan.cursor is None)

    def page_url(self) -> str:
        return self.url(source_path(self.source, "browse"))

    def command_words(self) -> list[str]:
        return ["source", *self.source.member_keys]


class TrailPlan(ActivityPlan):
    """The activity across every trail (``activity/trails/``): its filters and ``trail``.

    Rows are the merged list's items, newest first, from the trails that can answer the
    filters; a trail that cannot is left out, as on the page, and the summary says so.
    """

    view = TRAILS_VIEW
    noun = "entries of every trail"

    def __init__(
        self,
        params: QueryDict,
        viewer: Any,
        *,
        search_class: type[ActivitySearch] = ActivitySearch,
        resource_class: type[StreamingResource] = TimelineItemResource,
    ) -> None:
        super().__init__(params, viewer, search_class=search_class, resource_class=resource_class)
        self.params = given_params(params, (*FILTER_PARAMS, TRAIL))
        self.query = trail_query(self.search) if self.search.is_valid else TrailQuery()
        self.visible = trails_for_user(viewer)
        self.trails, self.refused = answering(selected_trails(self.visible, params), self.query)

    @property
    def summary(self) -> list[tuple[str, str]]:
        items = ExportPlan.summary.fget(self)  # type: ignore[attr-defined]
        if self.is_valid:
            items.append(("Trails", ", ".join(trail.label for trail in self.trails) or "none"))
            items.extend(
                ("Left out", f"{r.trail.label} (cannot filter by {r.text})") for r in self.refused
            )
        return list(items)

    def rows(self) -> Iterator[TimelineItem]:  # type: ignore[override]
        """The merged list's items: a change two trails recorded is one row, as on the page."""
        if not self.is_valid:
            return iter(())
        entries = merged(
            self.trails, self.query, self.search.scope, None, older=True, chunk=CHUNK_SIZE
        )
        return every_item(entries, [trail.key for trail in self.trails])

    def estimate(self, cap: int) -> RowEstimate:
        """The trails' records, counted: with two trails or more, the rows are at most that
        many (their records of one change are one row, found only by reading them)."""
        total = 0
        for trail in self.trails:
            total += trail.count(self.query, self.search.scope, cap=cap + 1 - total)
            if total > cap:
                return RowEstimate(cap, complete=False, over_cap=True)
        return RowEstimate(total, complete=True, at_most=len(self.trails) > 1)

    def page_url(self) -> str:
        return self.url(reverse("auditconsole:activity_trails"))

    def command_words(self) -> list[str]:
        return [TRAILS_VIEW]
