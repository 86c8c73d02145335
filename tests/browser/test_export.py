"""Export in real Chromium: the button follows htmx filter changes; confirm, then download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, DELETION

from project.demo.models import Customer, Ticket
from tests.activity.entries import log
from tests.export.helpers import FailingHandler, add_exports_handler, exports_logger

__all__ = ["add_exports_handler", "exports_logger"]

pytestmark = pytest.mark.browser


def test_filter_then_export_the_same_rows(login, support_user, tmp_path) -> None:
    for n in range(3):
        log(support_user, Customer, n, CHANGE, name=f"=Customer {n}")
    log(support_user, Ticket, 41, DELETION, name="#41 Printer on fire")
    page = login(support_user)
    page.goto("/audit/activity/")
    button = page.locator("#export-action")
    assert button.get_attribute("href") == "/audit/activity/export/"

    page.evaluate("window.__stillHere = true")
    page.select_option("#id_action", "deletion")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*\?action=deletion$"))
    # The swap replaced the results; the button was refreshed out of band, no reload.
    page.wait_for_function(
        "document.querySelector('#export-action').getAttribute('href').endsWith('?action=deletion')"
    )
    assert page.evaluate("window.__stillHere") is True

    button.click()
    page.wait_for_url(re.compile(r".*/audit/activity/export/\?action=deletion$"))
    assert "1 row will be exported" in page.inner_text(".export-count")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download activity-.*\.csv$")).click()
    download = info.value
    assert re.fullmatch(r"activity-\d{4}-\d\d-\d\dT\d{4}Z\.csv", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    assert [row[6] for row in rows[1:]] == ["#41 Printer on fire"]
    assert page.console_errors == []


def test_a_refused_export_opens_as_a_page_not_a_failed_download(
    login, support_user, add_exports_handler
) -> None:
    # With a ``download`` attribute on the link, Chromium saved the 503 as a failed download
    # and the user stayed on the confirmation page, never told why (issue 12, defect 6).
    log(support_user, Customer, 1, CHANGE)
    add_exports_handler(FailingHandler())
    page = login(support_user)
    page.goto("/audit/activity/export/")
    page.get_by_role("link", name=re.compile(r"^Download activity-.*\.csv$")).click()
    page.wait_for_url(re.compile(r".*/audit/activity/export\.csv$"))
    assert "The export was refused" in page.inner_text("main")
    assert [e for e in page.console_errors if "503" not in e] == []
