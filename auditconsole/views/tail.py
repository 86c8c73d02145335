"""The live tail: a log source (or several merged) followed as it is written.

The server keeps no state: the position in the files is signed into a ``cursor`` in the
poll URL. Each request reads the filters and the cursor, asks
:func:`~auditconsole.sources.follow.follow` what to show, signs the next position and
renders one of three answers, chosen by what htmx asks for:

* the full page (no htmx, boosted, or a history restore), with a real "Refresh" link
  carrying the cursor, so the page works without JS;
* the view (``HX-Target: tail-view``, sent by the filter form), re-rendered for new
  filters *from the cursor*: nothing written since the last poll is lost or shown twice;
* a poll (``HX-Target: tail-lines``): the new lines and the next poller (out of band),
  or ``204`` when nothing moved.

Served over ASGI (and with ``TAIL_STREAM`` on), the page's poller opens a Server-Sent
Events stream instead (:mod:`auditconsole.views.tail_stream`), and falls back to these
polls when the stream is refused. Under WSGI the tail polls: a poll is a short request
under any WSGI server, answered by any worker (see ``docs/tail.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView
from django_htmx.http import replace_url
from django_htmx.middleware import HtmxDetails

from auditconsole.access.events import TAIL
from auditconsole.conf import conf
from auditconsole.links import source_path, url_with
from auditconsole.permissions import VIEW_LOGS
from auditconsole.sources import cursor as cursors
from auditconsole.sources.follow import follow
from auditconsole.sources.query import (
    CURSOR,
    FIELD,
    SOURCES,
    TAIL_PARAMS,
    Query,
    TailFilterForm,
    filter_params,
)
from auditconsole.sources.tails import TailResult
from auditconsole.views.access import AccessRecordMixin
from auditconsole.views.base import ConsoleAccessMixin, HtmxFragmentMixin
from auditconsole.views.sources import (
    FilterFormMixin,
    MergedSourceMixin,
    SourceIndexView,
    SourceMixin,
)

#: The id of the line list, which polls target (``HX-Target``); the templates and
#: tail.js use the same ids: ``tail`` (the page), ``tail-view`` (what the filter form
#: replaces), ``tail-lines``, ``tail-poller`` and ``tail-filters`` (the form).
LINES_ID = "tail-lines"
FILTERS_ID = "tail-filters"

INVALID_POSITION = (
    "This live tail's position is not valid for this source (the link was altered, or "
    "issued by another site). Start again from the newest lines."
)
INVALID_FILTERS = "These filters cannot be applied; fix them to go on tailing."


class TailAccessMixin(ConsoleAccessMixin):
    permission_required = VIEW_LOGS
    extra_context: Mapping[str, Any] | None = {"console_section": "tail"}


class TailIndexView(TailAccessMixin, SourceIndexView):
    """The sources this user may tail, and a form to tail several of them merged."""

    template_name = "auditconsole/tail/index.html"
    rows_name = "choices"
    merged_url_name = "auditconsole:tail_merged"


@dataclass
class Outcome:
    """How a request went: what to show, or why not, and the status to answer."""

    snapshot: TailResult | None = None
    query: Query | None = None
    token: str = ""
    error: str = ""
    status: int = 200
    #: Nothing new: no line, and the position did not move.
    idle: bool = False


class TailView(
    AccessRecordMixin,
    SourceMixin,
    FilterFormMixin,
    TailAccessMixin,
    HtmxFragmentMixin,
    TemplateView,
):
    """``tail/<key>/``: one source followed live."""

    access_event = TAIL

    template_name = "auditconsole/tail/page.html"
    fragment_template_name = "auditconsole/tail/partials/view.html"
    poll_template_name = "auditconsole/tail/poll.html"
    form_class = TailFilterForm

    @cached_property
    def polling(self) -> bool:
        """A poll from the page's poller, rather than a page or a filter change."""
        htmx: HtmxDetails | None = getattr(self.request, "htmx", None)
        return bool(htmx and htmx.target == LINES_ID and not htmx.history_restore_request)

    def get_template_names(self) -> list[str]:
        if self.polling:
            return [self.poll_template_name]
        return super().get_template_names()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.source  # noqa: B018 - an invisible or unknown source is a 404 before anything else
        form = self.get_form()
        outcome = self.run(form)
        if self.polling and outcome.idle:
            # Nothing new: htmx swaps nothing on a 204 and the poller keeps its cursor.
            response = HttpResponse(status=204)
            patch_vary_headers(response, ("HX-Request", "HX-Target"))
            return response
        context = self.get_context_data(form=form, outcome=outcome, **kwargs)
        response = self.render_to_response(context, status=outcome.status)
        patch_vary_headers(response, ("HX-Target",))
        htmx: HtmxDetails | None = getattr(request, "htmx", None)
        if htmx and not self.polling and not htmx.history_restore_request:
            # The filters go into the address bar; the position does not (it goes stale).
            replace_url(response, context["clean_url"])
        return response

    def run(self, form: Any) -> Outcome:
        """Form, then cursor, then :func:`follow`; the next position signed for the page."""
        token = self.request.GET.get(CURSOR) or ""
        state = None
        if token or self.polling:
            try:
                state = cursors.loads(cursors.TAIL, self.scope, token)
            except cursors.InvalidCursor:
                return Outcome(error=INVALID_POSITION, status=400)
        if not form.is_valid():
            # Keep the (verified) position, so fixing the filters carries on from it.
            return Outcome(token=token, error=INVALID_FILTERS, status=400 if self.polling else 200)
        query = form.to_query()
        # A poll adds what came since; anything else starts with a screenful of lines.
        lines = None if self.polling else min(conf.TAIL_INITIAL_LINES, conf.TAIL_MAX_DOM_LINES)
        try:
            snapshot = follow(self.source, query, state, lines=lines)
        except ValueError:
            return Outcome(error=INVALID_POSITION, status=400)
        # Tokens are timestamped: compare positions. A notice that does not move the position
        # (an unreadable file) is shown with the page rather than by every poll.
        moved = snapshot.cursor != state
        if moved or not token:
            token = cursors.dumps(cursors.TAIL, self.scope, snapshot.cursor)
        return Outcome(snapshot, query, token, idle=not moved and not snapshot.records)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        outcome: Outcome = context["outcome"]
        snapshot = outcome.snapshot
        params = filter_params(self.request.GET)
        path = self.request.path
        htmx: HtmxDetails | None = getattr(self.request, "htmx", None)
        context.update(
            source=self.source,
            show_source=self.source.is_merged,
            snapshot=snapshot,
            records=snapshot.records if snapshot else [],
            events=snapshot.events if snapshot else [],
            token=outcome.token,
            error=outcome.error,
            live=snapshot is not None,
            more=bool(snapshot and snapshot.more),
            new=self.polling,
            filtered=bool(outcome.query and outcome.query.is_filtered),
            # A view swap not sent by the filter form (the Clear link) re-renders the form
            # too; one the form sent leaves it alone, so typing is never overwritten.
            filters_oob=bool(htmx and not self.polling and htmx.trigger != FILTERS_ID),
            clean_url=url_with(path, params),
            clear_url=url_with(path, params, {n: None for n in TAIL_PARAMS if n != SOURCES}),
            poll_url=url_with(path, params, **{CURSOR: outcome.token}) if outcome.token else None,
            stream_url=self.stream_url(params, outcome.token),
            browse_url=url_with(source_path(self.source, "browse"), params),
            field_values=[v for v in self.request.GET.getlist(FIELD) if v.strip()],
            merged_keys=self.source.url_params.get(SOURCES, []),
            poll_seconds=f"{conf.TAIL_POLL_SECONDS:g}",  # as htmx's ``every`` wants it
            max_lines=conf.TAIL_MAX_DOM_LINES,
        )
        return context

    def stream_url(self, params: QueryDict, token: str) -> str | None:
        """Where the page's stream opens, when it is served over ASGI; else it polls."""
        if not (conf.TAIL_STREAM and token and isinstance(self.request, ASGIRequest)):
            return None
        return url_with(source_path(self.source, "tail_stream"), params, **{CURSOR: token})


class MergedTailView(MergedSourceMixin, TailView):
    """``tail/merged/?sources=app&sources=api``: several sources interleaved by time."""

    empty_redirect = "auditconsole:tail_index"
