"""Real headless Chromium, driven by Playwright, against pytest-django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User

from tests.services import CHROMIUM, in_ci

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


def unavailable(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        unavailable(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_page(chromium: object, live_server: object, transactional_db: None) -> Iterator[object]:
    """A fresh browser context (no cookies) pointed at the live server.

    Console errors are collected on ``page.console_errors`` so tests can assert there are none.
    """
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def login(browser_page: object) -> Callable[[User, str], object]:
    """Log in through the real login form; the fixture users' password is ``pw``."""

    def do_login(user: User, password: str = "pw") -> object:
        page = browser_page
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/audit/.*"))
        return page

    return do_login
