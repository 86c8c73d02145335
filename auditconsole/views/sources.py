"""Which log sources a view shows, and its filter form.

Every page of a source (browse, record, export, live tail) names it the same way: one
source by the ``<key>`` in its path, several merged by repeated ``?sources=``; the index
pages show all of them. A source the user may not see answers 404 exactly like one that
does not exist, so its name is not disclosed; so does a misconfigured one (``manage.py
check`` reports it). ``scope`` is what the view's cursors are signed for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.generic import TemplateView
from django_htmx.middleware import HtmxDetails

from auditconsole.links import source_path, source_url
from auditconsole.permissions import VIEW_LOGS
from auditconsole.sources.base import LogSource
from auditconsole.sources.errors import SourceUnavailable
from auditconsole.sources.query import SOURCES, LogFilterForm, MergedFilterForm
from auditconsole.sources.registry import (
    UnknownSource,
    source_for_user,
    sources_and_problems,
    sources_for_user,
)
from auditconsole.views.base import ConsoleAccessMixin


class LogsAccessMixin(ConsoleAccessMixin):
    """The log pages' access rule: ``view_logs`` (each source may ask for more)."""

    permission_required = VIEW_LOGS
    extra_context: Mapping[str, Any] | None = {"console_section": "logs"}


#: What a page of a source whose store cannot answer shows (a fragment: the partial alone).
UNAVAILABLE_TEMPLATE = "auditconsole/logs/unavailable.html"
UNAVAILABLE_FRAGMENT = "auditconsole/logs/partials/unavailable.html"


class SourceMixin:
    """The source named by the URL's ``<key>``; :attr:`source` is a 404 when there is none.

    A store that cannot answer (:class:`~auditconsole.sources.errors.SourceUnavailable`)
    gets its message in the page, or alone for htmx, with a 503: never a 500.
    """

    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            # The view this is mixed into has dispatch(); the mixin alone has no base with it.
            response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except SourceUnavailable as exc:
            htmx: HtmxDetails | None = getattr(request, "htmx", None)
            fragment = bool(htmx and not htmx.boosted and not htmx.history_restore_request)
            response = TemplateResponse(
                request,
                UNAVAILABLE_FRAGMENT if fragment else UNAVAILABLE_TEMPLATE,
                {"source": self.source, "problem": str(exc), "console_section": "logs"},
                status=503,
            )
            response["Retry-After"] = "30"
            add_never_cache_headers(response)
        return response

    def get_source_keys(self) -> str | list[str]:
        """A key for one source, a list (even of one) for a merged view."""
        key: str = self.kwargs["key"]
        return key

    @cached_property
    def source(self) -> LogSource:
        try:
            return source_for_user(self.get_source_keys(), self.request.user)
        except (UnknownSource, ImproperlyConfigured):
            raise Http404("No such log source.") from None

    @property
    def scope(self) -> str:
        """What this view's cursors are signed for."""
        return self.source.scope


class MergedSourceMixin(SourceMixin):
    """Several sources interleaved by time, named by repeated ``sources=``.

    Naming none at all leads back to ``empty_redirect`` when the view has one (a page
    reached from a form that was sent without a choice); otherwise it is a 404.
    """

    empty_redirect: str | None = None

    def get_source_keys(self) -> list[str]:
        return [key for key in self.request.GET.getlist(SOURCES) if key]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.empty_redirect and not self.get_source_keys():
            return HttpResponseRedirect(reverse(self.empty_redirect))
        # The view this is mixed into has get(); the mixin itself has no base that does.
        response: HttpResponse = super().get(request, *args, **kwargs)  # type: ignore[misc]
        return response


class FilterFormMixin:
    """The filter form of a log page, bound to the query string (``form_class``)."""

    request: HttpRequest
    form_class: type[LogFilterForm] = LogFilterForm

    def get_form_class(self) -> type[LogFilterForm]:
        return self.form_class

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"data": self.request.GET}

    def get_form(self) -> LogFilterForm:
        return self.get_form_class()(**self.get_form_kwargs())


class MergedFilterFormMixin(FilterFormMixin):
    """The filters of a merged view, which also choose among the sources the user may see."""

    form_class = MergedFilterForm

    def get_form_kwargs(self) -> dict[str, Any]:
        visible = sources_for_user(self.request.user)
        return {
            **super().get_form_kwargs(),
            "source_choices": [(source.key, source.label) for source in visible],
        }


@dataclass
class SourceChoice:
    """A source offered on an index page, with the pages it opens."""

    source: LogSource
    tail_url: str
    browse_url: str


class SourceIndexView(TemplateView):
    """A row for each source the user may see, the misconfigured ones, and a merge form.

    Subclasses say where the form to merge several sources goes, under which name the
    template finds the rows and, if a :class:`SourceChoice` is not enough, what a row is.
    """

    rows_name = "rows"
    merged_url_name: str

    def row(self, source: LogSource) -> Any:
        return SourceChoice(
            source=source,
            tail_url=source_url(source, "tail"),
            browse_url=source_path(source, "browse"),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sources, problems = sources_and_problems(self.request.user)
        context[self.rows_name] = [self.row(source) for source in sources]
        context.update(problems=problems, merged_url=reverse(self.merged_url_name))
        return context
