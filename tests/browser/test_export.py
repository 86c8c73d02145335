"""Export in real Chromium: the button follows htmx filter changes; confirm, then download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, DELETION

from project.demo.models import Customer, Ticket
from tests.activity.entries import log

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
