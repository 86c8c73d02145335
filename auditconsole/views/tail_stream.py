"""``tail/<key>/stream/``: the live tail pushed as Server-Sent Events (ASGI only).

The page (:mod:`auditconsole.views.tail`) served over ASGI gives its poller an
``sse-connect`` URL here instead of a polling trigger. This view checks what a poll
checks (active staff with ``view_logs``, the source visible to them, the filters, the
signed position: the ``Last-Event-ID`` the browser resends after a dropped connection,
else the URL's ``cursor``), then relays what the process's
:class:`~auditconsole.streams.hub.Hub` queues for it:

* ``tail-lines`` events, each a batch of rendered lines whose ``id`` is the signed
  position after it;
* a comment every ``TAIL_STREAM_HEARTBEAT_SECONDS`` of silence, for proxies;
* one ``tail-end`` event, which replaces the page's poller out of band and closes the
  stream: with a polling poller that polls at once when the stream is refused (a cap,
  no session, a position or filter the poll will explain), or when the session ends
  (the poll then sends the page to the login page, as a poll always did); with a fresh
  stream from the last position once ``TAIL_STREAM_MAX_SECONDS`` have passed.

An EventSource is only ever answered ``200 text/event-stream``: it takes any other answer
for a failure to retry, never for a page to show, so whatever a poll would refuse is
handed over to the poller, which shows it. Other clients get the usual answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module
from typing import Any

from asgiref.sync import SyncToAsync, sync_to_async
from django.conf import settings
from django.contrib import auth
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseBadRequest,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import View

from auditconsole.conf import conf
from auditconsole.links import url_with
from auditconsole.permissions import VIEW_LOGS, has_console_perms
from auditconsole.sources import cursor as cursors
from auditconsole.sources.base import LogSource
from auditconsole.sources.cursor import State
from auditconsole.sources.follow import follow
from auditconsole.sources.query import CURSOR, Query, TailFilterForm, filter_params
from auditconsole.streams import sse
from auditconsole.streams.batches import END
from auditconsole.streams.hub import HANDOVER, RECONNECT, Refused, Subscriber, get_hub
from auditconsole.views.sources import MergedSourceMixin, SourceMixin
from auditconsole.views.tail import INVALID_FILTERS, INVALID_POSITION, TailAccessMixin

#: Dozzle's headers: no buffering in nginx (``X-Accel-Buffering``), none in caches.
STREAM_HEADERS = {"X-Accel-Buffering": "no"}
#: How soon the browser reconnects after the connection drops (a restart, a proxy).
RETRY_MILLISECONDS = 1000
#: After the last event, how long the stream stays open for the page to close it: a
#: connection the server closes first makes the browser reconnect, and htmx logs that.
CLOSING_GRACE_SECONDS = 10.0
POLLER_TEMPLATE = "auditconsole/tail/partials/poller.html"


@dataclass
class Connection:
    """What a stream was opened for, once the request was checked."""

    #: The page's path and filters, for the poller a ``tail-end`` event puts back.
    page_path: str
    stream_path: str
    params: QueryDict
    token: str
    source: LogSource | None = None
    query: Query | None = None
    state: State = None
    user_pk: object = None
    session_key: str | None = None


class TailStreamView(SourceMixin, TailAccessMixin, View):
    """``tail/<key>/stream/``: checked like a poll (sync), then streamed (async).

    An EventSource (``Accept: text/event-stream``) that may not stream (no session, no
    permission, an unknown source, a refused position or filter) gets a ``tail-end``
    event handing over to the poller, whose request then answers what a poll answers
    (the login page, 403, 404, 400). Any other client gets those answers directly. Under
    WSGI nothing is held open: the answer is the hand-over, and the page polls.
    """

    page_name = "auditconsole:tail"
    stream_name = "auditconsole:tail_stream"

    @cached_property
    def wants_events(self) -> bool:
        return "text/event-stream" in self.request.headers.get("Accept", "")

    def connection(self) -> Connection:
        kwargs = {"key": self.kwargs["key"]} if "key" in self.kwargs else {}
        params = filter_params(self.request.GET)
        # The browser resends the id of the last event it received after a dropped
        # connection; the URL's cursor is where the page started or the last stream ended.
        token = self.request.headers.get("Last-Event-ID") or self.request.GET.get(CURSOR) or ""
        return Connection(
            reverse(self.page_name, kwargs=kwargs),
            reverse(self.stream_name, kwargs=kwargs),
            params,
            token,
        )

    def handover(self, connection: Connection | None = None) -> HttpResponseBase:
        connection = connection or self.connection()
        return event_stream(
            iter([sse.retry(RETRY_MILLISECONDS), end_event(connection, connection.token)])
        )

    def handle_no_permission(self) -> HttpResponseBase:  # type: ignore[override]
        if self.wants_events:
            return self.handover()
        return super().handle_no_permission()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            source = self.source
        except Http404:
            if self.wants_events:
                return self.handover()
            raise
        connection = self.connection()
        form = TailFilterForm(data=request.GET)
        try:
            state = (
                cursors.loads(cursors.TAIL, source.scope, connection.token)
                if connection.token
                else None
            )
        except cursors.InvalidCursor:
            return self.refuse(connection, INVALID_POSITION)
        if not form.is_valid():
            problems = [str(error) for errors in form.errors.values() for error in errors]
            return self.refuse(connection, "\n".join([INVALID_FILTERS, *problems]))
        if not (conf.TAIL_STREAM and isinstance(request, ASGIRequest)):
            return self.handover(connection)
        query = form.to_query()
        if connection.token == "":
            # Opened without a position: from the newest line on.
            state = follow(source, query, None, lines=1).cursor
            connection.token = cursors.dumps(cursors.TAIL, source.scope, state)
        connection.source, connection.query, connection.state = source, query, state
        connection.user_pk = request.user.pk
        connection.session_key = request.session.session_key
        # Under ASGI this ran in a thread kept for the request, i.e. for the stream's whole
        # life: its database connection would stay open (and its memory held) as long.
        connections.close_all()
        return event_stream(relay(connection))

    def refuse(self, connection: Connection, message: str) -> HttpResponseBase:
        if self.wants_events:
            return self.handover(connection)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class MergedTailStreamView(MergedSourceMixin, TailStreamView):
    """``tail/merged/stream/?sources=app&sources=api``."""

    page_name = "auditconsole:tail_merged"
    stream_name = "auditconsole:tail_merged_stream"


def still_allowed(connection: Connection) -> bool:
    """Is the stream's session still signed in, as the same user, allowed to see it?"""
    engine = import_module(settings.SESSION_ENGINE)
    request = HttpRequest()
    request.session = engine.SessionStore(connection.session_key)
    try:
        user = auth.get_user(request)
        source = connection.source
        return (
            source is not None
            and user.is_authenticated
            and user.pk == connection.user_pk
            and has_console_perms(user, VIEW_LOGS)
            and source.visible_to(user)
        )
    finally:
        # Every TAIL_STREAM_SESSION_SECONDS per stream: no connection is kept between.
        connections.close_all()


def end_event(connection: Connection, token: str, *, stream: bool = False) -> bytes:
    """The ``tail-end`` event: a poller that polls at once, or a fresh stream."""
    params = connection.params
    with_cursor = {CURSOR: token} if token else {}
    html = render_to_string(
        POLLER_TEMPLATE,
        {
            "oob": True,
            "live": True,
            "more": True,
            "token": token,
            "poll_url": url_with(connection.page_path, params, with_cursor),
            "stream_url": url_with(connection.stream_path, params, with_cursor) if stream else None,
            "clean_url": url_with(connection.page_path, params),
            "poll_seconds": f"{conf.TAIL_POLL_SECONDS:g}",
        },
    )
    return sse.event(END, html.strip())


async def relay(connection: Connection) -> AsyncIterator[bytes]:
    """The stream's events, until its life, its session or the connection ends."""
    source, query = connection.source, connection.query
    assert source is not None and query is not None
    _release_request_thread()
    hub = get_hub()
    subscriber = Subscriber(
        user=connection.user_pk,
        key=connection.params.urlencode(),
        query=query,
        state=connection.state,
        token=connection.token,
    )
    try:
        channel = hub.subscribe(source, subscriber)
    except Refused:
        yield sse.retry(RETRY_MILLISECONDS) + end_event(connection, connection.token)
        await _linger()
        return
    yield sse.retry(RETRY_MILLISECONDS)
    loop = asyncio.get_running_loop()
    now = loop.time()
    end = now + conf.TAIL_STREAM_MAX_SECONDS
    check = now + conf.TAIL_STREAM_SESSION_SECONDS
    quiet_until = now + conf.TAIL_STREAM_HEARTBEAT_SECONDS
    try:
        while True:
            now = loop.time()
            if now >= end:
                hub.unsubscribe(channel, subscriber)
                yield end_event(connection, subscriber.token, stream=True)
                break
            if now >= check:
                if not await sync_to_async(still_allowed, thread_sensitive=False)(connection):
                    hub.unsubscribe(channel, subscriber)
                    yield end_event(connection, subscriber.token)
                    break
                check = now + conf.TAIL_STREAM_SESSION_SECONDS
            if now >= quiet_until:
                yield sse.HEARTBEAT
                quiet_until = now + conf.TAIL_STREAM_HEARTBEAT_SECONDS
            try:
                # asyncio.timeout, not wait_for: no task per wait, for a thousand streams.
                async with asyncio.timeout(min(end, check, quiet_until) - now):
                    item = await subscriber.queue.get()
            except TimeoutError:
                continue
            if item == RECONNECT:
                return
            if item == HANDOVER:
                hub.unsubscribe(channel, subscriber)
                yield end_event(connection, subscriber.token)
                break
            assert isinstance(item, bytes)
            yield item
            quiet_until = loop.time() + conf.TAIL_STREAM_HEARTBEAT_SECONDS
        await _linger()
    finally:
        hub.unsubscribe(channel, subscriber)


def _release_request_thread() -> None:
    """Let go of the thread Django keeps for this request's sync code while it streams.

    Django's ASGI handler runs a request's sync code (sync middleware, this view's checks)
    in a thread of its own, kept until the response ends: for a stream, its whole life, an
    idle thread per open tab. By the time the body is streamed that code has run, so the
    thread is shut down here; sync code the request still runs (its response's close())
    gets a new one from asgiref. Without asgiref's per-request executor (another version),
    nothing is done.
    """
    context = getattr(SyncToAsync, "thread_sensitive_context", None)
    executors = getattr(SyncToAsync, "context_to_thread_executor", None)
    if context is None or executors is None:  # pragma: no cover - another asgiref
        return
    current = context.get(None)
    executor = executors.pop(current, None) if current is not None else None
    if isinstance(executor, ThreadPoolExecutor):
        executor.shutdown(wait=False)


async def _linger() -> None:
    # Cancelled when the page closes the stream, which it does on the last event.
    await asyncio.sleep(CLOSING_GRACE_SECONDS)


def event_stream(events: AsyncIterator[bytes] | Iterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    add_never_cache_headers(response)
    for name, value in STREAM_HEADERS.items():
        response[name] = value
    return response
