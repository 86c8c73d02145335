"""The strict Content-Security-Policy holds on every page, before and after htmx swaps.

Every console URL is walked (the list comes from the URLconf, as for the permission
matrix, so a new page is checked the day it is added) in real Chromium, and any CSP
violation fails the test: the browser's ``securitypolicyviolation`` events are collected
by a script injected before the page's own, and its console errors by the fixture. htmx
swaps are exercised on the activity list, a log source and the live tail, since a
violation may only appear when a fragment is inserted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.conftest import WATCH, settle, violations
from tests.security.conftest import _no_time_budget, samples, world  # noqa: F401 - fixtures
from tests.security.console_urls import console_urls
from tests.sources.helpers import stamp

pytestmark = pytest.mark.browser

PAGES = [url for url in console_urls() if not url.is_csv]  # a CSV file has no policy to break


@pytest.fixture
def watched(login: Any, world: Any) -> Any:  # noqa: F811 - the fixture imported above
    page = login(world.users["superuser"])
    page.add_init_script(WATCH)
    return page


def test_every_page_honours_the_policy(watched: Any, samples: Any) -> None:  # noqa: F811
    page = watched
    problems = []
    paths = [samples.path_for(url) for url in PAGES] + [
        reverse("auditconsole:source", args=["nosuch"]),  # the 404 page
        "/accounts/login/",
    ]
    for path in paths:
        response = page.goto(path)
        settle(page)
        policy = response.headers.get("content-security-policy", "")
        if (
            "unsafe-inline" in policy
            or "unsafe-eval" in policy
            or "script-src 'self'" not in policy
        ):
            problems.append(f"{path}: policy {policy!r}")
        problems.extend(f"{path}: {v}" for v in violations(page))
    assert not problems, "\n".join(problems)
    assert page.console_errors == [] or all("404" in e for e in page.console_errors), (
        page.console_errors
    )


def test_activity_swaps_honour_the_policy(watched: Any) -> None:
    page = watched
    page.goto(reverse("auditconsole:activity"))
    settle(page)
    page.evaluate("window.__stillHere = true")
    page.select_option("#id_action", "change")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*action=change"))
    settle(page)
    page.locator("#facets a").first.click()  # a facet link swaps the table too
    settle(page)
    assert page.evaluate("window.__stillHere") is True, "the page was reloaded, not swapped"
    assert violations(page) == []
    assert page.console_errors == []


def test_log_browse_swaps_honour_the_policy(watched: Any, world: Any) -> None:  # noqa: F811
    page = watched
    page.goto(reverse("auditconsole:source", args=["app"]))
    settle(page)
    page.evaluate("window.__stillHere = true")
    page.fill("#log-filters input[name=q]", "event 3")
    page.locator("#log-filters button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*q=event"))
    settle(page)
    assert page.locator(".log-row").count() > 0
    assert page.evaluate("window.__stillHere") is True
    assert violations(page) == []
    assert page.console_errors == []
    # The volume chart arrives with the counts; a bar narrows the range, swapping the
    # results and the form again (htmx once settled the form's style attributes here).
    bar = page.locator("#log-chart svg a rect").first
    bar.wait_for()
    # Click once htmx has taken the link over: a click in the few milliseconds between
    # the chart's arrival and htmx processing it is an ordinary link (a whole page load,
    # which works, but is not the swap this test watches).
    page.wait_for_function(
        "() => { const a = document.querySelector('#log-chart svg a');"
        " return !!(a && a['htmx-internal-data'] && a['htmx-internal-data'].initHash); }"
    )
    bar.click(force=True)
    page.wait_for_url(re.compile(r".*since=.*until="))
    settle(page)
    page.locator("#log-chart svg").wait_for()
    assert page.evaluate("window.__stillHere") is True
    assert violations(page) == []
    assert page.console_errors == []


def test_tail_swaps_honour_the_policy(watched: Any, world: Any, settings: Any) -> None:  # noqa: F811
    if "tail" not in {url.name for url in console_urls()}:
        pytest.skip("the live tail is not mounted")
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.2
    page = watched
    page.goto(reverse("auditconsole:tail", args=["app"]))
    settle(page)
    with (world.logs / "app.log").open("a") as handle:
        handle.write(
            json.dumps({"time": stamp(99), "level": "ERROR", "message": "SWAPPED-IN <b>x</b>"})
            + "\n"
        )
    page.locator(".tail-line", has_text="SWAPPED-IN").wait_for()
    page.fill("#tail-filters input[name=q]", "SWAPPED")  # the filter form re-renders the view
    page.locator(".tail-line", has_text="SWAPPED-IN").first.wait_for()
    settle(page)
    assert page.locator("#tail-lines b").count() == 0, "a payload became markup"
    assert violations(page) == []
    assert page.console_errors == []


def test_an_htmx_post_carries_the_csrf_token(watched: Any) -> None:
    """console.js adds X-CSRFToken to htmx's non-GET requests: a POST (the logout) works."""
    page = watched
    page.goto(reverse("auditconsole:index"))
    settle(page)
    status = page.evaluate(
        """() => new Promise((resolve) => {
             document.body.addEventListener("htmx:afterRequest",
               (e) => resolve(e.detail.xhr.status), {once: true});
             htmx.ajax("POST", "/accounts/logout/", {target: "#main", swap: "none"});
           })"""
    )
    assert status == 200  # the redirect to the login page, followed: not a 403
    page.goto(reverse("auditconsole:index"))
    assert "/accounts/login/" in page.url


def test_the_watch_sees_a_violation(watched: Any) -> None:
    """Not vacuous: markup that breaks the policy is reported (and blocked)."""
    page = watched
    page.goto(reverse("auditconsole:index"))
    settle(page)
    page.evaluate(
        """() => { document.querySelector("main").insertAdjacentHTML(
             "beforeend", '<p style="color: red">x</p><img src="https://evil.example/x.png">'); }"""
    )
    page.wait_for_function("() => window.__csp.length >= 2")
    found = " ".join(violations(page))
    assert "style-src" in found and "img-src" in found


def test_a_tail_whose_session_ended_goes_to_the_login_page(watched: Any, settings: Any) -> None:
    """Logged out in another tab: the next poll loads the login page, not swaps it in."""
    if "tail" not in {url.name for url in console_urls()}:
        pytest.skip("the live tail is not mounted")
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.2
    page = watched
    page.goto(reverse("auditconsole:tail", args=["app"]))
    settle(page)
    page.context.clear_cookies()
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/audit/tail/app/"))
    assert page.locator("input[name=password]").count() == 1
