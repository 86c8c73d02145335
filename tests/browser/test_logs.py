"""Browsing a log source in real Chromium: facets and presets keep the filter form in step.

A facet or a time preset swaps the results only; the form beside them must follow (it is
re-rendered out of band), or it shows the old values and submitting it undoes the click.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_csp import WATCH, settle, violations
from tests.sources.helpers import app_line, config, write

pytestmark = pytest.mark.browser

LEVEL = "#log-filters select[name=level]"
LOGGER = "#log-filters input[name=logger]"
SINCE = "#log-filters input[name=since]"


@pytest.fixture
def app_log(settings: Any, tmp_path: Path) -> Path:
    """Forty records; the ERROR ones (every fourth) are all from ``apps.tickets.views``."""
    path = write(tmp_path / "app.log", [app_line(i) for i in range(40)])
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(path, LABEL="Application")}
    return path


@pytest.fixture
def browsing(login: Any, superuser: Any, app_log: Path) -> Any:
    page = login(superuser)
    page.add_init_script(WATCH)  # CSP violations, and htmx requests in flight
    page.goto("/audit/logs/app/")
    settle(page)
    page.evaluate("window.__stillHere = true")  # a full page load would wipe this out
    return page


def levels_shown(page: Any) -> set[str]:
    return set(page.locator(".log-row td:not(.message-cell) > .badge").all_inner_texts())


def test_a_facet_click_updates_the_form_and_resubmitting_keeps_it(browsing: Any) -> None:
    page = browsing
    page.locator("#log-facets a", has_text="ERROR").click()
    page.wait_for_url(re.compile(r".*level=ERROR"))
    settle(page)
    assert levels_shown(page) == {"ERROR"}
    assert page.locator(LEVEL).input_value() == "ERROR", "the form still shows the old level"
    # A second facet adds to the first, and the form shows both.
    page.locator("#log-facets a", has_text="apps.tickets.views").click()
    page.wait_for_url(re.compile(r".*logger=apps\.tickets\.views"))
    settle(page)
    assert page.locator(LOGGER).input_value() == "apps.tickets.views"
    assert page.locator(LEVEL).input_value() == "ERROR"
    # Submitting the form as it stands keeps what the facets chose.
    page.fill("#log-filters input[name=q]", "event")
    page.locator("#log-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*q=event"))
    settle(page)
    assert "level=ERROR" in page.url and "logger=apps.tickets.views" in page.url
    assert levels_shown(page) == {"ERROR"}
    assert page.locator(LEVEL).input_value() == "ERROR"
    assert page.evaluate("window.__stillHere") is True, "the page was reloaded, not swapped"
    assert violations(page) == []
    assert page.console_errors == []


def test_a_time_preset_updates_the_form_and_resubmitting_keeps_it(browsing: Any) -> None:
    page = browsing
    page.locator("#log-filters .presets a", has_text="7 days").click()
    page.wait_for_url(re.compile(r".*since=7d"))
    settle(page)
    assert page.locator(SINCE).input_value() == "7d", "the form still shows the old time"
    pressed = page.locator("#log-filters .presets a[aria-pressed=true]")
    assert pressed.all_inner_texts() == ["7 days"]
    page.select_option(LEVEL, "WARNING")
    page.locator("#log-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*level=WARNING"))
    settle(page)
    assert "since=7d" in page.url
    assert page.locator(SINCE).input_value() == "7d"
    assert page.evaluate("window.__stillHere") is True
    assert violations(page) == []
    assert page.console_errors == []
