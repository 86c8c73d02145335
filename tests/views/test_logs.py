"""The log pages over real files: list, browse (page and htmx fragment), merged, record."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from auditconsole.sources import cursor as cursors
from auditconsole.sources.query import LogFilterForm, MergedFilterForm, Query
from auditconsole.views.logs import BrowseView, MergedBrowseView, SourceListView
from auditconsole.views.tail import TailIndexView
from tests.sources.helpers import app_line, config, write
from tests.views.helpers import answer

XSS = "<script>alert('x')</script>"


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    return directory


@pytest.fixture(autouse=True)
def _no_time_budget(settings) -> None:
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 3600


@pytest.fixture
def configure(settings):
    def make(**sources) -> None:
        settings.AUDITCONSOLE_LOG_SOURCES = {
            key: config(path, **extra) for key, (path, extra) in sources.items()
        }

    return make


@pytest.fixture
def files(logs: Path) -> Path:
    write(logs / "app.log.1", [app_line(i) for i in range(0, 60)])
    write(
        logs / "app.log",
        [app_line(i) for i in range(60, 130)]
        + [
            json.dumps(
                {
                    "time": "2026-04-04 13:00:00,000",
                    "level": "ERROR",
                    "name": "apps.x" + XSS,
                    "message": "boom " + XSS,
                    XSS: XSS,
                    "password": "hunter2",
                    "seq": 130,
                    "user_id": 14,
                }
            ),
            "this line is not json " + XSS,
        ],
    )
    write(
        logs / "api.log",
        [
            json.dumps(
                {
                    "timestamp": "2026-04-04 12:30:00.000",
                    "level": "API",
                    "name": "audit.request",
                    "message": "Audit Internal Request",
                    "request_repr": {
                        "method": "POST",
                        "headers": {"Authorization": "Bearer s3cr3t"},
                    },
                    "seq": 500,
                }
            )
        ],
    )
    write(
        logs / "django.log",
        [
            "2026-04-04 12:00:00,000 [ERROR] django.request: Internal Server Error",
            "Traceback (most recent call last):",
            "KeyError: 'x'",
        ],
    )
    return logs


@pytest.fixture
def sources(configure, files: Path) -> None:
    configure(
        app=(
            files / "app.log",
            {"LABEL": "Application", "OPTIONS": {"columns": ["user_id", "module"]}},
        ),
        api=(
            files / "api.log",
            {
                "LABEL": "API requests",
                "PERMISSION": "demo.view_customer",
                "OPTIONS": {"columns": ["request_repr.method"]},
            },
        ),
        django=(files / "django.log", {"LABEL": "Django", "OPTIONS": {"format": "text"}}),
    )


@pytest.fixture
def viewer(make_user):
    """May view logs, but not the customers the API source's PERMISSION requires."""
    return make_user("viewer", console_perms=("view_logs",))


def body(response) -> str:
    return response.content.decode()


def rows(response) -> int:
    return body(response).count('class="log-row')


def links(response, pattern: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="(' + pattern + r'[^"]*)"', body(response))]


# -- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/audit/logs/",
        "/audit/logs/app/",
        "/audit/logs/merged/?sources=app",
        "/audit/logs/app/record/x/",
    ],
)
def test_anonymous_users_are_sent_to_login(client, sources, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/audit/logs/",
        "/audit/logs/app/",
        "/audit/logs/merged/?sources=app",
        "/audit/logs/app/record/x/",
    ],
)
def test_staff_without_view_logs_is_forbidden(client_for, staff_user, sources, url: str) -> None:
    assert client_for(staff_user).get(url).status_code == 403


def test_a_source_the_user_may_not_see_is_invisible(client_for, viewer, sources, superuser) -> None:
    client = client_for(viewer)
    listing = body(client.get("/audit/logs/"))
    assert (
        "Application" in listing
        and "API requests" not in listing
        and "/audit/logs/api/" not in listing
    )
    assert client.get("/audit/logs/api/").status_code == 404
    assert client.get("/audit/logs/merged/?sources=app&sources=api").status_code == 404
    api_record = re.search(
        r'href="(/audit/logs/api/record/[^"]+)"',
        body(client_for(superuser).get("/audit/logs/api/")),
    )
    assert client.get(html.unescape(api_record.group(1))).status_code == 404
    assert client.get("/audit/logs/nope/").status_code == 404


def test_support_agent_sees_the_permission_gated_source(client_for, support_user, sources) -> None:
    response = client_for(support_user).get("/audit/logs/api/")
    assert response.status_code == 200 and rows(response) == 1


# -- the sources list ------------------------------------------------------------------------


def test_sources_list_shows_files_and_links(client_for, superuser, sources) -> None:
    response = client_for(superuser).get(reverse("auditconsole:sources"))
    text = body(response)
    assert response.status_code == 200
    for label in ("Application", "API requests", "Django"):
        assert label in text
    assert "app.log.1" in text and 'href="/audit/logs/app/"' in text
    assert "2026-04-04 13:00:00" in text  # newest record time
    assert 'href="/audit/tail/app/"' in text
    assert 'action="/audit/logs/merged/"' in text and 'name="sources" value="django"' in text
    assert response.context["rows"][0].total_size > 0


def test_browse_links_to_the_live_tail(client_for, superuser, sources) -> None:
    assert 'href="/audit/tail/app/"' in body(client_for(superuser).get("/audit/logs/app/"))
    merged = body(client_for(superuser).get("/audit/logs/merged/?sources=app&sources=django"))
    assert 'href="/audit/tail/merged/?sources=app&amp;sources=django"' in merged


def test_sources_list_reports_problems_and_empty_sources(
    client_for, superuser, settings, logs: Path
) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "bad": {"BACKEND": "nowhere.Nothing"},
        "empty": {
            "BACKEND": "auditconsole.sources.files.FileSource",
            "OPTIONS": {"path": str(logs / "none.log")},
        },
        "gz": {
            "BACKEND": "auditconsole.sources.files.FileSource",
            "OPTIONS": {"path": str(logs / "old.log")},
        },
    }
    write(logs / "old.log.1.gz", [app_line(7)], gz=True)
    text = body(client_for(superuser).get("/audit/logs/"))
    assert "misconfigured" in text and "nowhere.Nothing" in text
    assert "No file yet" in text
    assert "2026-04-04 12:00:07" in text  # newest time read from the compressed rotation


def test_no_sources_at_all(client_for, superuser, settings) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {}
    assert "No log sources you can see" in body(client_for(superuser).get("/audit/logs/"))


# -- browsing -----------------------------------------------------------------------------------


def test_browse_full_page(client_for, superuser, sources) -> None:
    response = client_for(superuser).get("/audit/logs/app/")
    text = body(response)
    assert response.status_code == 200
    assert "<html" in text and 'id="log-filters"' in text and 'id="log-facets"' in text
    assert rows(response) == 50
    assert "badge--malformed" in text and "level--error" in text
    assert '<th scope="col">user_id</th>' in text
    assert response["Vary"].count("HX-Request") == 1
    assert "Scanned" in text and 'rel="next"' in text


def test_htmx_request_gets_the_fragment_with_facets_out_of_band(
    client_for, superuser, sources
) -> None:
    response = client_for(superuser).get("/audit/logs/app/?level=ERROR", HTTP_HX_REQUEST="true")
    text = body(response)
    assert "<html" not in text
    assert text.lstrip().startswith('<div id="log-results"')
    assert 'id="log-facets"' in text and 'hx-swap-oob="true"' in text
    # The form too, showing the filters the results were read with (issue 13: after a facet
    # or a preset it showed the old ones, and submitting it undid the facet).
    form = re.search(r'<form id="log-filters"[^>]*>', text).group(0)
    assert 'hx-swap-oob="true"' in form
    assert '<option value="ERROR" selected>' in text
    restore = client_for(superuser).get(
        "/audit/logs/app/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in body(restore)
    assert "HX-History-Restore-Request" in restore["Vary"]


def test_filters_and_facets(client_for, superuser, sources) -> None:
    client = client_for(superuser)
    errors = client.get("/audit/logs/app/?level=ERROR&logger=apps.")
    assert {r.level for r in errors.context["page"].records} == {"ERROR"}
    assert all(r.logger.startswith("apps.") for r in errors.context["page"].records)
    # The counts are loaded apart, over the whole range, with the other filters applied.
    assert errors.context["level_facets"] == [] and errors.context["facets_url"]
    counted = client.get("/audit/logs/app/facets/?level=ERROR&logger=apps.")
    facets = {f.name: f for f in counted.context["level_facets"]}
    assert facets["ERROR"].current and facets["ERROR"].url is not None
    assert "level=WARNING" in facets["WARNING"].url and "cursor" not in facets["WARNING"].url
    assert "/audit/logs/app/?" in facets["WARNING"].url
    unfiltered = client.get("/audit/logs/app/facets/").context["level_facets"]
    assert {f.name: f for f in unfiltered}["(none)"].url is None  # the malformed line
    # Levels below the minimum are counted too: the level facet ignores the level filter.
    assert facets["WARNING"].count and facets["ERROR"].count
    loggers = {f.name: f for f in counted.context["logger_facets"]}
    assert "logger=apps.tickets.views" in loggers["apps.tickets.views"].url
    by_field = client.get("/audit/logs/app/?field=user_id=14")
    assert [r.fields.get("seq") for r in by_field.context["page"].records] == [130]
    regex = client.get(
        "/audit/logs/app/", {"q": 'event 1[0-2]"', "regex": "1"}
    )  # grep-like: the line
    assert len(regex.context["page"].records) == 3


def test_bad_filters_are_form_errors_not_500s(client_for, superuser, sources) -> None:
    response = client_for(superuser).get("/audit/logs/app/?q=(unclosed&regex=1&since=never")
    text = body(response)
    assert response.status_code == 200
    assert "These filters cannot be applied" in text and "Not a valid regular expression" in text
    assert response.context["page"] is None and rows(response) == 0
    assert "No counts: fix the filters first." in text


def test_paging_follows_cursors_to_the_end(client_for, superuser, sources) -> None:
    client = client_for(superuser)
    response = client.get("/audit/logs/app/")
    seen = []
    for _ in range(10):
        seen.extend(r.fields.get("seq") for r in response.context["page"].records)
        older = response.context["next_url"]
        if older is None:
            break
        response = client.get(older)
        assert response.context["newest_url"] == "/audit/logs/app/"
    assert seen == [None, *range(130, -1, -1)]
    assert "End of the log." in body(response)


def test_cursors_from_elsewhere_or_tampered_are_form_errors(client_for, superuser, sources) -> None:
    client = client_for(superuser)
    for token in (
        "garbage",
        cursors.dumps(cursors.PAGE, "django", None),
        cursors.dumps(cursors.TAIL, "app", None),
    ):
        response = client.get("/audit/logs/app/", {"cursor": token})
        assert response.status_code == 200 and "not valid for this source" in body(response)
    bad_state = cursors.dumps(cursors.PAGE, "app", {"app.log": ["app.log", "x"]})
    response = client.get("/audit/logs/app/", {"cursor": bad_state})
    assert "no longer matches the log files" in body(response)


def test_budget_exhaustion_offers_to_continue(client_for, superuser, sources, settings) -> None:
    settings.AUDITCONSOLE_SCAN_BUDGET_BYTES = 1
    response = client_for(superuser).get("/audit/logs/app/?q=nothing-matches")
    text = body(response)
    assert "Continue scanning" in text and response.context["page"].budget_exhausted
    continued = client_for(superuser).get(response.context["next_url"])
    assert continued.context["page"].scanned_records > 0


def test_merged_view_labels_each_record(client_for, superuser, sources) -> None:
    response = client_for(superuser).get(
        "/audit/logs/merged/?sources=app&sources=django&sources=api"
    )
    text = body(response)
    assert response.status_code == 200
    assert "Application + API requests + Django" in text
    assert '<th scope="col">Source</th>' in text
    assert 'name="sources" value="django" checked' in text
    seen, page = [], response
    while True:
        seen.extend((r.source, r.source_label) for r in page.context["page"].records)
        if page.context["next_url"] is None:
            break
        page = client_for(superuser).get(page.context["next_url"])
        assert page.status_code == 200 and "not valid" not in body(page)
    assert {source for source, _ in seen} == {"app", "api", "django"} and len(seen) == 134
    assert ("api", "API requests") in seen
    other_scope = client_for(superuser).get(
        "/audit/logs/merged/",
        {
            "sources": ["app"],
            "cursor": response.context["page"].cursor
            and re.search(r"cursor=([^&]+)", response.context["next_url"]).group(1),
        },
    )
    assert "not valid for this source" in body(other_scope)


def test_merged_view_without_sources_goes_back_to_the_list(client_for, superuser, sources) -> None:
    response = client_for(superuser).get("/audit/logs/merged/")
    assert response.status_code == 302 and response["Location"] == "/audit/logs/"
    assert client_for(superuser).get("/audit/logs/merged/?sources=zzz").status_code == 404


# -- one record -----------------------------------------------------------------------------------


def record_url(client, source_key: str, seq_text: str) -> str:
    response = client.get(f"/audit/logs/{source_key}/?q={seq_text}")
    return response.context["page"].records[0].token


def test_record_page_shows_highlighted_fields_and_context(client_for, superuser, sources) -> None:
    client = client_for(superuser)
    token = client.get("/audit/logs/app/?q=event+100").context["page"].records[0].token
    response = client.get(f"/audit/logs/app/record/{token}/")
    text = body(response)
    assert response.status_code == 200
    assert (
        '<span class="k">&quot;module&quot;</span>: <span class="s">&quot;views&quot;</span>'
        in text
    )
    assert "<dd>app.log</dd>" in text.replace("<code>", "").replace("</code>", "")
    assert response.context["around"].record.fields["seq"] == 100
    assert [r.record.fields["seq"] for r in response.context["rows"]] == list(range(105, 94, -1))
    assert 'aria-current="true"' in text
    assert "context=25" in response.context["more_context_url"]
    assert "until=2026-04-04T12%3A01%3A40.123000%2B00%3A00" in response.context["browse_from_url"]
    more = client.get(f"/audit/logs/app/record/{token}/?context=1000")
    assert more.context["context_count"] == 100 and more.context["more_context_url"] is None
    junk = client.get(f"/audit/logs/app/record/{token}/?context=lots")
    assert junk.context["context_count"] == 5


def test_record_page_for_text_and_malformed_records(client_for, superuser, sources) -> None:
    client = client_for(superuser)
    text_token = client.get("/audit/logs/django/").context["page"].records[0].token
    text = body(client.get(f"/audit/logs/django/record/{text_token}/"))
    assert "Traceback</h2>" in text and "KeyError: &#x27;x&#x27;" in text
    bad_token = client.get("/audit/logs/app/").context["page"].records[0].token
    bad = body(client.get(f"/audit/logs/app/record/{bad_token}/"))
    assert "badge--malformed" in bad and '<details class="raw-line" open>' in bad


def test_bad_references_are_404(client_for, superuser, sources, files: Path) -> None:
    client = client_for(superuser)
    token = client.get("/audit/logs/app/").context["page"].records[5].token
    assert client.get(f"/audit/logs/django/record/{token}/").status_code == 404  # bound to app
    assert client.get("/audit/logs/app/record/forged/").status_code == 404
    bad_shape = cursors.dumps(cursors.REF, "app", ["app.log", "x"])
    assert client.get(f"/audit/logs/app/record/{bad_shape}/").status_code == 404
    write(files / "app.log", [app_line(999)])  # rewritten: the record is gone
    assert client.get(f"/audit/logs/app/record/{token}/").status_code == 404
    assert client.get(f"/audit/logs/nope/record/{token}/").status_code == 404


# -- safety of what is shown ------------------------------------------------------------------------


def test_log_payloads_are_escaped_and_secrets_masked(client_for, superuser, sources) -> None:
    client = client_for(superuser)
    pages = [
        client.get("/audit/logs/app/"),
        client.get("/audit/logs/merged/?sources=app&sources=api"),
    ]
    token = pages[0].context["page"].records[1].token
    pages.append(client.get(f"/audit/logs/app/record/{token}/"))
    api_token = client.get("/audit/logs/api/").context["page"].records[0].token
    pages.append(client.get(f"/audit/logs/api/record/{api_token}/"))
    for response in pages:
        text = body(response)
        assert response.status_code == 200
        assert XSS not in text
        if "/api/" not in response.request["PATH_INFO"]:
            assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
        assert "<script>alert" not in text
        assert "hunter2" not in text and "s3cr3t" not in text


def test_browse_rows_name_the_exception_escaped_and_masked(
    client_for, superuser, configure, logs: Path
) -> None:
    """Each row with a traceback shows its exception's line, not only a "traceback" badge."""
    write(
        logs / "django.log",
        [
            "2026-04-04 12:00:00,000 [ERROR] django.request: Internal Server Error: /pay/",
            "Traceback (most recent call last):",
            '  File "/srv/app/views.py", line 9, in pay',
            f"ValueError: bad card {XSS} password=hunter2",
            "2026-04-04 12:00:01,000 [ERROR] apps.alerts.tasks: Ticket notification not sent",
            "Traceback (most recent call last):",
            '  File "/srv/app/tasks.py", line 3, in notify',
            "KeyError: 'missing'",
        ],
    )
    write(
        logs / "app.log",
        [
            json.dumps(
                {
                    "time": "2026-04-04 12:00:02,000",
                    "level": "ERROR",
                    "message": "charge failed",
                    "exc_info": "Traceback (most recent call last):\n"
                    '  File "/srv/app/billing.py", line 4, in charge\n'
                    "TimeoutError: " + "gateway slow " * 30,
                }
            ),
        ],
    )
    configure(
        django=(logs / "django.log", {"OPTIONS": {"format": "text"}}),
        app=(logs / "app.log", {}),
    )
    client = client_for(superuser)
    text = body(client.get("/audit/logs/django/"))
    lines = re.findall(r'<samp class="exception-line">(.*?)</samp>', text)
    assert lines == [
        "KeyError: &#x27;missing&#x27;",
        "ValueError: bad card &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; password=********",
    ]
    assert XSS not in text and "hunter2" not in text
    json_text = body(client.get("/audit/logs/app/"))
    (line,) = re.findall(r'<samp class="exception-line">(.*?)</samp>', json_text)
    assert line.startswith("TimeoutError: gateway slow gateway slow") and line.endswith("…")
    assert len(html.unescape(line)) <= 160


def test_newest_page_uses_few_queries(
    client_for, superuser, sources, django_assert_max_num_queries
) -> None:
    client = client_for(superuser)
    with django_assert_max_num_queries(4):
        assert client.get("/audit/logs/app/").status_code == 200


def test_public_url_contract() -> None:
    assert reverse("auditconsole:sources") == "/audit/logs/"
    assert reverse("auditconsole:source", kwargs={"key": "app"}) == "/audit/logs/app/"
    assert reverse("auditconsole:merged") == "/audit/logs/merged/"
    token = cursors.dumps(cursors.REF, "app", ["app.log", 1, 2, 3, 4])
    assert (
        reverse("auditconsole:record", kwargs={"key": "app", "ref": token})
        == f"/audit/logs/app/record/{token}/"
    )


def test_query_parameters_are_public_names() -> None:
    from auditconsole.sources import query

    names = (
        query.LEVEL,
        query.LOGGER,
        query.TEXT,
        query.REGEX,
        query.SINCE,
        query.UNTIL,
        query.FIELD,
        query.CURSOR,
        query.SOURCES,
    )
    assert names == (
        "level",
        "logger",
        "q",
        "regex",
        "since",
        "until",
        "field",
        "cursor",
        "sources",
    )


# -- hooks for sites that extend the console -------------------------------------------------


class ErrorsOnlyForm(LogFilterForm):
    """A site's own form: errors and worse, whatever level was asked for."""

    def to_query(self) -> Query:
        return dataclasses.replace(super().to_query(), min_level=40, level_name="ERROR")


class ErrorsBrowseView(BrowseView):
    def get_form_class(self) -> type[LogFilterForm]:
        return ErrorsOnlyForm


def test_get_form_class_is_the_form_a_browse_page_applies(rf, superuser, sources) -> None:
    plain = answer(BrowseView.as_view(), rf, superuser, "/audit/logs/app/", key="app")
    assert {r.level for r in plain.context_data["page"].records} > {"ERROR"}
    response = answer(ErrorsBrowseView.as_view(), rf, superuser, "/audit/logs/app/", key="app")
    assert isinstance(response.context_data["form"], ErrorsOnlyForm)
    assert {r.level for r in response.context_data["page"].records} == {"ERROR"}
    # A merged view's form also chooses among the visible sources.
    merged = answer(MergedBrowseView.as_view(), rf, superuser, "/audit/logs/merged/?sources=app")
    assert isinstance(merged.context_data["form"], MergedFilterForm)
    assert [key for key, _ in merged.context_data["form"].fields["sources"].choices] == [
        "app",
        "api",
        "django",
    ]


@pytest.mark.parametrize(
    ("template", "blocks"),
    [
        (
            "logs/browse.html",
            {"heading", "page_title", "intro", "toolbar_actions", "sidebar", "results"},
        ),
        (
            "logs/sources.html",
            {"heading", "page_title", "intro", "sources", "source_card", "merged_form"},
        ),
        (
            "tail/page.html",
            {"heading", "page_title", "intro", "toolbar_actions", "filters", "controls", "view"},
        ),
        (
            "tail/index.html",
            {"heading", "page_title", "intro", "sources", "source_choice", "merged_form"},
        ),
    ],
)
def test_log_and_tail_pages_have_named_blocks(template: str, blocks: set[str]) -> None:
    nodes = get_template(f"auditconsole/{template}").template.nodelist.get_nodes_by_type(BlockNode)
    assert blocks <= {node.name for node in nodes}


@pytest.mark.parametrize(
    ("view", "url", "kwargs", "template", "block", "value", "expected", "replaced"),
    [
        (BrowseView, "/audit/logs/app/?level=ERROR", {"key": "app"}, "logs/browse.html",
         "sidebar", "form.level.value", ["ERROR"], 'id="log-filters"'),
        (SourceListView, "/audit/logs/", {}, "logs/sources.html",
         "source_card", "row.source.key", ["app", "api", "django"], "source-card"),
        (TailIndexView, "/audit/tail/", {}, "tail/index.html",
         "source_choice", "choice.source.key", ["app", "api", "django"], ">Tail</a>"),
    ],
)  # fmt: skip
def test_a_block_can_be_overridden(
    rf, superuser, sources, view, url, kwargs, template, block, value, expected, replaced
) -> None:
    request = rf.get(url)
    request.user = superuser
    request.htmx = HtmxDetails(request)
    page = view()
    page.setup(request, **kwargs)
    child = engines["django"].from_string(
        f'{{% extends "auditconsole/{template}" %}}'
        f'{{% block {block} %}}<p class="mine">{{{{ {value} }}}}</p>{{% endblock %}}'
    )
    html = child.render(page.get_context_data(**kwargs), request)
    assert re.findall(r'<p class="mine">([^<]*)</p>', html) == expected
    assert replaced not in html and "<html" in html


def test_the_counts_bring_the_volume_chart_and_its_bars_narrow_the_range(
    client_for, superuser, sources
) -> None:
    client = client_for(superuser)
    page = body(client.get("/audit/logs/app/?level=WARNING"))
    # The page holds the chart's empty slot, filled when the counts arrive.
    assert '<div id="log-chart" class="log-chart">' in page
    assert 'hx-get="/audit/logs/app/facets/?level=WARNING" hx-trigger="load"' in page
    counts = body(client.get("/audit/logs/app/facets/?level=WARNING", HTTP_HX_REQUEST="true"))
    assert counts.lstrip().startswith('<nav id="log-facets"')
    chart = counts[counts.index('<div id="log-chart"') :]
    assert chart.startswith('<div id="log-chart" class="log-chart" hx-swap-oob="true">')
    assert "Records per 2 minutes" in chart  # 12:00 to 13:00 in at most 60 bars
    bars = re.findall(r'<a href="([^"]+)" hx-get="\1" hx-target="#log-results"', chart)
    assert bars and all("level=WARNING" in html.unescape(bar) for bar in bars)
    first = html.unescape(bars[0])
    assert "since=2026-04-04T12%3A00%3A00%2B00%3A00" in first
    assert "until=2026-04-04T12%3A02%3A00%2B00%3A00" in first
    assert "<title>Apr 4, 12:00: 30 WARNING, 30 ERROR</title>" in chart  # WARNING and above
    assert 'class="bar-level bar-level--warning"' in chart
    # Following a bar: the page of that minute, whose counts say so.
    narrowed = client.get(first)
    assert {r.time.minute for r in narrowed.context["page"].records} == {0, 1}
    # Without JavaScript the counts are a page of their own, the chart included.
    whole = body(client.get("/audit/logs/app/facets/?level=WARNING"))
    assert "<html" in whole and '<div id="log-chart" class="log-chart">' in whole
    # The fragment answering a filter change empties the chart until the counts return.
    fragment = body(client.get("/audit/logs/app/?level=ERROR", HTTP_HX_REQUEST="true"))
    assert re.search(
        r'<div id="log-chart" class="log-chart" hx-swap-oob="true">\s*</div>', fragment
    )


def test_no_chart_when_nothing_matches_and_a_partial_count_offers_to_go_on(
    client_for, superuser, sources, settings
) -> None:
    client = client_for(superuser)
    empty = body(
        client.get("/audit/logs/app/facets/?q=nowhere-to-be-found", HTTP_HX_REQUEST="true")
    )
    assert re.search(r'<div id="log-chart" class="log-chart" hx-swap-oob="true">\s*</div>', empty)
    settings.AUDITCONSOLE_SCAN_BUDGET_BYTES = 1
    from auditconsole.sources.files import tally

    tally.TALLIES.clear()
    partial = body(client.get("/audit/logs/app/facets/?level=ERROR", HTTP_HX_REQUEST="true"))
    assert "so far, the newest files first" in partial
    # In the page it goes on by itself; without JavaScript a link does.
    assert re.search(
        r'<a href="/audit/logs/app/facets/\?level=ERROR" hx-get="[^"]+" hx-target="#log-facets"'
        r'[^>]*hx-trigger="click, load delay:200ms">Count on</a>',
        partial,
    )
    tally.TALLIES.clear()
    alone = body(client.get("/audit/logs/app/facets/?level=ERROR"))
    assert re.search(r'hx-push-url="false">Count on</a>', alone)
    assert "Records per 2 minutes (counted so far)" in partial
    tally.TALLIES.clear()
