"""The console's pages over a ClickHouse source, on the real engine (chdb): the same
pages as for files; an unreachable or broken store as a message and a 503, never a 500."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from django.http import StreamingHttpResponse

from auditconsole.sources.clickhouse import store
from tests.export.helpers import audit_log, read_csv
from tests.sources.clickhouse import data
from tests.sources.helpers import FILE_SOURCE, app_line, write

HX = {"HTTP_HX_REQUEST": "true"}
__all__ = ["audit_log"]  # the fixture, for the export test


@pytest.fixture
def sources(ch_sources, settings, tmp_path) -> dict[str, Any]:
    path = write(tmp_path / "app.log", [app_line(n) for n in range(5)])
    return ch_sources(
        app={"BACKEND": FILE_SOURCE, "LABEL": "App files", "OPTIONS": {"path": str(path)}},
        secret=data.config(
            "chdb:///unused", "otel_logs", "otel", label="Secret store", PERMISSION="auth.view_user"
        ),
        down=data.config(
            "http://reader:pa55word@127.0.0.1:9/logs", "otel_logs", "otel", label="Down"
        ),
    )


def body(response: Any) -> str:
    return response.content.decode()


def test_sources_page_lists_the_store_and_masks_the_dsn(client_for, superuser, sources):
    page = body(client_for(superuser).get("/audit/logs/"))
    assert "All hosts" in page and "otel_logs" in page
    assert "Down" in page and "cannot be reached" in page
    assert "pa55word" not in page and "reader:********@127.0.0.1:9" in page


def test_browse_page_filters_and_loads_its_facets_apart(client_for, superuser, sources):
    client = client_for(superuser)
    page = body(client.get("/audit/logs/cluster/?level=WARNING&field=host%3Dhost-07"))
    assert "host-07" in page  # the records, at once ...
    facets_url = "/audit/logs/cluster/facets/?level=WARNING&amp;field=host%3Dhost-07"
    assert f'hx-get="{facets_url}" hx-trigger="load"' in page  # ... the counts apart
    assert f'href="{facets_url}"' in page  # and without JavaScript, a link to them
    counts = client.get(facets_url.replace("&amp;", "&"), **HX)
    assert counts.status_code == 200 and "<html" not in body(counts)
    assert "Counted over every matching record, with the other filters" in body(counts)
    assert re.search(r'<h3 id="facet-host">Host</h3>', body(counts))
    assert "host-07" in body(counts) and "host-08" not in body(counts)
    # The volume chart, counted by the engine, swapped in beside the counts.
    assert '<div id="log-chart" class="log-chart" hx-swap-oob="true">' in body(counts)
    assert '<figure class="chart panel">' in body(counts) and "<svg" in body(counts)
    links = re.findall(r'href="([^"]+)"', body(counts))
    assert all(link.startswith("/audit/logs/cluster/?") for link in links)
    whole = client.get("/audit/logs/cluster/facets/?level=ERROR")
    assert "<html" in body(whole) and "field=host%3Dhost-" in body(whole)
    files = client.get("/audit/logs/app/facets/", **HX)  # files count their whole range too
    assert "Counted over every matching record" in body(files) and "apps.billing" in body(files)
    fragment = client.get("/audit/logs/cluster/?level=ERROR", **HX)
    assert fragment.status_code == 200 and "<html" not in body(fragment)
    assert 'hx-swap-oob="true" hx-get=' not in body(fragment)
    # Hostile payloads are escaped, and secrets masked.
    newest = body(client.get("/audit/logs/cluster/?logger=apps.hostile"))
    assert "<script>alert" not in newest and "&lt;script&gt;alert" in newest
    assert data.SECRET not in newest


def test_the_older_link_and_record_page_work(client_for, superuser, sources, settings):
    settings.AUDITCONSOLE_PAGE_SIZE = 5
    client = client_for(superuser)
    page = body(client.get("/audit/logs/audit/"))
    older = re.search(r'href="([^"]*cursor=[^"]*)"', page)
    assert older is not None
    second = body(client.get(older.group(1).replace("&amp;", "&")))
    assert "audit 19994" in second and "audit 19995" not in second
    record_url = re.search(r'href="(/audit/logs/audit/record/[^"]+/)"', second)
    assert record_url is not None
    record = client.get(record_url.group(1))
    assert record.status_code == 200
    assert "user39@example.com" in body(record) or "user_info" in body(record)
    assert "Byte offset" not in body(record)
    assert client.get("/audit/logs/audit/record/forged/").status_code == 404


def test_a_tampered_cursor_is_a_form_error(client_for, superuser, sources):
    page = client_for(superuser).get("/audit/logs/cluster/?cursor=abc")
    assert page.status_code == 200
    assert "not valid for this source" in body(page)


def test_merged_browse_interleaves_files_and_the_store(client_for, superuser, sources):
    page = body(client_for(superuser).get("/audit/logs/merged/?sources=app&sources=audit"))
    assert "App files" in page and "Audit store" in page
    assert "event 4" in page and "audit 19999" in page


def test_tail_page_shows_the_newest_lines(client_for, superuser, sources):
    page = client_for(superuser).get("/audit/tail/audit/")
    assert page.status_code == 200
    assert "audit 19999" in body(page)


def test_export_streams_the_filtered_rows(client_for, superuser, sources, audit_log, settings):
    settings.AUDITCONSOLE_LOG_SOURCES = {**settings.AUDITCONSOLE_LOG_SOURCES, **sources}
    response = client_for(superuser).get(
        "/audit/logs/cluster/export.csv?logger=apps.hostile&q=" + quote("=cmd")
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    header, *rows = read_csv(response.streaming_content)
    assert len(rows) == 1
    message = rows[0][header.index("message")]
    assert message.startswith("'=cmd")  # a formula, escaped


def test_an_unreachable_store_is_a_message_and_a_503(client_for, superuser, sources):
    client = client_for(superuser)
    page = client.get("/audit/logs/down/")
    assert page.status_code == 503
    assert "cannot be reached" in body(page) and "pa55word" not in body(page)
    assert "Traceback" not in body(page)
    fragment = client.get("/audit/logs/down/", **HX)
    assert fragment.status_code == 503 and "<html" not in body(fragment)
    assert client.get("/audit/tail/down/").status_code == 503


def test_a_missing_table_is_a_message(client_for, superuser, ch_sources, chdb_dsn):
    ch_sources(gone=data.config(chdb_dsn, "no_such_table", "otel"))
    page = client_for(superuser).get("/audit/logs/gone/")
    assert page.status_code == 503
    assert "The table no_such_table does not exist" in body(page)


def test_a_regex_the_engine_cannot_run_is_a_message(client_for, superuser, sources):
    # RE2 is the form's dialect too (issue 16), so a back-reference is a form error naming
    # the feature, before any statement reaches the store.
    page = client_for(superuser).get("/audit/logs/cluster/?q=%28a%29%5C1&regex=1")
    assert page.status_code == 200
    assert "back-reference" in body(page).lower()


def test_a_source_the_user_may_not_see_does_not_exist(client_for, support_user, sources):
    client = client_for(support_user)
    assert client.get("/audit/logs/secret/").status_code == 404
    assert client.get("/audit/tail/secret/").status_code == 404
    assert client.get("/audit/logs/secret/export.csv").status_code == 404
    assert "Secret store" not in body(client.get("/audit/logs/"))
    assert client.get("/audit/logs/cluster/").status_code == 200


@pytest.fixture(autouse=True)
def _forget_unreachable_clients() -> Any:
    yield
    store.forget("http://reader:pa55word@127.0.0.1:9/logs")
