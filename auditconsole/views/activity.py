"""Activity pages: the list, its lazy panels (facets, chart, summary) and the drill-downs.

Each view validates the query string (FilterSet, PageForm), asks the modules of
:mod:`auditconsole.activity` for rows and numbers, and renders. Slow aggregates (facets,
chart, user summary) are separate URLs loaded by htmx after the table, so the table never
waits for them; without JavaScript each is a link to the same URL as a plain page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from auditconsole.access.events import OBJECT, USER
from auditconsole.activity import textsearch
from auditconsole.activity.budget import QueryBudgetExceeded
from auditconsole.activity.chart import build_chart
from auditconsole.activity.counting import ResultCount, count_results
from auditconsole.activity.facets import compute_facets
from auditconsole.activity.fields import content_type_key
from auditconsole.activity.filters import CONTENT_TYPE, OBJECT_ID
from auditconsole.activity.ordering import SORT, resolve_sort
from auditconsole.activity.pagination import (
    AFTER,
    BEFORE,
    PAGE_PARAMS,
    PageForm,
    ResultPage,
    paginate,
)
from auditconsole.activity.rows import RowPresenter
from auditconsole.activity.scoping import Scope
from auditconsole.activity.search import ActivitySearch
from auditconsole.activity.summary import summarize
from auditconsole.activity.tables import ActivityTable, activity_table
from auditconsole.conf import conf
from auditconsole.links import url_with
from auditconsole.permissions import VIEW_ACTIVITY
from auditconsole.trails.base import Trail, TrailQuery
from auditconsole.trails.correlation import LogsAround
from auditconsole.trails.objects import object_state, object_trails
from auditconsole.trails.registry import ActivityPages, trails_for_user
from auditconsole.trails.rows import timeline_rows
from auditconsole.trails.search import (
    TRAIL,
    answering,
    selected_trails,
    trail_facet,
    trail_query,
)
from auditconsole.trails.timeline import TimelinePage, TimelinePageForm, timeline_page
from auditconsole.views.access import AccessRecordMixin
from auditconsole.views.base import ConsoleAccessMixin, HtmxFragmentMixin
from auditconsole.views.subjects import ActivityPageView, ObjectMixin, SubjectMixin

#: Parameters the lazy panels ignore: a page turn does not change facets or chart. (The
#: sort is kept, so that the panels' links keep it too.)
PANEL_IGNORED = PAGE_PARAMS


class SearchClassMixin:
    """The activity search a page (or its export) runs: ``search_class``, which holds the
    FilterSet (:attr:`ActivitySearch.filterset_class`) and the viewer's scope."""

    search_class: type[ActivitySearch] = ActivitySearch

    def get_search_class(self) -> type[ActivitySearch]:
        return self.search_class


class ActivityBase(SearchClassMixin, ConsoleAccessMixin, HtmxFragmentMixin, TemplateView):
    permission_required = VIEW_ACTIVITY
    extra_context = {"console_section": "activity"}

    @cached_property
    def subject(self) -> Any:
        """The user whose page this is, or ``None`` for the activity list."""
        return None

    @cached_property
    def search(self) -> ActivitySearch:
        search_class = self.get_search_class()
        return search_class(self.request.GET, self.request.user, user=self.subject)

    def page_path(self) -> str:
        if self.subject is not None:
            return reverse("auditconsole:user", args=[self.subject.pk])
        return reverse("auditconsole:activity")

    def panel_url(self, name: str) -> str:
        args = [self.subject.pk] if self.subject is not None else []
        prefix = "user" if self.subject is not None else "activity"
        return url_with(
            reverse(f"auditconsole:{prefix}_{name}", args=args),
            self.request.GET,
            drop=PANEL_IGNORED,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            search=self.search,
            form=self.search.form,
            subject=self.subject,
            page_path=self.page_path(),
            facets_url=self.panel_url("facets"),
            chart_url=self.panel_url("chart"),
        )
        return context


class ActivityView(AccessRecordMixin, ActivityBase):
    template_name = "auditconsole/activity/list.html"
    fragment_template_name = "auditconsole/activity/fragment.html"
    #: The django-tables2 table of the page (its rows come sorted and paged).
    table_class: type[ActivityTable] = ActivityTable

    def get_table_class(self) -> type[ActivityTable]:
        return self.table_class

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        search = self.search
        page_form = PageForm(request.GET)
        sort = resolve_sort(request.GET.get(SORT))
        page, count, timed_out = ResultPage(rows=[]), None, False
        if search.is_valid and page_form.is_valid():
            # A needle too short for the search index scans the table: each query stops
            # after a budget, and the page says so rather than hang.
            try:
                with search.time_budget():
                    page = paginate(
                        search.queryset.select_related("user", "content_type"),
                        sort,
                        page_form.cleaned_data,
                        conf.PAGE_SIZE,
                    )
                with search.time_budget():
                    count = self.count(search, page)
            except QueryBudgetExceeded:
                timed_out = True
                if page.rows:
                    # The rows were found, their total was not: "more than" is true.
                    count = ResultCount(len(page.rows), exact=False)
        path = context["page_path"]
        table = activity_table(
            RowPresenter(path, request.GET).rows(page.rows),
            sort.alias,
            # On a user's page every row is theirs.
            exclude=("user",) if self.subject is not None else (),
            table_class=self.get_table_class(),
        )
        if timed_out and not page.rows:
            table.empty_text = "The search was stopped before it found an entry."
        context.update(
            page_form=page_form,
            sort=sort,
            page=page,
            count=count,
            timed_out=timed_out,
            short_needle_budget=textsearch.SHORT_NEEDLE_BUDGET_SECONDS,
            min_needle_length=textsearch.MIN_LENGTH,
            table=table,
            next_url=url_with(path, request.GET, page.next_params) if page.has_next else None,
            previous_url=(
                url_with(path, request.GET, page.previous_params) if page.has_previous else None
            ),
            first_url=url_with(path, request.GET),
            trails_url=url_with(
                reverse("auditconsole:user_trails", args=[self.subject.pk])
                if self.subject is not None
                else reverse("auditconsole:activity_trails"),
                request.GET,
                drop=(*PAGE_PARAMS, SORT),
            ),
        )
        return context

    @staticmethod
    def count(search: ActivitySearch, page: ResultPage) -> ResultCount:
        if page.is_first and not page.has_next:
            # The whole result is on screen: no need to ask the database.
            return ResultCount(len(page.rows), exact=True)
        return count_results(search.counting_queryset)


class UserActivityView(SubjectMixin, ActivityView):
    template_name = "auditconsole/activity/user.html"
    access_event = USER

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The summary is all-time: the filters are not passed on.
        context["summary_url"] = reverse("auditconsole:user_summary", args=[self.subject.pk])
        return context


def all_time_summary(search: ActivitySearch, page_path: str) -> Any:
    """The user summary is all-time: the filters do not apply."""
    return summarize(search.base)


class PanelView(ActivityBase):
    """A lazy panel of the activity pages: its partial as the fragment, and as a page of its
    own (``panel_page.html``) for browsers without JavaScript. ``panel`` names the context
    variable that ``build(search, page_path)`` fills, and tells ``panel_page.html`` which
    panel it shows."""

    template_name = "auditconsole/activity/panel_page.html"
    panel: str
    build: Callable[[ActivitySearch, str], Any]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            panel=self.panel, **{self.panel: self.build(self.search, context["page_path"])}
        )
        return context


class FacetsView(PanelView):
    panel, build = "facets", staticmethod(compute_facets)
    fragment_template_name = "auditconsole/activity/partials/facets.html"


class ChartView(PanelView):
    panel, build = "chart", staticmethod(build_chart)
    fragment_template_name = "auditconsole/activity/partials/chart.html"


class UserFacetsView(SubjectMixin, FacetsView):
    pass


class UserChartView(SubjectMixin, ChartView):
    pass


class UserSummaryView(SubjectMixin, PanelView):
    """All-time totals of one user's visible activity."""

    panel, build = "summary", staticmethod(all_time_summary)
    fragment_template_name = "auditconsole/activity/partials/summary.html"


class ObjectView(AccessRecordMixin, ObjectMixin, ActivityPageView):
    """Every entry about one object, newest first, merged across the trails the viewer may
    see (:mod:`auditconsole.trails`), and what became of the object."""

    access_event = OBJECT
    template_name = "auditconsole/activity/object.html"
    fragment_template_name = "auditconsole/activity/partials/timeline.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        scope = self.scope
        content_type, object_id = self.object_type, self.object_id
        visible = trails_for_user(request.user)
        trails = object_trails(visible, content_type)
        query = TrailQuery(content_type=content_type, object_id=object_id)
        page_form = TimelinePageForm(request.GET)
        page = TimelinePage(items=[])
        if page_form.is_valid():
            cleaned = page_form.cleaned_data
            page = timeline_page(
                trails,
                query,
                scope,
                size=conf.PAGE_SIZE,
                after=cleaned.get(AFTER),
                before=cleaned.get(BEFORE),
            )
        state = object_state(
            trails,
            scope,
            content_type,
            object_id,
            request,
            self.latest_repr(trails, query, scope, page),
            newest=page if page_form.is_valid() else None,
        )
        if page_form.is_valid() and page.is_first and not page.items and not state.exists:
            # Nothing recorded and nothing there: not an object anyone can look at.
            raise Http404("No such object.")
        path = request.path
        # The timeline merges the trails: so do the list, the user pages and the export it
        # links to, unless the viewer sees the admin's log alone (registry.beyond_logentry).
        pages = ActivityPages.of(visible)
        logs = LogsAround(request.user)
        context.update(
            content_type=content_type,
            object_id=object_id,
            state=state,
            page=page,
            rows=timeline_rows(page.items, trails, logs, user_view=pages.user_view),
            list_view=pages.list_view,
            user_view=pages.user_view,
            trails=trails,
            page_form=page_form,
            next_url=url_with(path, request.GET, page.next_params) if page.has_next else None,
            previous_url=(
                url_with(path, request.GET, page.previous_params) if page.has_previous else None
            ),
            first_url=path,
            merged_trails=pages.merged,
            activity_url=url_with(
                pages.list_url(),
                QueryDict(),
                {CONTENT_TYPE: content_type_key(content_type), OBJECT_ID: object_id},
            ),
        )
        return context

    @staticmethod
    def latest_repr(
        trails: Sequence[Trail], query: TrailQuery, scope: Scope, page: TimelinePage
    ) -> str | None:
        """The object's most recent name, as the trails last recorded it."""
        if page.is_first:
            # A trail that keeps no names (a log source's) is passed over.
            return next((i.lead.object_repr for i in page.items if i.lead.object_repr), None)
        newest = [
            entries[0]
            for trail in trails
            if (entries := trail.fetch(query, scope, cursor=None, older=True, limit=1))
            and entries[0].object_repr
        ]
        return max(newest, key=lambda entry: entry.position).object_repr if newest else None


class TrailActivityView(AccessRecordMixin, ActivityBase):
    """The activity list across every trail the viewer may see (``activity/trails/``):
    the same filters, a trail facet, merged keyset pages (:mod:`auditconsole.trails`)."""

    template_name = "auditconsole/activity/trails.html"
    fragment_template_name = "auditconsole/activity/partials/trail_results.html"

    def page_path(self) -> str:
        if self.subject is not None:
            return reverse("auditconsole:user_trails", args=[self.subject.pk])
        return reverse("auditconsole:activity_trails")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request, search = self.request, self.search
        path = context["page_path"]
        visible = trails_for_user(request.user)
        query = trail_query(search) if search.is_valid else TrailQuery()
        chosen = selected_trails(visible, request.GET)
        able, refused = answering(chosen, query)
        page_form = TimelinePageForm(request.GET)
        page = TimelinePage(items=[])
        if search.is_valid and page_form.is_valid():
            page = timeline_page(
                able,
                query,
                search.scope,
                size=conf.PAGE_SIZE,
                after=page_form.cleaned_data.get(AFTER),
                before=page_form.cleaned_data.get(BEFORE),
            )
        facet_params = request.GET.copy()
        facet_params.pop(TRAIL, None)
        context.update(
            trails=visible,
            refused=refused,
            trail_facet=trail_facet(
                visible, query, search.scope, selected=chosen, path=path, params=facet_params
            )
            if search.is_valid
            else [],
            all_trails_url=url_with(path, facet_params),
            page=page,
            page_form=page_form,
            rows=timeline_rows(
                page.items,
                visible,
                LogsAround(request.user),
                user_view=ActivityPages.of(visible).user_view,
            ),
            next_url=url_with(path, request.GET, page.next_params) if page.has_next else None,
            previous_url=(
                url_with(path, request.GET, page.previous_params) if page.has_previous else None
            ),
            first_url=url_with(path, request.GET),
        )
        return context


class UserTrailActivityView(SubjectMixin, TrailActivityView):
    access_event = USER
