"""The live tail: a log source (or several merged) followed as it is written.

The server keeps no state. The position in the files (``(st_dev, st_ino)`` and a byte
offset per file, see :mod:`auditconsole.sources.files.tailing`) is signed into a ``cursor``
that travels in the poll URL; each poll answers the lines written since, plus the next
poller carrying the next cursor (swapped out of band), or ``204`` when nothing moved.
Rotation and truncation are the source's business (``LogSource.tail``); this module
only filters, renders and hands the position back.

One URL serves three answers, chosen by what htmx asks for:

* the full page (no htmx, boosted, or a history restore): the last lines, the filters, the
  controls, and a real "Refresh" link carrying the cursor, so the page works without JS;
* the view (``HX-Target: tail-view``, sent by the filter form): the same lines and poller
  re-rendered for new filters, *continuing from the cursor*: nothing written since the
  last poll is lost, nothing is shown twice;
* a poll (``HX-Target: tail-lines``): only the new lines, appended by htmx.

Polling rather than Server-Sent Events: a poll is an ordinary short request, so it works
under any WSGI server (an SSE stream would pin a sync gunicorn worker per open tab), and
the signed cursor makes every request independent of the worker that served the last.
See ``docs/tail.md`` for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView
from django_htmx.http import replace_url

from auditconsole.conf import conf
from auditconsole.permissions import VIEW_LOGS
from auditconsole.sources import cursor as cursors
from auditconsole.sources.base import LogSource
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.query import (
    CURSOR,
    FIELD,
    LEVEL,
    LOGGER,
    REGEX,
    SOURCES,
    TEXT,
    LogFilterForm,
    Query,
)
from auditconsole.sources.records import Record
from auditconsole.sources.registry import (
    sources_and_problems,
)
from auditconsole.views.base import ConsoleAccessMixin, HtmxFragmentMixin
from auditconsole.views.logs import MergedSourceMixin, SourceFromKeyMixin, url_with

#: The id of the line list, which polls target (``HX-Target``); the templates and
#: tail.js use the same ids: ``tail`` (the page), ``tail-view`` (what the filter form
#: replaces), ``tail-lines``, ``tail-poller`` and ``tail-filters`` (the form).
LINES_ID = "tail-lines"
FILTERS_ID = "tail-filters"

#: Records read per poll at most. A burst larger than this is read over several polls,
#: chained at once (the poller then fires on ``load``), so one request stays short.
POLL_BATCH = 500
#: With a filter, the first lines shown are the matches among this many newest records:
#: reading further back would make every filter change a scan of the whole log.
FILTERED_WINDOW = 2000

#: The query-string parameters that make up a tail's permalink (the position is not one).
FILTER_PARAMS: tuple[str, ...] = (SOURCES, LEVEL, LOGGER, TEXT, REGEX, FIELD)

INVALID_POSITION = (
    "This live tail's position is not valid for this source (the link was altered, or "
    "issued by another site). Start again from the newest lines."
)
INVALID_FILTERS = "These filters cannot be applied; fix them to go on tailing."


class TailFilterForm(LogFilterForm):
    """The browse filters that make sense for lines still being written.

    A time range would either match every new line (``since``) or none (``until``), so
    they are left out; the position is read and verified apart (a bad one is a 400).
    """

    since = None
    until = None
    cursor = None


# -- what to show: logic kept apart from HTTP ------------------------------------------------


@dataclass
class Snapshot:
    """Records matching the filters, oldest first, and the position to continue from."""

    records: list[Record]
    state: Any
    scanned: int = 0
    #: Records read after the given position (``None``: no position was given).
    fresh: int | None = None
    rotated: bool = False
    truncated: bool = False
    gap: bool = False
    more: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def events(self) -> list[str]:
        """What happened to the files since the position, as ``tail -F`` would say it."""
        events = []
        if self.rotated:
            events.append(
                "The log was rotated: the rest of the old file was read, then the new one."
            )
        if self.truncated:
            events.append("The log was truncated in place: reading it again from the start.")
        if self.gap:
            events.append(
                "The file being followed disappeared before it was read to the end: "
                "some lines may be missing here."
            )
        return events + self.notices


def latest(
    source: LogSource,
    query: Query,
    state: Any = None,
    *,
    lines: int,
    window: int = FILTERED_WINDOW,
    batch: int = POLL_BATCH,
) -> Snapshot:
    """The last ``lines`` records matching ``query`` and, given a position, all after it.

    Unfiltered, that is the last ``lines`` records; filtered, the matches among the last
    ``window``. With a position ``state`` (a filter change, a no-JS refresh), every record
    written after it is included too, even beyond ``lines``, and none twice: records are
    told apart by their reference (file identity, offset, checksum). The window is read
    first, so whatever the position read brings in is never older than the window's end.
    Raises ``ValueError`` for a position the source does not understand.
    """
    recent = source.tail(None, window if query.is_filtered else lines)
    if state is None:
        matching = [record for record in recent.records if query.matches(record)]
        return Snapshot(
            records=matching[-lines:] if lines else [],
            state=recent.cursor,
            scanned=len(recent.records),
            notices=list(recent.notices),
        )
    after = source.tail(state, batch)
    seen = {record.ref for record in after.records}
    # With ``more``, records past this batch may be in the window: shown now, they would
    # come again with the next batch, so the context before the position is left out.
    before = [] if after.more else [r for r in recent.records if r.ref not in seen]
    context = [record for record in before if query.matches(record)]
    fresh = [record for record in after.records if query.matches(record)]
    room = max(0, lines - len(fresh))
    return Snapshot(
        records=(context[-room:] if room else []) + fresh,
        state=after.cursor,
        scanned=len(recent.records) + len(after.records),
        fresh=len(fresh),
        rotated=after.rotated,
        truncated=after.truncated,
        gap=after.gap,
        more=after.more,
        notices=list(dict.fromkeys([*recent.notices, *after.notices])),
    )


def since(source: LogSource, query: Query, state: Any, *, limit: int = POLL_BATCH) -> Snapshot:
    """The records matching ``query`` written after ``state`` (one poll)."""
    after = source.tail(state, limit)
    fresh = [record for record in after.records if query.matches(record)]
    return Snapshot(
        records=fresh,
        state=after.cursor,
        scanned=len(after.records),
        fresh=len(fresh),
        rotated=after.rotated,
        truncated=after.truncated,
        gap=after.gap,
        more=after.more,
        notices=list(after.notices),
    )


def filter_params(params: QueryDict) -> QueryDict:
    """The filters in ``params``, without the position or blank values: the permalink."""
    clean = QueryDict(mutable=True)
    for name in FILTER_PARAMS:
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            clean.setlist(name, values)
    return clean


def poll_interval() -> str:
    """``TAIL_POLL_SECONDS`` as htmx's ``every`` wants it (``1``, ``0.2``)."""
    return f"{conf.TAIL_POLL_SECONDS:g}"


# -- pages ----------------------------------------------------------------------------------


class TailAccessMixin(ConsoleAccessMixin):
    permission_required = VIEW_LOGS
    extra_context = {"console_section": "tail"}


@dataclass
class TailChoice:
    source: LogSource
    tail_url: str
    browse_url: str


class TailIndexView(TailAccessMixin, TemplateView):
    """The sources this user may tail, and a form to tail several of them merged."""

    template_name = "auditconsole/tail/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sources, problems = sources_and_problems(self.request.user)
        context.update(
            choices=[
                TailChoice(
                    source=source,
                    tail_url=reverse("auditconsole:tail", kwargs={"key": source.key}),
                    browse_url=reverse("auditconsole:source", kwargs={"key": source.key}),
                )
                for source in sources
            ],
            problems=problems,
            merged_url=reverse("auditconsole:tail_merged"),
        )
        return context


@dataclass
class Outcome:
    """How a request went: a snapshot to show, or why not, and the status to answer."""

    snapshot: Snapshot | None = None
    query: Query | None = None
    token: str = ""
    error: str = ""
    status: int = 200
    #: Whether the position moved (tokens are timestamped, so compare states, not them).
    moved: bool = True

    @property
    def idle(self) -> bool:
        """A poll that found nothing: no line, the same position.

        Rotation, truncation and a vanished file always move the position; a notice that
        does not (a file that cannot be read) would otherwise be repeated by every poll.
        It is shown with the page instead.
        """
        snapshot = self.snapshot
        return snapshot is not None and not self.moved and not snapshot.records


class TailView(SourceFromKeyMixin, TailAccessMixin, HtmxFragmentMixin, TemplateView):
    """``tail/<key>/``: one source followed live."""

    template_name = "auditconsole/tail/page.html"
    fragment_template_name = "auditconsole/tail/partials/view.html"
    poll_template_name = "auditconsole/tail/poll.html"

    def browse_path(self) -> str:
        return reverse("auditconsole:source", kwargs={"key": self.source.key})

    @cached_property
    def polling(self) -> bool:
        """A poll from the page's poller, rather than a page or a filter change."""
        htmx = getattr(self.request, "htmx", None)
        return bool(htmx) and htmx.target == LINES_ID and not htmx.history_restore_request

    def get_template_names(self) -> list[str]:
        if self.polling:
            return [self.poll_template_name]
        return super().get_template_names()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.source  # noqa: B018 - an invisible or unknown source is a 404 before anything else
        form = TailFilterForm(request.GET)
        outcome = self.run(form)
        if self.polling and outcome.idle:
            # Nothing new: htmx swaps nothing on a 204 and the poller keeps its cursor.
            response = HttpResponse(status=204)
            patch_vary_headers(response, ("HX-Request", "HX-Target"))
            return response
        context = self.get_context_data(form=form, outcome=outcome, **kwargs)
        response = self.render_to_response(context, status=outcome.status)
        patch_vary_headers(response, ("HX-Target",))
        htmx = getattr(request, "htmx", None)
        if htmx and not self.polling and not htmx.history_restore_request:
            # The filters go into the address bar; the position does not (it goes stale).
            replace_url(response, context["clean_url"])
        return response

    def run(self, form: TailFilterForm) -> Outcome:
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
        lines = min(conf.TAIL_INITIAL_LINES, conf.TAIL_MAX_DOM_LINES)
        try:
            if self.polling:
                snapshot = since(self.source, query, state)
            else:
                snapshot = latest(self.source, query, state, lines=lines)
        except ValueError:
            return Outcome(error=INVALID_POSITION, status=400)
        moved = snapshot.state != state
        if moved or not token:
            token = cursors.dumps(cursors.TAIL, self.scope, snapshot.state)
        return Outcome(snapshot=snapshot, query=query, token=token, moved=moved)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        outcome: Outcome = context["outcome"]
        params = filter_params(self.request.GET)
        path = self.request.path
        clean_url = url_with(path, params)
        poll_url = url_with(path, params, **{CURSOR: outcome.token}) if outcome.token else None
        snapshot = outcome.snapshot
        htmx = getattr(self.request, "htmx", None)
        context.update(
            source=self.source,
            show_source=isinstance(self.source, MergedSource),
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
            filters_oob=bool(htmx) and not self.polling and htmx.trigger != FILTERS_ID,
            clean_url=clean_url,
            clear_url=url_with(
                path,
                filter_params(self.request.GET),
                **{name: None for name in FILTER_PARAMS if name != SOURCES},
            ),
            poll_url=poll_url,
            browse_url=url_with(self.browse_path(), params),
            field_values=[v for v in self.request.GET.getlist(FIELD) if v.strip()],
            merged_keys=[],
            poll_seconds=poll_interval(),
            max_lines=conf.TAIL_MAX_DOM_LINES,
        )
        return context


class MergedTailView(MergedSourceMixin, TailView):
    """``tail/merged/?sources=app&sources=api``: several sources interleaved by time."""

    empty_redirect = "auditconsole:tail_index"

    def browse_path(self) -> str:
        return reverse("auditconsole:merged")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["merged_keys"] = list(self.source.members)
        return context
