from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_support_agent_sees_the_layout_and_is_refused_by_the_admin(login, support_user) -> None:
    page = login(support_user)
    nav = page.locator("nav.site-nav")
    for label in ("Activity", "Logs", "Live tail"):
        assert nav.get_by_role("link", name=label).is_visible()
    assert page.locator("summary").filter(has_text=support_user.username).is_visible()
    # htmx is served locally and loaded.
    assert page.evaluate("typeof window.htmx") == "object"

    page.goto("/admin/")
    # The admin bounces a console-only agent to its own login page with a refusal.
    assert re.search(r"/admin/login/", page.url)
    assert page.get_by_text("not authorized to access this page").is_visible()
    assert page.console_errors == []


def test_staff_without_console_permission_gets_403(browser_page, staff_user) -> None:
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("input[name=username]", staff_user.username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    response = page.goto("/audit/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You don’t have access to this page").is_visible()


def test_layout_fits_a_phone(browser_page, login, support_user) -> None:
    page = login(support_user)
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no horizontal scrolling on a phone"


def test_theme_toggle_switches_to_dark_and_persists(login, support_user) -> None:
    page = login(support_user)
    page.locator("summary").filter(has_text=support_user.username).click()
    page.get_by_role("button", name="Toggle dark theme").click()
    first = page.evaluate("document.documentElement.dataset.theme")
    assert first in {"dark", "light"}
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == first
