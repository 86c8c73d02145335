"""Layout in real Chromium, measured: a wide log source at desktop widths, and a phone.

The sources are the demo's own ``api`` and ``django`` configurations (columns included),
reading log files written by the demo's own writer, so what is measured is what ``make run``
shows. Sizes come from ``getBoundingClientRect()``.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from project.demo.logfiles import DemoLogWriter
from tests.browser.test_activity import desk  # noqa: F401 - a fixture
from tests.browser.test_csp import WATCH, settle, violations
from tests.trails.every import EVERY_TRAIL, supplier_in_every_trail

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
#: The message must stay readable: about this wide at least.
MIN_MESSAGE_WIDTH = 200

FIRST_ROW_TOP = "document.querySelector('{table} tbody tr').getBoundingClientRect().top"


@pytest.fixture
def demo_sources(settings: Any, tmp_path: Path) -> Path:
    """The demo's ``api`` (three extra columns) and ``django`` (text, tracebacks) sources."""
    writer = DemoLogWriter(tmp_path, random.Random(2026), timezone.now())
    writer.write_api()
    writer.write_django()
    demo = settings.AUDITCONSOLE_LOG_SOURCES
    assert len(demo["api"]["OPTIONS"]["columns"]) == 3  # still the wide one the issue measured
    settings.AUDITCONSOLE_LOG_SOURCES = {
        key: {**demo[key], "OPTIONS": {**demo[key]["OPTIONS"], "path": str(tmp_path / name)}}
        for key, name in (("api", "api.log"), ("django", "django.log"))
    }
    return tmp_path


@pytest.fixture
def agent(login: Any, support_user: Any) -> Any:
    page = login(support_user)
    page.add_init_script(WATCH)  # CSP violations, and htmx requests in flight
    return page


def open_at(page: Any, path: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(path)
    settle(page)


def assert_clean(page: Any) -> None:
    assert violations(page) == []
    assert page.console_errors == []


# -- defect 3: a wide source leaves the message readable --------------------------------------


@pytest.mark.parametrize("width", [1280, 1400, 1920])
def test_a_wide_source_leaves_the_message_readable(
    agent: Any, demo_sources: Path, width: int
) -> None:
    page = agent
    open_at(page, "/audit/logs/api/", {"width": width, "height": 900})
    widths = page.eval_on_selector_all(
        ".log-table td.message-cell", "cells => cells.map(c => c.getBoundingClientRect().width)"
    )
    assert len(widths) == 50
    assert min(widths) >= MIN_MESSAGE_WIDTH, f"message cells {min(widths):.0f} px wide"
    # No sideways scroll inside the table to reach the message.
    overflow = page.evaluate(
        "(() => { const w = document.querySelector('.log-table').closest('.table-wrap');"
        " return w.scrollWidth - w.clientWidth; })()"
    )
    assert overflow <= 0
    # The demo's message reads on one line, not a word per line.
    message = page.locator(".log-table td.message-cell", has_text="Audit Internal Request").first
    line_height = float(message.evaluate("c => parseFloat(getComputedStyle(c).lineHeight)"))
    text_height = message.evaluate(
        "c => { const r = document.createRange(); r.selectNodeContents(c);"
        " return r.getBoundingClientRect().height; }"
    )
    assert text_height < 1.5 * line_height
    # The field columns are titled with their paths as configured.
    headers = page.eval_on_selector_all(".log-table thead th", "ths => ths.map(t => t.textContent)")
    assert "request_repr.method" in headers
    assert_clean(page)


# -- defect 4: a phone ---------------------------------------------------------------------------


def test_on_a_phone_every_nav_link_can_be_tapped(agent: Any) -> None:
    page = agent
    open_at(page, "/audit/", PHONE)
    links = page.locator(".nav-links a")
    names = links.all_inner_texts()
    assert names == ["Activity", "Logs", "Live tail"]
    for name in names:
        link = page.locator(".nav-links a", has_text=name)
        box = link.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        assert 0 <= x <= PHONE["width"] and 0 <= y <= PHONE["height"], f"{name} is off screen"
        hit = page.evaluate(
            "([x, y, name]) => { const e = document.elementFromPoint(x, y);"
            " return e !== null && e.closest('.nav-links a') !== null"
            " && e.closest('a').textContent === name; }",
            [x, y, name],
        )
        assert hit, f"{name} is covered at its centre"
    # And a real tap (Playwright checks the link receives it) goes there.
    for name, path in (
        ("Live tail", "/audit/tail/"),
        ("Logs", "/audit/logs/"),
        # Every trail's list: the test project keeps more trails than the admin's log.
        ("Activity", "/audit/activity/trails/"),
    ):
        page.locator(".nav-links a", has_text=name).click()
        page.wait_for_url(re.compile(f".*{re.escape(path)}$"))
    # The user menu is still there, beside the brand.
    assert page.locator(".user-menu summary").is_visible()
    assert_clean(page)


def test_on_a_phone_activity_results_come_first_and_filters_are_one_tap_away(
    agent: Any,
    desk: Any,  # noqa: F811 - the fixture imported above
) -> None:
    page = agent
    open_at(page, "/audit/activity/", PHONE)
    assert page.locator("#chart svg").count() == 1  # the lazy chart is in place above the table
    top = page.evaluate(FIRST_ROW_TOP.format(table="table.activity-table"))
    assert top < PHONE["height"], f"the first entry starts at {top:.0f} px"
    form = page.locator("#filters")
    assert not form.is_visible()
    # One tap shows the filters; they work, and keep their values through the swap.
    toggle = page.locator("summary", has_text="Filters")
    assert toggle.bounding_box()["y"] < PHONE["height"]
    toggle.click()
    assert form.is_visible()
    page.select_option("#id_action", "deletion")
    form.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*/audit/activity/\?action=deletion$"))
    page.wait_for_function(
        "document.querySelectorAll('table.activity-table tbody tr').length === 1"
    )
    settle(page)
    assert page.locator("#id_action").input_value() == "deletion"  # the form, swapped out of band
    # The facets are a lazy panel of their own, loaded after the results: wait for them.
    chosen = page.locator('#facets a[aria-current="true"]', has_text="Deletion")
    chosen.wait_for(state="attached")
    assert chosen.count() == 1
    assert form.is_visible(), "the disclosure stays open across the swap"
    toggle.click()
    assert not form.is_visible()
    assert page.evaluate(FIRST_ROW_TOP.format(table="table.activity-table")) < PHONE["height"]
    assert_clean(page)


def test_on_a_phone_a_log_page_starts_with_records(agent: Any, demo_sources: Path) -> None:
    page = agent
    open_at(page, "/audit/logs/django/", PHONE)
    top = page.evaluate(FIRST_ROW_TOP.format(table="table.log-table"))
    assert top < PHONE["height"], f"the first record starts at {top:.0f} px"
    # The records are read, not scrolled sideways: the message spans the screen.
    message = page.locator(".log-table td.message-cell").first.bounding_box()
    assert message["x"] >= 0 and message["x"] + message["width"] <= PHONE["width"]
    assert message["width"] >= MIN_MESSAGE_WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("summary", has_text="Filters").click()
    page.select_option("#log-filters select[name=level]", "ERROR")
    page.locator("#log-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*level=ERROR"))
    settle(page)
    levels = set(page.locator(".log-row td:not(.message-cell) > .badge").all_inner_texts())
    assert levels == {"ERROR"}
    assert page.locator("#log-filters select[name=level]").input_value() == "ERROR"
    assert_clean(page)


def test_on_a_phone_the_filters_work_without_javascript(
    chromium: Any, live_server: Any, support_user: Any, demo_sources: Path
) -> None:
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", support_user.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.goto("/audit/logs/django/")
    assert page.evaluate(FIRST_ROW_TOP.format(table="table.log-table")) < PHONE["height"]
    page.locator("summary", has_text="Filters").click()  # a native disclosure
    page.fill("#log-filters input[name=q]", "Traceback")
    page.locator("#log-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r".*q=Traceback"))
    assert page.locator(".log-row").count() > 0
    assert page.locator("#log-filters input[name=q]").input_value() == "Traceback"
    context.close()


# -- the desktop layout stays as it was ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/audit/activity/", "/audit/logs/api/"])
def test_on_a_desktop_the_filters_stay_beside_the_results(
    agent: Any,
    desk: Any,  # noqa: F811 - the fixture imported above
    demo_sources: Path,
    path: str,
) -> None:
    page = agent
    open_at(page, path, DESKTOP)
    form = page.locator("form.filter-form")
    results = page.locator(".results-column")
    assert form.is_visible(), "no tap needed on a desktop"
    assert not page.locator("summary", has_text="Filters").is_visible()
    form_box, results_box = form.bounding_box(), results.bounding_box()
    assert form_box["x"] + form_box["width"] < results_box["x"]  # beside, not above
    assert abs(form_box["y"] - results_box["y"]) < 5
    assert page.locator(".facets").first.is_visible()
    assert_clean(page)


def test_on_a_phone_an_entry_of_every_trail_keeps_its_badges_on_screen(
    login: Any, superuser: Any
) -> None:
    """Five trails' badges on one entry wrap within a phone's width (they ran off it)."""
    supplier = supplier_in_every_trail(superuser)
    page = login(superuser)
    page.add_init_script(WATCH)
    ct = ContentType.objects.get_for_model(supplier)
    open_at(page, reverse("auditconsole:object", args=[ct.pk, supplier.pk]), PHONE)
    badges = page.locator(".trail-badges .badge--trail")
    assert badges.count() == len(EVERY_TRAIL)
    for index in range(len(EVERY_TRAIL)):
        box = badges.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], index
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_clean(page)
