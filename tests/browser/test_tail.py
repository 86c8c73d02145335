"""The live tail in real Chromium: lines appear, rotations and truncation lose nothing,
pause and resume, the DOM cap, filters while tailing, hidden tabs, and inert payloads."""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import WATCH
from tests.sources.helpers import app_line, append, config, write

pytestmark = pytest.mark.browser

SEQ = re.compile(r"\bevent (\d+)$")
LINES = "#tail-lines .tail-line"


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    return directory


@pytest.fixture
def tailing(settings: Any, logs: Path) -> Path:
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.2
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(logs / "app.log", LABEL="Application")}
    return logs / "app.log"


def seqs(page: Any, selector: str = LINES) -> list[int]:
    """Sequence numbers of the lines in the DOM (visible or held), in document order."""
    texts = page.eval_on_selector_all(
        f"{selector} .tail-message", "nodes => nodes.map(n => n.textContent)"
    )
    return [int(match.group(1)) for text in texts if (match := SEQ.search(text))]


def wait_for_seq(page: Any, n: int, timeout: float = 20_000) -> None:
    page.wait_for_function(
        """n => Array.from(document.querySelectorAll('#tail-lines .tail-message'))
                 .some(node => node.textContent.endsWith('event ' + n))""",
        arg=n,
        timeout=timeout,
    )


def test_an_appended_line_appears(login, superuser, tailing: Path) -> None:
    write(tailing, [app_line(i) for i in range(3)])
    page = login(superuser)
    page.goto("/audit/tail/app/")
    assert seqs(page) == [0, 1, 2]
    assert page.get_by_role("button", name="Pause").is_visible()  # tail.js is running
    append(tailing, app_line(3))
    wait_for_seq(page, 3)
    assert seqs(page) == [0, 1, 2, 3]
    assert "is-new" in page.locator(LINES).last.get_attribute("class").split()  # highlighted
    # A line opens its record.
    page.locator(LINES).last.click()
    page.wait_for_url(re.compile(r".*/audit/logs/app/record/.+"))
    assert "event 3" in page.locator("pre.message").inner_text()
    assert page.console_errors == []


class CountingHandler(RotatingFileHandler):
    """The standard handler, counting its rollovers so the test knows it saw 20."""

    rollovers = 0

    def doRollover(self) -> None:
        self.rollovers += 1
        super().doRollover()


def test_twenty_rotations_under_steady_writing_lose_and_repeat_nothing(
    login, superuser, tailing: Path, settings: Any
) -> None:
    settings.AUDITCONSOLE_TAIL_MAX_DOM_LINES = 1000
    total = 240
    handler = CountingHandler(tailing, maxBytes=1500, backupCount=25)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.Logger("browser-rotation")
    logger.addHandler(handler)
    logger.info(app_line(0))  # the file exists before the page opens
    page = login(superuser)
    page.goto("/audit/tail/app/")
    assert seqs(page) == [0]

    def writer() -> None:
        for n in range(1, total + 1):
            logger.info(app_line(n))
            time.sleep(0.012)  # steady: several lines, and rotations, between two polls

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for_seq(page, total, timeout=60_000)
    finally:
        thread.join()
        handler.close()
    assert handler.rollovers >= 20
    assert seqs(page) == list(range(total + 1))  # 0..total: each exactly once, in order
    assert page.locator("#tail-lines .tail-marker", has_text="rotated").count() >= 1
    assert page.console_errors == []


def test_copytruncate_is_followed(login, superuser, tailing: Path) -> None:
    write(tailing, [app_line(i) for i in range(3)])
    page = login(superuser)
    page.goto("/audit/tail/app/")
    append(tailing, app_line(3))
    wait_for_seq(page, 3)
    # logrotate's copytruncate, with a line written just before the copy is taken.
    append(tailing, app_line(4))
    shutil.copyfile(tailing, tailing.with_name("app.log.1"))
    with tailing.open("r+b") as handle:
        handle.truncate(0)
    append(tailing, app_line(5), app_line(6))
    wait_for_seq(page, 6)
    assert seqs(page) == [0, 1, 2, 3, 4, 5, 6]
    # Truncated again, no copy this time: the new content from the top.
    with tailing.open("r+b") as handle:
        handle.truncate(0)
    append(tailing, app_line(7))
    wait_for_seq(page, 7)
    assert seqs(page) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert page.locator(".tail-marker", has_text="truncated").count() >= 1
    assert page.console_errors == []


def test_pause_resume_and_the_dom_cap(login, superuser, tailing: Path, settings: Any) -> None:
    settings.AUDITCONSOLE_TAIL_MAX_DOM_LINES = 10
    write(tailing, [app_line(i) for i in range(8)])
    page = login(superuser)
    page.goto("/audit/tail/app/")
    assert seqs(page) == list(range(8))

    page.get_by_role("button", name="Pause").click()
    append(tailing, *[app_line(i) for i in range(8, 14)])
    status = page.locator("[data-tail-status]")
    status.filter(has_text="6 new lines while paused").wait_for()
    # Held, not shown: nothing new scrolls in while paused. The DOM stays capped
    # meanwhile: the page keeps the newest 10 lines, held ones included.
    assert seqs(page, f"{LINES}:visible") == [4, 5, 6, 7]
    assert seqs(page, f"{LINES}.is-held") == [8, 9, 10, 11, 12, 13]
    assert page.locator(LINES).count() == 10
    append(tailing, *[app_line(i) for i in range(14, 20)])
    status.filter(has_text="12 new lines while paused").wait_for()
    assert page.locator(LINES).count() == 10

    page.get_by_role("button", name="Resume").click()
    assert status.inner_text() == "Live"
    assert seqs(page, f"{LINES}:not(.is-held)") == list(range(10, 20))
    assert page.locator(f"{LINES}:visible").count() == 10
    dropped = page.locator("[data-tail-dropped]")
    assert dropped.is_visible() and "10 older lines were removed" in dropped.inner_text()
    append(tailing, app_line(20))
    wait_for_seq(page, 20)
    assert seqs(page) == list(range(11, 21)) and page.locator(LINES).count() == 10
    assert page.console_errors == []


def test_auto_scroll_lets_go_and_jump_to_live(login, superuser, tailing: Path) -> None:
    write(tailing, [app_line(i) for i in range(100)])
    page = login(superuser)
    page.set_viewport_size({"width": 1000, "height": 600})
    page.goto("/audit/tail/app/")
    at_bottom = "(() => { const b = document.getElementById('tail-lines'); return b.scrollHeight - b.scrollTop - b.clientHeight < 8; })()"
    page.wait_for_function(at_bottom)
    jump = page.get_by_role("button", name="Jump to live ↓")
    assert not jump.is_visible()
    page.locator("#tail-lines").evaluate("box => { box.scrollTop = 0; }")
    jump.wait_for(state="visible")
    append(tailing, app_line(100))
    wait_for_seq(page, 100)
    assert page.locator("#tail-lines").evaluate("box => box.scrollTop") == 0  # left alone
    jump.click()
    page.wait_for_function(at_bottom)
    assert not jump.is_visible()
    append(tailing, app_line(101))
    wait_for_seq(page, 101)
    page.wait_for_function(at_bottom)  # following again
    assert page.console_errors == []


def test_filters_while_tailing_keep_the_position(login, superuser, tailing: Path) -> None:
    write(tailing, [app_line(i) for i in range(4)])
    page = login(superuser)
    page.goto("/audit/tail/app/")
    page.evaluate("window.__stillHere = true")
    # Levels cycle INFO, WARNING, ERROR, DEBUG: 2, 6, 10... are errors.
    page.select_option("#id_level", "ERROR")
    page.wait_for_url(re.compile(r".*/audit/tail/app/\?level=ERROR$"))
    page.wait_for_function("document.querySelectorAll('#tail-lines .tail-line').length === 1")
    assert seqs(page) == [2]
    append(tailing, *[app_line(i) for i in range(4, 11)])
    wait_for_seq(page, 10)
    assert seqs(page) == [2, 6, 10]
    # Text filter typed while lines keep coming: nothing in between is lost.
    append(tailing, app_line(11), app_line(14))
    page.fill("#id_q", "event 1")
    page.wait_for_url(re.compile(r".*level=ERROR&q=event\+1$"))
    wait_for_seq(page, 14)
    assert seqs(page) == [10, 14]
    assert page.evaluate("window.__stillHere") is True  # swapped, never reloaded
    page.get_by_role("link", name="Clear").click()
    page.wait_for_url(re.compile(r".*/audit/tail/app/$"))
    page.wait_for_function("document.querySelectorAll('#tail-lines .tail-line').length > 2")
    assert (
        page.locator("#id_level").input_value() == "" and page.locator("#id_q").input_value() == ""
    )
    assert seqs(page)[-1] == 14
    assert page.console_errors == []


def test_a_filter_change_waits_for_the_poll_in_flight(login, superuser, tailing: Path) -> None:
    """A user typing while a poll is under way: the poll is neither aborted nor lost.

    htmx reports an aborted request as an error (``htmx:afterRequest`` and
    ``htmx:sendAbort`` in the console), so the filter change queues behind the poll,
    then carries on from the position that poll brought back.
    """
    write(tailing, [app_line(i) for i in range(4)])
    page = login(superuser)
    page.add_init_script(WATCH)  # counts htmx requests in flight
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    held: list[Any] = []

    def hold_the_first_poll(route: Any) -> None:
        if not held and route.request.headers.get("hx-target") == "tail-lines":
            held.append(route)  # in flight until released below
        else:
            route.continue_()

    page.route(lambda url: "/audit/tail/" in url, hold_the_first_poll)
    page.goto("/audit/tail/app/")
    page.wait_for_function("() => window.__inflight === 1")  # the first poll, held
    page.evaluate(
        """document.addEventListener("htmx:confirm", (event) => {
            if (event.detail.elt.id === "tail-filters") { window.__filterAsked = true; }
        })"""
    )
    append(tailing, *[app_line(i) for i in range(4, 8)])
    page.select_option("#id_level", "ERROR")
    page.wait_for_function("() => window.__filterAsked === true")  # the change fired, mid-poll
    assert page.console_errors == [] and failed == []
    held[0].continue_()
    page.wait_for_url(re.compile(r".*/audit/tail/app/\?level=ERROR$"))
    assert seqs(page) == [2, 6]  # what the poll brought is in the new view, once
    append(tailing, *[app_line(i) for i in range(8, 11)])
    wait_for_seq(page, 10)
    assert seqs(page) == [2, 6, 10]
    assert page.console_errors == [] and failed == []


def test_a_hidden_tab_does_not_poll(login, superuser, tailing: Path) -> None:
    write(tailing, [app_line(0)])
    page = login(superuser)
    page.goto("/audit/tail/app/")
    polls: list[str] = []
    page.on("request", lambda request: "cursor=" in request.url and polls.append(request.url))
    page.wait_for_timeout(700)
    assert polls, "a visible tab polls"
    # Headless Chromium never hides its page: tell tail.js the way the browser would.
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    page.wait_for_timeout(300)
    polls.clear()
    append(tailing, app_line(1))
    page.wait_for_timeout(1000)
    assert polls == [] and seqs(page) == [0]
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    wait_for_seq(page, 1, timeout=3000)
    assert seqs(page) == [0, 1]
    assert page.console_errors == []


def test_payloads_in_lines_stay_inert(login, superuser, tailing: Path) -> None:
    payload = "<script>alert('x')</script><img src=x onerror=\"alert('img')\">"
    write(
        tailing,
        [
            json.dumps(
                {
                    "time": "2026-04-04 12:00:00,000",
                    "level": "ERROR",
                    "name": "x<b>bold</b>",
                    "message": f"first {payload}",
                }
            ),
        ],
    )
    page = login(superuser)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/audit/tail/app/")
    append(tailing, f"plain text line {payload}")
    append(
        tailing,
        json.dumps(
            {
                "time": "2026-04-04 12:00:01,000",
                "level": "INFO",
                "name": "x",
                "message": f"second {payload}",
            }
        ),
    )
    page.locator(".tail-message", has_text="second").wait_for()
    lines = page.locator("#tail-lines")
    assert lines.locator("script, img, b").count() == 0
    assert f"first {payload}" in lines.inner_text()
    assert f"second {payload}" in lines.inner_text()
    assert "plain text line <script>" in lines.inner_text()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.console_errors == []


def test_the_page_works_without_javascript(
    chromium, live_server, superuser, settings: Any, logs: Path
) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(logs / "app.log")}
    write(logs / "app.log", [app_line(i) for i in range(3)])
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", superuser.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto("/audit/tail/app/")
    assert seqs(page) == [0, 1, 2]
    assert not page.get_by_role("button", name="Pause").is_visible()
    append(logs / "app.log", app_line(3))
    page.get_by_role("link", name="Refresh").click()
    assert seqs(page)[-1] == 3 and seqs(page).count(3) == 1
    page.select_option("#id_level", "ERROR")
    page.get_by_role("button", name="Apply").click()
    assert seqs(page) == [2]
    context.close()
