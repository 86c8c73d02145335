"""Writing access records: one per page view, search or tail start, never per poll.

A record is one INFO record of the ``auditconsole.access`` logger, its details as
``extra`` fields (so the JSON formatter writes them as keys)::

    {"time": "...", "level": "INFO", "name": "auditconsole.access",
     "message": "agent opened the history of demo.customer 42", "event": "object",
     "url_name": "object", "user_id": 14, "username": "agent",
     "kwargs": {"content_type_id": 7, "object_id": "42"}, "filters": {}, "fragment": false}

Who (``user_id``, ``username``), when (``time``), which page (``url_name`` and its URL
``kwargs``: which object, user, source or record) and the filters (the query string without
its paging parameters), every value through :mod:`auditconsole.redaction`. Never what
the page showed: no payload, no record content, no secret.

**One record per view.** A page loaded (or reloaded, or opened through a boosted link) is
a view. So is an htmx request that runs a new search: the filter form swapping the
results, a tail's filters changed. What merely continues a view is not: the next page of
the same search, a live tail's polls (every second), the lazy panels (facets, chart,
summary, which are other URLs). A request continues a view when it is a fragment or
carries a position (``after``, ``before``, ``page``, ``cursor``) *and* the same user has
had the same view (URL name, kwargs and filters) recorded in this browser already: the
last 16 views recorded are remembered in a signed cookie (no database write, so a page
costs no extra query; 12 hours at most). A client that forges htmx headers without having
loaded the page first is therefore recorded all the same, and a cookie cannot be forged
without the project's ``SECRET_KEY``.

**When the record cannot be written** (checked like export records, by
:func:`auditconsole.export.delivery.deliver`): the failure is logged as an error by this
module's logger, and :func:`record_view` returns the problems, so the page still opens
but says that the console's own trail is failing. Exports are refused in that case by
their own rule (``AUDITCONSOLE_EXPORT_REQUIRE_RECORD``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from auditconsole.access.events import EVENTS, OBJECT, RECORD, SEARCH, TAIL, USER
from auditconsole.conf import conf
from auditconsole.export.delivery import deliver
from auditconsole.redaction import Redactor

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

LOGGER_NAME = "auditconsole.access"
logger = logging.getLogger(LOGGER_NAME)
failures = logging.getLogger(__name__)

#: Query-string parameters that move within a view rather than start a new one.
POSITION_PARAMS = frozenset({"after", "before", "page", "cursor"})
#: The signed cookie that remembers the views recorded (``salt`` keeps it to this use).
COOKIE = "auditconsole_views"
COOKIE_SALT = "auditconsole.access.views"
COOKIE_MAX_AGE = 12 * 60 * 60
REMEMBERED = 16
#: Bounds on what a record keeps of a query string (a hostile one can be long).
MAX_FILTERS = 30
MAX_VALUE_LENGTH = 200

VERBS: dict[str, str] = {
    OBJECT: "opened the history of",
    USER: "opened the activity of",
    RECORD: "opened",
    SEARCH: "searched",
    TAIL: "started a live tail of",
}


@dataclass(frozen=True)
class AccessView:
    user_id: Any
    event: str
    url_name: str
    kwargs: dict[str, Any]
    filters: dict[str, list[str]]
    #: Asked for by htmx (a swap), rather than as a page.
    fragment: bool

    @property
    def key(self) -> str:
        """What identifies the view: who, which page, its kwargs and filters."""
        text = json.dumps(
            [self.user_id, self.url_name, self.kwargs, self.filters], sort_keys=True, default=str
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Outcome:
    """What :func:`record_view` did."""

    #: A record was due (``False``: turned off, not chosen, or a continuation).
    due: bool = False
    #: Why it could not be written (empty: written, or not due).
    problems: tuple[str, ...] = ()
    #: The views to remember in the cookie, when a record was written.
    remembered: tuple[str, ...] | None = None

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def is_fragment(request: HttpRequest) -> bool:
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def view_of(request: HttpRequest, event: str) -> AccessView:
    redactor = Redactor()
    match = request.resolver_match
    kwargs = {
        name: redactor.redact_text(value) if isinstance(value, str) else value
        for name, value in (match.kwargs if match is not None else {}).items()
    }
    filters: dict[str, list[str]] = {}
    for name in list(request.GET)[:MAX_FILTERS]:
        if name in POSITION_PARAMS:
            continue
        values = [value[:MAX_VALUE_LENGTH] for value in request.GET.getlist(name) if value.strip()]
        if values:
            filters[name[:MAX_VALUE_LENGTH]] = values
    return AccessView(
        user_id=request.user.pk,
        event=event,
        url_name=match.url_name if match is not None and match.url_name else "",
        kwargs=kwargs,
        filters=redactor.redact(filters),
        fragment=is_fragment(request),
    )


def recorded_events() -> tuple[str, ...]:
    if not conf.ACCESS_LOG:
        return ()
    events: object = conf.ACCESS_LOG_EVENTS
    # A malformed setting (auditconsole.E038) records everything rather than nothing.
    return tuple(events) if isinstance(events, list | tuple | set | frozenset) else EVENTS


def remembered(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    return [key for key in (value or "").split(",") if key]


def continues(request: HttpRequest, view: AccessView) -> bool:
    """Whether this request only continues a view already recorded for this user here."""
    if not (view.fragment or POSITION_PARAMS.intersection(request.GET)):
        return False
    return view.key in remembered(request)


def record_view(request: HttpRequest, event: str, target: str) -> Outcome:
    """Record this request's view of ``target``, if it is a new one."""
    if event not in recorded_events():
        return Outcome()
    view = view_of(request, event)
    if continues(request, view):
        return Outcome()
    user = request.user
    text = f"{user.get_username()} {VERBS.get(event, 'viewed')} {target}"
    extra = {
        "event": view.event,
        "url_name": view.url_name,
        "user_id": user.pk,
        "username": user.get_username(),
        "kwargs": view.kwargs,
        "filters": view.filters,
        "fragment": view.fragment,
    }
    path, line, function, _ = logger.findCaller(stacklevel=2)
    record = logger.makeRecord(
        LOGGER_NAME, logging.INFO, path, line, text, (), None, function, extra
    )
    problems = deliver(logger, record)
    if problems:
        # The handlers that failed may fail this too; the page must open all the same.
        with contextlib.suppress(Exception):
            failures.error(
                "Access record not written (%s): %s. The page was shown with a warning.",
                text,
                "; ".join(problems),
            )
        return Outcome(due=True, problems=tuple(problems))
    keys = [key for key in remembered(request) if key != view.key]
    return Outcome(due=True, remembered=(*keys[-(REMEMBERED - 1) :], view.key))


def remember(response: HttpResponse, outcome: Outcome) -> None:
    """Set the cookie that makes the view's continuations go unrecorded."""
    if outcome.remembered is None:
        return
    response.set_signed_cookie(
        COOKIE,
        ",".join(outcome.remembered),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        # Only the console's own pages need it.
        path=reverse("auditconsole:index"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
