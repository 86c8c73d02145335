"""The stream view: the page under ASGI opens it; it answers what a poll would refuse as a
hand-over to the poller (to an EventSource) or as the usual status (to anything else);
under WSGI it holds nothing open; and what an open stream sends, until it ends."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.http import QueryDict
from django.test import AsyncClient, Client
from django.urls import reverse

from auditconsole.sources import cursor as cursors
from auditconsole.sources.query import Query
from auditconsole.streams import sse
from auditconsole.streams.hub import HANDOVER, RECONNECT, get_hub
from auditconsole.views import tail_stream
from auditconsole.views.tail_stream import Connection, relay, still_allowed
from tests.sources.helpers import app_line, append, config, source, write
from tests.views.test_tail import tail_url, token_of

EVENTS = {"HTTP_ACCEPT": "text/event-stream"}


@pytest.fixture
def log(settings: Any, tmp_path: Path) -> Path:
    path = write(tmp_path / "app.log", [app_line(i) for i in range(3)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "app": config(path, LABEL="Application"),
        "api": config(tmp_path / "api.log", PERMISSION="demo.view_customer"),
    }
    return path


def stream_url(key: str = "app", **params: str) -> str:
    url = reverse("auditconsole:tail_stream", kwargs={"key": key})
    return url + ("?" + urlencode(params) if params else "")


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def handed_over(response: Any) -> str:
    """The poller a hand-over puts back: it polls at once."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["X-Accel-Buffering"] == "no"
    assert "no-cache" in response["Cache-Control"]
    text = body(response)
    assert text.startswith("retry: ")
    assert "event: tail-end" in text
    poller = re.search(r'<div id="tail-poller"[^>]*>', text)
    assert poller, text
    assert "sse-connect" not in poller.group(0)
    assert 'hx-trigger="load, every' in poller.group(0)
    return html.unescape(poller.group(0))


def test_under_wsgi_the_page_polls(
    log: Path, client_for: Callable[..., Client], superuser: User
) -> None:
    page = client_for(superuser).get(tail_url()).content.decode()
    assert "sse-connect" not in page and 'hx-get="/audit/tail/app/?cursor=' in page
    assert "hx-sse" not in page


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_page_opens_one_stream(log: Path, superuser: User) -> None:
    client = AsyncClient()
    client.force_login(superuser)
    response = async_to_sync(client.get)(tail_url(level="WARNING"))
    page = response.content.decode()
    poller = html.unescape(re.search(r'<div id="tail-poller"[^>]*>', page).group(0))
    assert 'sse-connect="/audit/tail/app/stream/?level=WARNING&cursor=' in poller
    assert 'sse-swap="tail-lines,tail-end"' in poller and "hx-get" not in poller
    assert "django_htmx/ext/hx-sse-2" in page
    assert f"cursor={quote(token_of(response), safe='')}" in poller


@pytest.mark.django_db(transaction=True)
def test_under_asgi_without_tail_stream_the_page_polls(
    settings: Any, log: Path, superuser: User
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAM = False
    client = AsyncClient()
    client.force_login(superuser)
    page = async_to_sync(client.get)(tail_url()).content.decode()
    assert "sse-connect" not in page and "hx-get" in page


def test_an_eventsource_that_may_not_stream_is_handed_over(
    log: Path, client_for: Callable[..., Client], superuser: User, staff_user: User
) -> None:
    # No session, no permission, a hidden or unknown source: the poll answers it.
    poller = handed_over(Client().get(stream_url(cursor="abc", level="ERROR"), **EVENTS))
    assert 'hx-get="/audit/tail/app/?level=ERROR&cursor=abc"' in poller
    handed_over(client_for(staff_user).get(stream_url(), **EVENTS))
    handed_over(client_for(superuser).get(stream_url("nosuch"), **EVENTS))
    root = client_for(superuser)
    handed_over(root.get(stream_url(cursor="forged"), **EVENTS))
    handed_over(root.get(stream_url(regex="1", q="("), **EVENTS))


def test_other_clients_get_what_a_poll_gets(
    log: Path, client_for: Callable[..., Client], superuser: User
) -> None:
    assert Client().get(stream_url()).status_code == 302
    root = client_for(superuser)
    assert root.get(stream_url("nosuch")).status_code == 404
    forged = root.get(stream_url(cursor="forged"))
    assert forged.status_code == 400 and b"not valid" in forged.content
    bad_filter = root.get(stream_url(regex="1", q="("))
    assert bad_filter.status_code == 400
    assert (
        b"cannot be applied" in bad_filter.content and b"regular expression" in bad_filter.content
    )


def test_under_wsgi_the_stream_hands_over_at_once(
    log: Path, client_for: Callable[..., Client], superuser: User
) -> None:
    root = client_for(superuser)
    token = token_of(root.get(tail_url()))
    poller = handed_over(root.get(stream_url(cursor=token), **EVENTS))
    assert f"cursor={quote(token, safe='')}" in poller
    merged = reverse("auditconsole:tail_merged_stream") + "?sources=app&level=ERROR"
    poller = handed_over(root.get(merged, **EVENTS))
    assert 'hx-get="/audit/tail/merged/?sources=app&level=ERROR"' in poller


# -- an open stream ------------------------------------------------------------------------------


def connection(log: Path, **kwargs: Any) -> Connection:
    app = source(log)
    state = app.tail(None, 1).cursor
    return Connection(
        page_path="/audit/tail/app/",
        stream_path="/audit/tail/app/stream/",
        params=QueryDict("level=INFO"),
        token=cursors.dumps(cursors.TAIL, "app", state),
        source=app,
        query=Query(),
        state=state,
        user_pk=1,
        **kwargs,
    )


async def collect(
    events: Any, until: Callable[[list[bytes]], bool], write: Any = None
) -> list[bytes]:
    seen: list[bytes] = []
    async for event in events:
        seen.append(event)
        if write is not None and len(seen) == 1:
            write()
        if until(seen):
            await events.aclose()
            break
    return seen


def test_a_stream_sends_lines_heartbeats_then_renews_itself(
    settings: Any, monkeypatch: pytest.MonkeyPatch, log: Path
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAM_MAX_SECONDS = 0.6
    settings.AUDITCONSOLE_TAIL_STREAM_HEARTBEAT_SECONDS = 0.2
    settings.AUDITCONSOLE_TAIL_STREAM_SESSION_SECONDS = 3600
    monkeypatch.setattr(tail_stream, "CLOSING_GRACE_SECONDS", 0)

    async def scenario() -> list[bytes]:
        events = relay(connection(log))
        seen = await collect(
            events, lambda seen: b"event: tail-end" in seen[-1], lambda: append(log, app_line(3))
        )
        get_hub().close()
        return seen

    seen = asyncio.run(scenario())
    assert seen[0] == sse.retry(tail_stream.RETRY_MILLISECONDS)
    lines = [event for event in seen if event.startswith(b"event: tail-lines")]
    assert len(lines) == 1 and b"event 3<" in lines[0]
    assert sse.HEARTBEAT in seen
    renew = html.unescape(seen[-1].decode())
    assert 'sse-connect="/audit/tail/app/stream/?level=INFO&cursor=' in renew
    last_id = re.search(r"^id: (.+)$", lines[0].decode(), re.M).group(1)
    assert f"cursor={quote(last_id, safe='')}" in renew, "the new stream starts where it ended"


@pytest.mark.django_db(transaction=True)
def test_a_stream_whose_session_ended_hands_over(
    settings: Any, monkeypatch: pytest.MonkeyPatch, log: Path
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAM_SESSION_SECONDS = 0.05
    monkeypatch.setattr(tail_stream, "CLOSING_GRACE_SECONDS", 0)

    async def scenario() -> list[bytes]:
        seen = await collect(
            relay(connection(log, session_key="gone")), lambda seen: len(seen) == 2
        )
        get_hub().close()
        return seen

    seen = asyncio.run(scenario())
    assert b"event: tail-end" in seen[1] and b"hx-get" in seen[1]


@pytest.mark.parametrize("signal", [HANDOVER, RECONNECT])
def test_what_the_hub_signals_ends_the_stream(
    settings: Any, monkeypatch: pytest.MonkeyPatch, log: Path, signal: str
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAM_SESSION_SECONDS = 3600
    monkeypatch.setattr(tail_stream, "CLOSING_GRACE_SECONDS", 0)

    async def scenario() -> list[bytes]:
        events = relay(connection(log))
        seen = [await anext(events)]
        hub = get_hub()
        (channel,) = hub.channels.values()
        channel.subscribers[0].send(signal)  # type: ignore[arg-type]
        seen.extend([event async for event in events])
        assert hub.open == 0
        hub.close()
        return seen

    seen = asyncio.run(scenario())
    if signal == HANDOVER:
        assert b"event: tail-end" in seen[-1] and b"hx-get" in seen[-1]
    else:
        assert seen == [sse.retry(tail_stream.RETRY_MILLISECONDS)]


def test_over_a_cap_the_stream_hands_over(
    settings: Any, monkeypatch: pytest.MonkeyPatch, log: Path
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAMS_PER_PROCESS = 1
    monkeypatch.setattr(tail_stream, "CLOSING_GRACE_SECONDS", 0)

    async def scenario() -> list[bytes]:
        first = relay(connection(log))
        await anext(first)
        second = [event async for event in relay(connection(log))]
        await first.aclose()
        get_hub().close()
        return second

    second = asyncio.run(scenario())
    assert b"event: tail-end" in second[-1] and b"hx-get" in second[-1]


# -- the session check -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the check closes its database connection
def test_still_allowed_follows_the_session_and_the_user(
    log: Path, make_user: Callable[..., User], superuser: User
) -> None:
    client = Client()
    client.force_login(superuser)
    key = client.session.session_key
    check = Connection(
        "/", "/", QueryDict(), "", source=source(log), user_pk=superuser.pk, session_key=key
    )
    assert still_allowed(check)
    other = make_user("other", console_perms=("view_logs",))
    assert not still_allowed(
        Connection("/", "/", QueryDict(), "", source=source(log), user_pk=other.pk, session_key=key)
    )
    superuser.is_staff = False
    superuser.save(update_fields=["is_staff"])
    assert not still_allowed(check)
    superuser.is_staff = True
    superuser.save(update_fields=["is_staff"])
    client.logout()
    assert not still_allowed(check)


@pytest.mark.django_db(transaction=True)
def test_under_asgi_the_stream_view_streams(
    settings: Any, monkeypatch: pytest.MonkeyPatch, log: Path, superuser: User
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAM_MAX_SECONDS = 0.8
    settings.AUDITCONSOLE_TAIL_STREAM_SESSION_SECONDS = 0.1  # signed in: the stream goes on
    settings.AUDITCONSOLE_TAIL_STREAM_HEARTBEAT_SECONDS = 0.1
    monkeypatch.setattr(tail_stream, "CLOSING_GRACE_SECONDS", 0)

    async def scenario() -> tuple[Any, list[bytes]]:
        client = AsyncClient()
        await client.aforce_login(superuser)
        # Opened without a position: from the newest line on.
        response = await client.get(stream_url(), **EVENTS)
        chunks: list[bytes] = []
        async for chunk in response.streaming_content:
            chunks.append(chunk)
            if len(chunks) == 1:
                append(log, app_line(3))
        get_hub().close()
        return response, chunks

    response, chunks = asyncio.run(scenario())
    assert response["Content-Type"] == "text/event-stream"
    assert response["X-Accel-Buffering"] == "no"
    text = b"".join(chunks).decode()
    assert "event 2<" not in text, "lines before the stream opened are the page's"
    assert "event 3<" in text
    assert sse.HEARTBEAT.decode() in text
    assert text.endswith("data: </div>\n\n"), "a renewal ends it"
    assert "sse-connect" in text.split("event: tail-end")[1]
