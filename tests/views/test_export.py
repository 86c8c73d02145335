"""CSV export over HTTP: the confirmation step, the streamed file, permissions, the audit trail."""

from __future__ import annotations

import datetime
import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse
from django.test import AsyncClient
from django.utils import timezone
from import_export import fields

from auditconsole.activity.search import ActivitySearch
from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.formulas import FORMULA_PREFIXES
from auditconsole.export.resources import LogEntryResource, LogRecordResource, StreamingResource
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from auditconsole.views.export import ActivityExportView, MergedExportView, SourceExportView
from project.demo.models import Customer, Invoice, Ticket
from tests.activity.entries import auditconsole_message, log
from tests.export.helpers import (
    FailingHandler,
    _no_time_budget,
    add_exports_handler,
    audit_log,
    exports_logger,
    json_handler,
    read_csv,
    records,
)
from tests.sources.helpers import FILE_SOURCE, app_line, write
from tests.views.helpers import answer

__all__ = ["_no_time_budget", "add_exports_handler", "audit_log", "exports_logger"]

ACTIVITY_EXPORT = "/audit/activity/export/"
ACTIVITY_CSV = "/audit/activity/export.csv"
HX = {"HTTP_HX_REQUEST": "true"}
FILENAME = re.compile(r'attachment; filename="(activity|logs-[\w-]+)-\d{4}-\d\d-\d\dT\d{4}Z\.csv"')


def download(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert isinstance(response, StreamingHttpResponse)
    return read_csv(response.streaming_content)


def export_records() -> list:
    return list(get_source("console").iter_records(Query(logger=LOGGER_NAME)))


@pytest.fixture(autouse=True)
def _one_big_page(settings):
    # The page shows every matching row at once, so its rows can be compared with the file.
    settings.AUDITCONSOLE_PAGE_SIZE = 1000


@pytest.fixture
def desk(superuser, support_user, make_user):
    now = timezone.now()
    alice, bob = make_user("alice"), make_user("bob")
    acme = Customer.objects.create(name="Acme Ltd", email="ops@acme.example")
    entries = []
    for n in range(24):
        model = (Customer, Ticket, Invoice)[n % 3]
        entries.append(
            log(
                (alice, bob, support_user)[n % 3],
                model,
                acme.pk if model is Customer else n % 4,
                (ADDITION, CHANGE, DELETION)[(n // 2) % 3],
                when=now - datetime.timedelta(hours=7 * n),
                name=f"{model.__name__} {n}",
                message=[{"changed": {"fields": ["Status"]}}] if n % 2 else "",
            )
        )
    # Rows of a model only superusers may see (support_user has no auth.view_user).
    log(
        superuser,
        ContentType.objects.get(app_label="auth", model="user"),
        alice.pk,
        CHANGE,
        name="alice",
    )
    return {"alice": alice, "bob": bob, "acme": acme, "entries": entries}


# -- the file holds exactly the page's rows --------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "action=change",
        "content_type=demo.ticket&action=deletion",
        "q=Invoice",
        "period=7d",
        "since=2020-01-01&until=2099-01-01",
        "object_id=2",
        "sort=user",
        "sort=-content_type",
        "sort=time",
    ],
)
@pytest.mark.parametrize("who", ["superuser", "support_user"])
def test_csv_rows_are_the_filtered_page_s_rows(desk, client_for, request, query, who):
    client = client_for(request.getfixturevalue(who))
    page = client.get(f"/audit/activity/?{query}")
    expected = [entry.pk for entry in page.context["page"].rows]
    rows = records(download(client, f"{ACTIVITY_CSV}?{query}"))
    assert [int(row["id"]) for row in rows] == expected
    assert expected


def test_user_page_rows(desk, client_for, superuser):
    client = client_for(superuser)
    alice = desk["alice"]
    page = client.get(f"/audit/user/{alice.pk}/?action=change")
    rows = records(download(client, f"{ACTIVITY_CSV}?user={alice.pk}&action=change"))
    assert [int(row["id"]) for row in rows] == [entry.pk for entry in page.context["page"].rows]
    assert {row["user"] for row in rows} == {"alice"}


def test_object_page_rows(desk, client_for, support_user):
    client = client_for(support_user)
    ct = ContentType.objects.get_for_model(Customer)
    page = client.get(f"/audit/object/{ct.pk}/{desk['acme'].pk}/")
    rows = records(
        download(client, f"{ACTIVITY_CSV}?content_type=demo.customer&object_id={desk['acme'].pk}")
    )
    assert [int(row["id"]) for row in rows] == [row.pk for row in page.context["rows"]]
    assert len(rows) == 8


def test_the_whole_result_not_only_the_visible_page(desk, client_for, superuser, settings):
    settings.AUDITCONSOLE_PAGE_SIZE = 5
    rows = records(
        download(client_for(superuser), f"{ACTIVITY_CSV}?after=2026-03-04T14:23:01.123456Z~5")
    )
    assert len(rows) == 25


def test_scoping_hides_other_models(desk, client_for, support_user):
    client = client_for(support_user)
    rows = records(download(client, ACTIVITY_CSV))
    assert len(rows) == 24
    assert "auth.user" not in {row["content_type"] for row in rows}
    # Naming the hidden model is a form error, not an export of everything else.
    response = client.get(f"{ACTIVITY_CSV}?content_type=auth.user")
    assert response.status_code == 400
    assert b"These filters cannot be applied" in response.content


def test_time_is_iso_8601_utc(desk, client_for, superuser):
    (row, *_) = records(download(client_for(superuser), ACTIVITY_CSV))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["time"])


# -- formula escaping and redaction -----------------------------------------------------------


def test_no_cell_can_run_as_a_formula(support_user, client_for):
    for n, prefix in enumerate(FORMULA_PREFIXES):
        log(
            support_user,
            Ticket,
            f"{prefix}{n}",
            name=f'{prefix}HYPERLINK("http://evil")',
            message=f"{prefix}cmd|' /C calc'!A0",
        )
    rows = download(client_for(support_user), ACTIVITY_CSV)
    cells = [cell for row in rows for cell in row]
    assert all(not cell or cell[0] not in FORMULA_PREFIXES for cell in cells)
    escaped = [cell for cell in cells if cell.startswith("'")]
    assert len(escaped) == 4 * len(FORMULA_PREFIXES)  # object id, name, change, raw message
    assert '\'@HYPERLINK("http://evil")' in cells
    assert "'\tcmd|' /C calc'!A0" in cells and "'\rcmd|' /C calc'!A0" in cells


def test_secrets_in_change_messages_are_masked(support_user, client_for):
    log(
        support_user,
        Customer,
        1,
        message=auditconsole_message(
            [{"field": "password", "label": "Password", "old": "hunter1", "new": "hunter2"}],
            note="token=abc123",
        ),
    )
    log(support_user, Customer, 2, message="Set Authorization: Bearer s3cr3t")
    body = json.dumps(download(client_for(support_user), ACTIVITY_CSV))
    for secret in ("hunter1", "hunter2", "abc123", "s3cr3t"):
        assert secret not in body


# -- log sources -----------------------------------------------------------------------------


@pytest.fixture
def logs(tmp_path: Path, settings, audit_log) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    write(directory / "app.log.1", [app_line(n) for n in range(40)])
    write(
        directory / "app.log",
        [app_line(n) for n in range(40, 70)]
        + [
            json.dumps(
                {
                    "time": "2026-04-04 13:00:00,000",
                    "level": "ERROR",
                    "name": "apps.api",
                    "message": "=cmd|' /C calc'!A0",
                    "password": "hunter2",
                    "seq": 70,
                    "request": {"headers": {"Authorization": "Bearer s3cr3t"}, "method": "-POST"},
                }
            ),
            "not json at all, token=abc123",
        ],
    )
    write(directory / "secret.log", [app_line(n) for n in range(3)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        **settings.AUDITCONSOLE_LOG_SOURCES,
        "app": {
            "BACKEND": FILE_SOURCE,
            "LABEL": "Application",
            "OPTIONS": {"path": str(directory / "app.log"), "columns": ["seq", "request.method"]},
        },
        "secret": {
            "BACKEND": FILE_SOURCE,
            "PERMISSION": "demo.delete_customer",
            "OPTIONS": {"path": str(directory / "secret.log")},
        },
        "broken": {"BACKEND": "no.such.Backend"},
    }
    return directory


@pytest.mark.parametrize(
    "query",
    [
        "",
        "level=ERROR",
        "q=event+1",
        "logger=apps.billing&field=seq!%3D3",
        "since=2026-04-04+12:00:30",
    ],
)
def test_log_csv_rows_are_the_browse_page_s(logs, client_for, support_user, query):
    client = client_for(support_user)
    page = client.get(f"/audit/logs/app/?{query}")
    expected = [(r.message, r.file) for r in page.context["page"].records]
    rows = records(download(client, f"/audit/logs/app/export.csv?{query}"))
    assert [(row["message"].removeprefix("'"), row["file"]) for row in rows] == expected
    assert expected


def test_log_csv_columns_escaping_and_redaction(logs, client_for, support_user):
    rows = download(client_for(support_user), "/audit/logs/app/export.csv")
    assert rows[0] == [
        "time",
        "level",
        "logger",
        "message",
        "source",
        "file",
        "seq",
        "request.method",
    ]
    malformed, first = records(rows)[:2]
    assert malformed["message"] == "not json at all, token=********"
    assert first["message"] == "'=cmd|' /C calc'!A0"
    assert first["request.method"] == "'-POST"
    assert first["time"] == "2026-04-04T13:00:00.000Z"
    body = json.dumps(rows)
    assert "hunter2" not in body and "s3cr3t" not in body and "abc123" not in body
    assert all(not cell or cell[0] not in FORMULA_PREFIXES for row in rows for cell in row)


def test_merged_export(logs, client_for, superuser):
    client = client_for(superuser)
    page = client.get("/audit/logs/merged/?sources=app&sources=console&level=ERROR")
    expected = [(r.source, r.message) for r in page.context["page"].records]
    rows = records(
        download(client, "/audit/logs/merged/export.csv?sources=app&sources=console&level=ERROR")
    )
    assert [(row["source"], row["message"].removeprefix("'")) for row in rows] == expected
    confirm = client.get("/audit/logs/merged/export/?sources=app&sources=console&level=ERROR")
    assert (
        b'href="/audit/logs/merged/export.csv?sources=app&amp;sources=console&amp;level=ERROR"'
        in confirm.content
    )


def test_log_export_confirmation(logs, client_for, support_user):
    response = client_for(support_user).get("/audit/logs/app/export/?level=ERROR&cursor=junk")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<dt>Minimum level</dt><dd>Error</dd>" in content
    assert "<strong>18</strong> rows will be exported." in content
    assert 'href="/audit/logs/app/export.csv?level=ERROR"' in content
    assert "<code>request.method</code>" in content


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        ACTIVITY_EXPORT,
        ACTIVITY_CSV,
        "/audit/logs/app/export/",
        "/audit/logs/app/export.csv",
        "/audit/logs/merged/export/?sources=app",
        "/audit/user/1/exports/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(logs, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    [
        ACTIVITY_EXPORT,
        ACTIVITY_CSV,
        "/audit/logs/app/export/",
        "/audit/logs/app/export.csv",
        "/audit/logs/merged/export.csv?sources=app",
    ],
)
def test_without_the_export_permission(logs, client_for, viewer_user, staff_user, url):
    assert client_for(viewer_user).get(url).status_code == 403
    assert client_for(staff_user).get(url).status_code == 403


def test_export_permission_without_the_page_s(logs, client_for, make_user):
    activity_only = make_user("a", console_perms=("view_activity", "export"))
    logs_only = make_user("l", console_perms=("view_logs", "export"))
    assert client_for(activity_only).get("/audit/logs/app/export.csv").status_code == 403
    assert client_for(logs_only).get(ACTIVITY_CSV).status_code == 403
    assert client_for(activity_only).get(ACTIVITY_CSV).status_code == 200
    assert client_for(logs_only).get("/audit/logs/app/export.csv").status_code == 200


@pytest.mark.parametrize("key", ["secret", "nope", "broken"])
def test_sources_one_may_not_see_do_not_exist(logs, client_for, support_user, key):
    client = client_for(support_user)
    assert client.get(f"/audit/logs/{key}/export/").status_code == 404
    assert client.get(f"/audit/logs/{key}/export.csv").status_code == 404
    assert client.get(f"/audit/logs/merged/export.csv?sources=app&sources={key}").status_code == 404
    assert client.get("/audit/logs/merged/export.csv").status_code == 404


def test_nothing_is_recorded_for_a_refusal(logs, client_for, viewer_user):
    client_for(viewer_user).get(ACTIVITY_CSV)
    assert export_records() == []


# -- the response ----------------------------------------------------------------------------


def test_a_streamed_attachment(desk, client_for, superuser):
    response = client_for(superuser).get(f"{ACTIVITY_CSV}?action=change")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert FILENAME.fullmatch(response["Content-Disposition"])
    assert response["Content-Disposition"].startswith('attachment; filename="activity-')
    assert response["Cache-Control"] == "no-store"
    b"".join(response.streaming_content)


def test_log_file_name_names_the_source(logs, client_for, support_user):
    response = client_for(support_user).get("/audit/logs/app/export.csv")
    assert FILENAME.fullmatch(response["Content-Disposition"])
    assert 'filename="logs-app-' in response["Content-Disposition"]
    b"".join(response.streaming_content)


def test_asgi_streams_asynchronously(desk, superuser):
    client = AsyncClient()
    client.force_login(superuser)

    async def fetch():
        response = await client.get(ACTIVITY_CSV)
        chunks = [chunk async for chunk in response.streaming_content]
        return response, chunks

    response, chunks = async_to_sync(fetch)()
    assert response.is_async
    assert len(read_csv(chunks)) == 26


# -- the audit record ------------------------------------------------------------------------


def test_each_download_is_recorded(desk, client_for, support_user, audit_log):
    rows = download(client_for(support_user), f"{ACTIVITY_CSV}?action=change&q=&page=4&utm=x")
    (record,) = export_records()
    data = record.data
    assert record.message == f"agent exported {len(rows) - 1} activity rows"
    assert (data["user_id"], data["username"], data["view"], data["via"]) == (
        support_user.pk,
        "agent",
        "activity",
        "web",
    )
    assert data["params"] == {"action": ["change"]}
    assert (data["rows"], data["capped"], data["completed"], data["max_rows"]) == (
        len(rows) - 1,
        False,
        True,
        1_000_000,
    )
    assert re.fullmatch(r"activity-.*Z\.csv", data["export_file"])
    assert data["source_key"] is None


def test_an_interrupted_download_is_recorded_as_such(logs, client_for, support_user):
    response = client_for(support_user).get("/audit/logs/app/export.csv")
    iterator = iter(response.streaming_content)
    next(iterator)
    response.close()  # what the server does when the browser goes away
    (record,) = export_records()
    assert record.data["completed"] is False
    assert record.data["source_key"] == "app"
    assert "interrupted" in record.message


def test_the_console_writes_no_log_entry_for_an_export(desk, client_for, support_user):
    from django.contrib.admin.models import LogEntry

    before = LogEntry.objects.count()
    download(client_for(support_user), ACTIVITY_CSV)
    assert LogEntry.objects.count() == before


# -- the cap -------------------------------------------------------------------------------


def test_the_cap_is_announced_before_the_download(
    desk, client_for, support_user, settings, audit_log
):
    settings.AUDITCONSOLE_EXPORT_MAX_ROWS = 5
    client = client_for(support_user)
    content = client.get(f"{ACTIVITY_EXPORT}?action=change").content.decode()
    assert "More than 5 rows match" in content
    assert "the file will stop at 5 rows" in content
    assert (
        "manage.py auditconsole_export activity --action change --as-user agent --output activity-"
        in content
    )
    rows = download(client, f"{ACTIVITY_CSV}?action=change")
    assert len(rows) == 1 + 5
    (record,) = export_records()
    assert (record.data["rows"], record.data["capped"], record.data["max_rows"]) == (5, True, 5)
    assert "stopped at the cap of 5" in record.message


def test_log_cap_announcement(logs, client_for, support_user, settings):
    settings.AUDITCONSOLE_EXPORT_MAX_ROWS = 10
    content = client_for(support_user).get("/audit/logs/app/export/").content.decode()
    assert "More than 10 rows match: the file will stop at 10 rows." in content
    assert "auditconsole_export source app --as-user agent" in content


def test_log_count_stopped_by_the_budget(logs, client_for, support_user, settings):
    write(logs / "app.log.2", [app_line(n, pad="x" * 200) for n in range(1000)])
    settings.AUDITCONSOLE_SCAN_BUDGET_BYTES = 1
    content = client_for(support_user).get("/audit/logs/app/export/").content.decode()
    assert "At least <strong>" in content
    assert "counting stopped early" in content


# -- the confirmation page --------------------------------------------------------------------


def test_confirmation_page(desk, client_for, support_user):
    response = client_for(support_user).get(
        f"{ACTIVITY_EXPORT}?action=deletion&content_type=demo.ticket&after=x"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<dt>Action</dt><dd>Deletion</dd>" in content
    assert "<dt>Model</dt><dd>Demo support desk | ticket</dd>" in content
    assert re.search(r"<strong>\d+</strong> rows? will be exported", content)
    assert (
        'href="/audit/activity/export.csv?action=deletion&amp;content_type=demo.ticket"' in content
    )
    # The file is named by Content-Disposition; a ``download`` attribute would make the
    # browser swallow a refusal page as a failed download (defect 6 of issue 12).
    assert "Download activity-" in content
    assert "download=" not in content
    assert 'href="/audit/activity/?action=deletion&amp;content_type=demo.ticket"' in content
    assert "<code>change_message</code>" in content


def test_confirmation_without_filters_or_rows(client_for, support_user):
    content = client_for(support_user).get(ACTIVITY_EXPORT).content.decode()
    assert "None: every entry you may see." in content
    assert "No rows match: the file will hold the column headers only." in content


def test_confirmation_with_bad_filters(desk, client_for, support_user):
    response = client_for(support_user).get(f"{ACTIVITY_EXPORT}?since=2026-02-30")
    content = response.content.decode()
    assert response.status_code == 200
    assert "These filters cannot be applied" in content
    assert "From:" in content
    assert "export.csv" not in content
    assert client_for(support_user).get(f"{ACTIVITY_CSV}?since=2026-02-30").status_code == 400


# -- the Export CSV button on the pages --------------------------------------------------------


def test_activity_page_button_carries_the_filters(desk, client_for, support_user, viewer_user):
    content = (
        client_for(support_user)
        .get("/audit/activity/?action=change&after=2026-03-04T14:23:01.123456Z~5")
        .content.decode()
    )
    assert (
        '<a id="export-action" class="btn" href="/audit/activity/export/?action=change">Export CSV</a>'
        in content
    )
    assert (
        'id="export-action"' not in client_for(viewer_user).get("/audit/activity/").content.decode()
    )


def test_htmx_swaps_refresh_the_button_out_of_band(desk, client_for, support_user):
    content = (
        client_for(support_user).get("/audit/activity/?action=deletion", **HX).content.decode()
    )
    assert (
        'id="export-action" class="btn" href="/audit/activity/export/?action=deletion" hx-swap-oob="true"'
        in content
    )


def test_user_page_button(desk, client_for, support_user):
    alice = desk["alice"]
    content = (
        client_for(support_user).get(f"/audit/user/{alice.pk}/?action=change").content.decode()
    )
    assert f'href="/audit/activity/export/?action=change&amp;user={alice.pk}"' in content
    assert f'hx-get="/audit/user/{alice.pk}/exports/"' in content


def test_object_page_button(desk, client_for, support_user, settings):
    # The admin's log alone: the LogEntry export (tests/trails/test_export.py has the
    # merged one, for a viewer who sees other trails).
    settings.AUDITCONSOLE_TRAILS = {
        "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"}
    }
    ct = ContentType.objects.get_for_model(Customer)
    content = (
        client_for(support_user).get(f"/audit/object/{ct.pk}/{desk['acme'].pk}/").content.decode()
    )
    query = f"content_type=demo.customer&amp;object_id={desk['acme'].pk}"
    assert f'href="/audit/activity/export/?{query}"' in content
    assert f'href="/audit/activity/?{query}">In the activity list' in content


def test_log_page_buttons(logs, client_for, support_user, viewer_user):
    client = client_for(support_user)
    content = client.get("/audit/logs/app/?level=ERROR&cursor=abc").content.decode()
    assert (
        '<a id="export-action" class="btn" href="/audit/logs/app/export/?level=ERROR">Export CSV</a>'
        in content
    )
    fragment = client.get("/audit/logs/app/?level=WARNING", **HX).content.decode()
    assert 'href="/audit/logs/app/export/?level=WARNING" hx-swap-oob="true"' in fragment
    merged = client.get("/audit/logs/merged/?sources=app&sources=console").content.decode()
    assert 'href="/audit/logs/merged/export/?sources=app&amp;sources=console"' in merged
    assert (
        'id="export-action"' not in client_for(viewer_user).get("/audit/logs/app/").content.decode()
    )


# -- "Exports by this user" ------------------------------------------------------------------


def test_user_page_lists_their_exports(desk, client_for, support_user, logs):
    client = client_for(support_user)
    download(client, f"{ACTIVITY_CSV}?action=change")
    download(client, "/audit/logs/app/export.csv?level=ERROR")
    fragment = client.get(f"/audit/user/{support_user.pk}/exports/", **HX).content.decode()
    assert fragment.count("<tr>") == 1 + 2
    assert '<span class="mono">level=ERROR</span>' in fragment
    assert '<span class="mono">action=change</span>' in fragment
    assert 'logs <span class="mono">app</span>' in fragment
    assert (
        f"/audit/logs/console/?logger=auditconsole.exports&amp;field=user_id%3D{support_user.pk}"
        in fragment
    )
    page = client.get(f"/audit/user/{support_user.pk}/exports/").content.decode()
    assert "<!doctype html>" in page and "Exports by this user" in page
    other = client.get(f"/audit/user/{desk['alice'].pk}/exports/", **HX).content.decode()
    assert "No exports recorded." in other


def test_user_exports_when_not_configured_or_not_allowed(
    desk, client_for, support_user, make_user, settings
):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    content = (
        client_for(support_user)
        .get(f"/audit/user/{support_user.pk}/exports/", **HX)
        .content.decode()
    )
    assert "no log source is set to hold the export records" in content
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "gone"
    content = (
        client_for(support_user)
        .get(f"/audit/user/{support_user.pk}/exports/", **HX)
        .content.decode()
    )
    assert "the log source “gone” that should hold the export records is not configured" in content
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    reader = make_user("reader", console_perms=("view_activity",))
    content = (
        client_for(reader).get(f"/audit/user/{support_user.pk}/exports/", **HX).content.decode()
    )
    assert "recorded in a log you may not see" in content
    assert client_for(reader).get("/audit/user/999999/exports/").status_code == 404


def test_head_requests_read_and_record_nothing(desk, client_for, superuser, audit_log):
    response = client_for(superuser).head(ACTIVITY_CSV)
    assert response.status_code == 200
    assert not isinstance(response, StreamingHttpResponse)
    assert FILENAME.fullmatch(response["Content-Disposition"])
    assert export_records() == []


# -- an export whose record cannot be written (NIST SP 800-53 AU-5) ------------------------------


def emit_raises(exports_logger, add_handler, tmp_path):
    add_handler(FailingHandler())


def stream_closed(exports_logger, add_handler, tmp_path):
    add_handler(json_handler(tmp_path / "exports.log")).stream.close()


def directory_removed(exports_logger, add_handler, tmp_path):
    (tmp_path / "gone").mkdir()
    add_handler(json_handler(tmp_path / "gone" / "exports.log"))
    shutil.rmtree(tmp_path / "gone")


def no_handler(exports_logger, add_handler, tmp_path):
    # In the test's body: pytest hangs its capturing handler on the loggers that do not
    # propagate when the test starts, not on those that stop propagating later.
    exports_logger.propagate = False
    exports_logger.handlers[:] = []


def level_above_info(exports_logger, add_handler, tmp_path):
    exports_logger.setLevel(logging.WARNING)


@pytest.mark.parametrize(
    "breakage", [emit_raises, stream_closed, directory_removed, no_handler, level_above_info]
)
@pytest.mark.parametrize("url", [f"{ACTIVITY_CSV}?action=change", "/audit/logs/app/export.csv"])
def test_an_export_that_cannot_be_recorded_is_refused(
    desk,
    logs,
    client_for,
    support_user,
    exports_logger,
    add_exports_handler,
    tmp_path,
    breakage,
    url,
):
    breakage(exports_logger, add_exports_handler, tmp_path)
    response = client_for(support_user).get(url)
    assert response.status_code == 503
    assert not isinstance(response, StreamingHttpResponse)
    assert "Content-Disposition" not in response
    content = response.content.decode()
    assert '<main id="main" class="site-main">' in content  # the console's own layout
    assert "The export was refused: its record could not be written to the console's log." in (
        content
    )
    assert "nothing was downloaded" in content
    assert export_records() == []


def test_the_confirmation_page_says_unrecorded_exports_are_refused(
    desk, client_for, support_user, settings
):
    notice = "If the record cannot be written, the export is refused."
    client = client_for(support_user)
    content = client.get(ACTIVITY_EXPORT).content.decode()
    assert notice in content
    assert "The export was refused" not in content
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    assert notice not in client.get(ACTIVITY_EXPORT).content.decode()


def test_without_the_requirement_an_unrecorded_export_goes_ahead(
    desk, client_for, support_user, settings, add_exports_handler, caplog, capsys
):
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    add_exports_handler(FailingHandler())
    rows = download(client_for(support_user), ACTIVITY_CSV)
    assert len(rows) == 1 + 24
    assert "--- Logging error ---" in capsys.readouterr().err
    reports = [r.getMessage() for r in caplog.records if r.name == "auditconsole.export.audit"]
    assert len(reports) == 2  # the start and the end
    assert all("AUDITCONSOLE_EXPORT_REQUIRE_RECORD is off" in report for report in reports)


def test_a_record_that_fails_at_the_end_cuts_the_download_short(
    desk, client_for, support_user, add_exports_handler, tmp_path
):
    from auditconsole.export.audit import ExportNotRecorded

    (tmp_path / "log").mkdir()
    add_exports_handler(json_handler(tmp_path / "log" / "exports.log"))
    response = client_for(support_user).get(ACTIVITY_CSV)
    assert isinstance(response, StreamingHttpResponse)
    shutil.rmtree(tmp_path / "log")
    with pytest.raises(ExportNotRecorded, match="was deleted after it was opened"):
        b"".join(response.streaming_content)


# -- hooks for sites that extend the console -------------------------------------------------


class TaggedRecords(LogRecordResource):
    """A site's own column."""

    tag = fields.Field(column_name="tag")

    def dehydrate_tag(self, row: Any) -> str:
        return "site"


class TaggedEntries(LogEntryResource):
    tag = fields.Field(column_name="tag")

    def dehydrate_tag(self, row: Any) -> str:
        return "site"


class TaggedSourceExport(SourceExportView):
    def get_resource_class(self) -> type[StreamingResource]:
        return TaggedRecords


class TaggedMergedExport(MergedExportView):
    def get_resource_class(self) -> type[StreamingResource]:
        return TaggedRecords


class TaggedActivityExport(ActivityExportView):
    def get_resource_class(self) -> type[StreamingResource]:
        return TaggedEntries


class DeletionsOnly(ActivitySearch):
    """A site's own search: only deletions, whatever the filters say."""

    def queryset_without(self, names: Any = ()) -> Any:
        return super().queryset_without(names).filter(action_flag=DELETION)


class DeletionsExport(ActivityExportView):
    def get_search_class(self) -> type[ActivitySearch]:
        return DeletionsOnly


@pytest.mark.parametrize(
    ("view", "plain", "path", "kwargs"),
    [
        (TaggedSourceExport, SourceExportView, "/audit/logs/app/export", {"key": "app"}),
        (TaggedMergedExport, MergedExportView, "/audit/logs/merged/export", {}),
        (TaggedActivityExport, ActivityExportView, "/audit/activity/export", {}),
    ],
)
def test_get_resource_class_writes_the_file(
    logs, desk, rf, support_user, view, plain, path, kwargs
):
    query = "?sources=app&sources=console" if "merged" in path else ""
    confirm = answer(view.as_view(), rf, support_user, f"{path}/{query}", **kwargs)
    assert "<code>tag</code>" in confirm.content.decode()
    response = answer(view.as_view(csv=True), rf, support_user, f"{path}.csv{query}", **kwargs)
    rows = records(read_csv(response.streaming_content))
    assert rows and {row["tag"] for row in rows} == {"site"}
    # Without the hook, the console's own columns.
    untouched = answer(plain.as_view(), rf, support_user, f"{path}/{query}", **kwargs)
    assert "<code>tag</code>" not in untouched.content.decode()


def test_get_search_class_is_the_search_an_activity_export_runs(desk, rf, support_user, audit_log):
    response = answer(DeletionsExport.as_view(csv=True), rf, support_user, ACTIVITY_CSV)
    rows = records(read_csv(response.streaming_content))
    assert rows and {row["action"] for row in rows} == {"deletion"}
    everything = answer(ActivityExportView.as_view(csv=True), rf, support_user, ACTIVITY_CSV)
    assert len(records(read_csv(everything.streaming_content))) > len(rows)
