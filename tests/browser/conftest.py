"""Real headless Chromium, driven by Playwright, against pytest-django's live server.

The browser itself is the session-wide ``chromium`` fixture of tests/conftest.py. The helpers
below (watching a page, signing in) are also used by the development walk
(tests/project/test_development_walk.py), which drives a real ``runserver`` instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test.testcases import LiveServerThread

from tests.browser.liveserver import OneRequestAtATimeServer

# Before pytest-django's session-wide live_server starts: see tests/browser/liveserver.py.
LiveServerThread.server_class = OneRequestAtATimeServer

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run beside it. The live server answers from its own thread, so this only affects setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Without these, Chromium tries to reach Google's hosts at every start, and this
# machine's closed network refuses each attempt.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


#: Collects CSP violations, and counts htmx requests in flight, in every document
#: (``page.add_init_script(WATCH)`` runs it before the page's own scripts).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
window.__inflight = 0;
document.addEventListener("htmx:beforeRequest", () => { window.__inflight += 1; });
document.addEventListener("htmx:afterRequest", () => { window.__inflight -= 1; });
"""


def settle(page: Any) -> None:
    """Wait until the page has loaded and htmx has no request in flight (lazy panels)."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.__inflight === 0")


def violations(page: Any) -> list[str]:
    return page.evaluate("window.__csp")


def collect_console_errors(page: Any) -> None:
    """Collect the page's console errors and uncaught exceptions on ``page.console_errors``."""
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))


def sign_in(page: Any, username: str, password: str) -> None:
    """Log in through the real login form, which lands on the console."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/audit/.*"))


@pytest.fixture
def browser_page(chromium: object, live_server: object, transactional_db: None) -> Iterator[object]:
    """A fresh browser context (no cookies) pointed at the live server.

    Console errors are collected on ``page.console_errors`` so tests can assert there are none.
    """
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    collect_console_errors(page)
    yield page
    context.close()


@pytest.fixture
def login(browser_page: object) -> Callable[[User, str], object]:
    """Log in through the real login form; the fixture users' password is ``pw``."""

    def do_login(user: User, password: str = "pw") -> object:
        sign_in(browser_page, user.get_username(), password)
        return browser_page

    return do_login
