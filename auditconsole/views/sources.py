"""Which log sources a view shows: the one its URL names, several merged, or all of them.

Shared by the browse and the live-tail views (and their merged variants and index
pages). A source the user may not see answers 404 exactly like one that does not exist,
so its name is not disclosed; ``scope`` is what the view's cursors are signed for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from auditconsole.sources.base import LogSource
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.query import SOURCES
from auditconsole.sources.registry import (
    UnknownSource,
    get_source_for_user,
    merged_source_for_user,
    sources_and_problems,
)


class SourceFromKeyMixin:
    """The source named by the URL's ``<key>``; one the user may not see is a 404."""

    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def source(self) -> LogSource:
        try:
            return get_source_for_user(self.kwargs["key"], self.request.user)
        except (UnknownSource, ImproperlyConfigured):
            raise Http404("No such log source.") from None

    @property
    def scope(self) -> str:
        """What this view's cursors are signed for."""
        return self.source.key


class MergedSourceMixin:
    """The source of a merged view: the visible sources named by repeated ``sources=``.

    Shared by the merged browse and merged tail views. Naming no source at all leads back
    to ``empty_redirect``; naming one the user may not see is a 404, like a single source.
    """

    request: HttpRequest
    empty_redirect: str

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.merged_keys():
            return HttpResponseRedirect(reverse(self.empty_redirect))
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def merged_keys(self) -> list[str]:
        return [key for key in self.request.GET.getlist(SOURCES) if key]

    @cached_property
    def source(self) -> MergedSource:
        try:
            return merged_source_for_user(self.merged_keys(), self.request.user)
        except (UnknownSource, ImproperlyConfigured):
            raise Http404("No such log source.") from None

    @property
    def scope(self) -> str:
        return self.source.scope


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
            tail_url=reverse("auditconsole:tail", kwargs={"key": source.key}),
            browse_url=reverse("auditconsole:source", kwargs={"key": source.key}),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sources, problems = sources_and_problems(self.request.user)
        context[self.rows_name] = [self.row(source) for source in sources]
        context.update(problems=problems, merged_url=reverse(self.merged_url_name))
        return context
