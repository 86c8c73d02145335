"""The pushed live tail in real Chromium, over ASGI (a real uvicorn, tests/browser/asgi.py).

Lines arrive as Server-Sent Events with no poll while the stream is open, and a stream past
its life is renewed from its position without an error; a dropped connection and a server
restart resume from the last event's id with nothing lost or doubled; a user over the cap
gets a page that polls; a session that ends sends the page to the login page; payloads stay
inert; no console or CSP error on the way.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.asgi import PASSWORD, AsgiServer, Proxy
from tests.browser.conftest import WATCH, collect_console_errors, sign_in, violations
from tests.browser.test_tail import seqs, wait_for_seq
from tests.services import free_port
from tests.sources.helpers import app_line, append, write

pytestmark = pytest.mark.browser

TAIL = "/audit/tail/app/"
STREAMING = "#tail-poller[data-tail-mode=stream]"
POLLING = "#tail-poller[hx-get]"
#: Counts the streams a page opened (htmx's SSE extension fires htmx:sseOpen on each).
STREAM_WATCH = """
window.__opens = 0;
document.addEventListener("htmx:sseOpen", () => { window.__opens += 1; });
window.__dialogs = 0;
"""
#: What the browser itself reports while its connection is down: htmx logs the
#: EventSource's error event, Chromium the refused connection. Nothing else is allowed.
NETWORK_ERRORS = ("[object Event]", "net::ERR_", "Failed to load resource")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AsgiServer, Proxy, Path]]:
    var_dir = tmp_path_factory.mktemp("asgi-var")
    log_dir = var_dir / "applog"
    log_dir.mkdir()
    log = write(log_dir / "app.log", [app_line(i) for i in range(3)])
    server = AsgiServer(var_dir, log, free_port())
    server.prepare("streamer", "capped", "expiring")
    server.start()
    proxy = Proxy(server.port)
    try:
        yield server, proxy, log
    finally:
        proxy.close()
        server.stop()


@pytest.fixture
def log(served: tuple[AsgiServer, Proxy, Path]) -> Path:
    """The followed file, started again with lines 0..2 for each test."""
    path = served[2]
    write(path, [app_line(i) for i in range(3)])
    return path


@pytest.fixture
def context(chromium: Any, served: tuple[AsgiServer, Proxy, Path]) -> Iterator[Any]:
    context = chromium.new_context(base_url=served[1].url)
    context.add_init_script(WATCH + STREAM_WATCH)
    yield context
    context.close()


def new_page(context: Any) -> Any:
    page = context.new_page()
    page.set_default_timeout(15_000)
    collect_console_errors(page)
    page.on("dialog", lambda dialog: (page.evaluate("window.__dialogs += 1"), dialog.dismiss()))
    page.polls = []
    page.on(
        "request",
        lambda request: (
            request.headers.get("hx-target") == "tail-lines" and page.polls.append(request.url)
        ),
    )
    return page


def open_tail(page: Any) -> None:
    page.goto(TAIL)
    page.wait_for_selector(STREAMING, state="attached")
    page.wait_for_function("() => window.__opens >= 1")


def write_slowly(log: Path, numbers: range, pause: float = 0.05) -> None:
    for n in numbers:
        append(log, app_line(n))
        time.sleep(pause)


def test_lines_are_pushed_without_a_poll(context: Any, log: Path) -> None:
    page = new_page(context)
    sign_in(page, "streamer", PASSWORD)
    open_tail(page)
    assert seqs(page) == [0, 1, 2]
    write_slowly(log, range(3, 13))
    wait_for_seq(page, 12)
    assert seqs(page) == list(range(13))
    # Appended while live: highlighted like polled lines, and the controls say live.
    assert page.locator("#tail-lines .tail-line.is-new").count() == 10
    assert page.locator("[data-tail-status]").text_content() == "Live"
    # The filter form's cursor and the stream's own URL follow the last event's id.
    cursor = page.locator("#tail-cursor").input_value()
    assert f"cursor={quote(cursor, safe='')}" in page.locator(STREAMING).get_attribute(
        "sse-connect"
    )
    # The settings give a stream 3 s: the page then opens a new one from its position,
    # quietly (an EventSource the server closes would reconnect with an error).
    page.wait_for_function("() => window.__opens >= 2", timeout=10_000)
    write_slowly(log, range(13, 18))
    wait_for_seq(page, 17)
    assert seqs(page) == list(range(18))
    assert page.polls == [], "the page polled while its stream was open"
    assert page.console_errors == []
    assert violations(page) == []


def test_pause_and_filters_work_as_with_polling(context: Any, log: Path) -> None:
    page = new_page(context)
    sign_in(page, "streamer", PASSWORD)
    open_tail(page)
    page.get_by_role("button", name="Pause").click()
    write_slowly(log, range(3, 7))
    status = page.locator("[data-tail-status]")
    status.filter(has_text="4 new lines while paused").wait_for()
    assert seqs(page, "#tail-lines .tail-line.is-held") == [3, 4, 5, 6]
    page.get_by_role("button", name="Resume").click()
    assert status.inner_text() == "Live"
    # New filters replace the view: its stream closes, and one with the filters opens
    # from the form's cursor. Levels cycle INFO, WARNING, ERROR, DEBUG: 2, 6, 10, 14...
    opens = page.evaluate("window.__opens")
    page.select_option("#id_level", "ERROR")
    page.wait_for_url(re.compile(r".*/audit/tail/app/\?level=ERROR$"))
    page.wait_for_function("n => window.__opens > n", arg=opens)
    assert "level=ERROR" in page.locator(STREAMING).get_attribute("sse-connect")
    write_slowly(log, range(7, 15))
    wait_for_seq(page, 14)
    assert seqs(page) == [2, 6, 10, 14]
    assert page.polls == []
    assert page.console_errors == []


def test_a_dropped_connection_and_a_restart_lose_and_double_nothing(
    context: Any, served: tuple[AsgiServer, Proxy, Path], log: Path
) -> None:
    server, proxy, _ = served
    page = new_page(context)
    sign_in(page, "streamer", PASSWORD)
    open_tail(page)
    write_slowly(log, range(3, 8))
    wait_for_seq(page, 7)
    opens = page.evaluate("window.__opens")

    proxy.cut()  # the network drops: the browser reconnects with Last-Event-ID
    write_slowly(log, range(8, 13))
    wait_for_seq(page, 12)
    assert page.evaluate("window.__opens") > opens

    server.stop(kill=True)  # a crash: nothing is kept in the server between streams
    write_slowly(log, range(13, 18))
    server.start()
    write_slowly(log, range(18, 23))
    wait_for_seq(page, 22, timeout=30_000)
    assert seqs(page) == list(range(23))
    assert page.polls == []
    unexpected = [e for e in page.console_errors if not e.startswith(NETWORK_ERRORS)]
    assert unexpected == []
    assert violations(page) == []


def test_over_the_cap_a_page_polls_instead(context: Any, log: Path) -> None:
    first = new_page(context)
    sign_in(first, "capped", PASSWORD)
    open_tail(first)
    second = new_page(context)
    open_tail(second)
    # Two streams is this user's cap (tests/browser/asgi_settings.py): the third is refused.
    third = new_page(context)
    third.goto(TAIL)
    third.wait_for_selector(POLLING, state="attached")
    assert third.locator(STREAMING).count() == 0
    write_slowly(log, range(3, 8))
    for page in (first, second, third):
        wait_for_seq(page, 7)
        assert seqs(page) == list(range(8))
    # (A stream renewed at the end of its life may find the slot it left taken and poll
    # from then on too: only the refusal of the third page is certain.)
    assert third.polls, "the refused page polls"
    for page in (first, second, third):
        assert page.console_errors == []
        assert violations(page) == []


def test_a_session_that_ends_sends_the_page_to_the_login(
    context: Any, served: tuple[AsgiServer, Proxy, Path], log: Path
) -> None:
    page = new_page(context)
    sign_in(page, "expiring", PASSWORD)
    open_tail(page)
    database = served[0].env["AUDITCONSOLE_VAR_DIR"] + "/db.sqlite3"
    # closing(): a connection's own "with" commits but does not close it.
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("DELETE FROM django_session")
    # The stream's next check (every 0.5 s here) ends it; the poller it hands over to is
    # sent to the login page, as a poll always was.
    # (Each poll due before the page is gone sends it there again: no wait_for_url, which
    # fails on the navigation the next one aborts.)
    deadline = time.monotonic() + 15
    while "/accounts/login/" not in page.url:
        assert time.monotonic() < deadline, page.url
        page.wait_for_timeout(100)  # lets Playwright see the navigation
    assert page.url.endswith("/accounts/login/?next=/audit/tail/app/")
    page.wait_for_selector("input[name=username]")
    assert page.console_errors == []


def test_payloads_stay_inert(context: Any, log: Path) -> None:
    page = new_page(context)
    sign_in(page, "streamer", PASSWORD)
    open_tail(page)
    payload = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
    append(log, json.dumps({"level": "ERROR", "name": "x", "message": payload}), app_line(3))
    wait_for_seq(page, 3)
    assert payload in page.locator("#tail-lines").inner_text()
    assert page.locator("#tail-lines img, #tail-lines script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__dialogs") == 0
    assert page.console_errors == []
    assert violations(page) == []
