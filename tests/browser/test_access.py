"""The console's reads on record, in real Chromium: a tail is one record however long it
polls, a search through the htmx filter form is one record, and "Recent searches" shows it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditconsole.access.record import LOGGER_NAME
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import json_handler
from tests.sources.helpers import app_line, append, config, write

pytestmark = pytest.mark.browser


@pytest.fixture
def console(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.2
    app = write(tmp_path / "app.log", [app_line(i) for i in range(3)])
    log_file = tmp_path / "console.log"
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "app": config(app, LABEL="Application"),
        "console": config(log_file, LABEL="This console"),
    }
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    handler = json_handler(log_file)
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield app
    logger.removeHandler(handler)
    handler.close()


def recorded() -> list[tuple[str, dict, bool]]:
    found = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    return [
        (r.data["url_name"], r.data["filters"], r.data["fragment"])
        for r in found
        if r.logger == LOGGER_NAME
    ][::-1]


def test_one_record_per_view_not_per_poll(login, superuser, console: Path) -> None:
    page = login(superuser)
    page.goto("/audit/tail/app/")
    # Lines appended one by one, each shown by a poll: many polls, one tail start.
    for n in range(3, 8):
        append(console, app_line(n))
        page.wait_for_function(
            """n => Array.from(document.querySelectorAll('#tail-lines .tail-message'))
                     .some(node => node.textContent.endsWith('event ' + n))""",
            arg=n,
        )
    assert [name for name, _, _ in recorded()].count("tail") == 1

    # A search through the filter form: swapped in by htmx, recorded once, as a fragment.
    page.goto("/audit/activity/")
    page.evaluate("window.__stillHere = true")
    page.fill("#filters input[name=q]", "needle")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*q=needle"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__stillHere") is True, "the page was reloaded, not swapped"
    searches = [entry for entry in recorded() if entry[0] == "activity"]
    assert searches == [("activity", {}, False), ("activity", {"q": ["needle"]}, True)]

    # Who checks the checkers sees it on the user's page.
    page.goto(f"/audit/user/{superuser.pk}/")
    panel = page.locator("#searches")
    panel.get_by_role("heading", name="Recent searches").wait_for()
    assert "q=needle" in panel.inner_text()
    assert page.console_errors == []
