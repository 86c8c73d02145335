"""The live tail over real files: the page, polls, rotation, truncation, filters, merged."""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from auditconsole.sources import cursor as cursors
from auditconsole.sources.follow import POLL_BATCH
from auditconsole.views import tail as tail_views
from tests.sources.helpers import app_line, append, config, write

XSS_SCRIPT = "<script>alert('x')</script>"
XSS_IMG = '<img src=x onerror="alert(1)">'
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tail-lines", "HTTP_HX_TRIGGER": "tail-poller"}
FILTER = {
    "HTTP_HX_REQUEST": "true",
    "HTTP_HX_TARGET": "tail-view",
    "HTTP_HX_TRIGGER": "tail-filters",
}
CLEAR = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tail-view", "HTTP_HX_TRIGGER": "tail-clear"}
SEQ = re.compile(r"event (\d+)<")


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    return directory


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 3600
    settings.AUDITCONSOLE_TAIL_INITIAL_LINES = 5


@pytest.fixture
def sources(settings: Any, logs: Path) -> Path:
    write(logs / "app.log", [app_line(i) for i in range(10)])
    write(logs / "api.log", [app_line(i, name="api.requests", message=f"api {i}") for i in (2, 7)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "app": config(logs / "app.log", LABEL="Application"),
        "api": config(logs / "api.log", LABEL="API", PERMISSION="demo.view_customer"),
    }
    return logs


@pytest.fixture
def viewer(make_user: Callable[..., User]) -> User:
    """May view logs, not the customers the API source's PERMISSION requires."""
    return make_user("viewer", console_perms=("view_logs",))


@pytest.fixture
def root(client_for: Callable[[User | None], Client], superuser: User) -> Client:
    return client_for(superuser)


def tail_url(key: str = "app", **params: Any) -> str:
    url = reverse("auditconsole:tail", kwargs={"key": key})
    if params:
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for name, value in params.items():
            query.setlist(name, value if isinstance(value, list) else [value])
        url += "?" + query.urlencode()
    return url


def shown(response: Any) -> list[int]:
    """Sequence numbers of the lines in a response, in document order."""
    return [int(n) for n in SEQ.findall(response.content.decode())]


def token_of(response: Any) -> str:
    match = re.search(r'name="cursor" value="([^"]+)"', response.content.decode())
    assert match, "no cursor in the answer"
    return html.unescape(match.group(1))


def poll(client: Client, token: str, key: str = "app", **params: Any) -> Any:
    return client.get(tail_url(key, cursor=token, **params), **POLL)


def follow_polls(client: Client, token: str, **params: Any) -> tuple[list[int], str]:
    """Poll until 204: every sequence number shown, and the last cursor."""
    seen: list[int] = []
    for _ in range(100):
        response = poll(client, token, **params)
        if response.status_code == 204:
            return seen, token
        assert response.status_code == 200
        seen.extend(shown(response))
        token = token_of(response)
    raise AssertionError("polling did not settle")


# -- the index ----------------------------------------------------------------------------------


def test_index_lists_the_sources_the_user_may_see(
    sources: Path, client_for: Callable[..., Client], viewer: User, superuser: User
) -> None:
    text = client_for(viewer).get(reverse("auditconsole:tail_index")).content.decode()
    assert 'href="/audit/tail/app/"' in text and 'href="/audit/logs/app/"' in text
    assert "/tail/api/" not in text and "API" not in text
    assert "Tail several sources" not in text  # one source: nothing to merge
    text = client_for(superuser).get(reverse("auditconsole:tail_index")).content.decode()
    assert 'href="/audit/tail/api/"' in text
    assert 'action="/audit/tail/merged/"' in text and 'name="sources" value="api"' in text
    assert 'aria-current="page"' in text and ">Live tail<" in text


def test_index_reports_problems_and_no_sources(
    settings: Any, client_for: Callable[..., Client], superuser: User
) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {}
    text = client_for(superuser).get(reverse("auditconsole:tail_index")).content.decode()
    assert "No log sources you can see" in text
    settings.AUDITCONSOLE_LOG_SOURCES = {"broken": {"BACKEND": "no.such.Backend"}}
    text = client_for(superuser).get(reverse("auditconsole:tail_index")).content.decode()
    assert "misconfigured" in text and "broken" in text


# -- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/audit/tail/", "/audit/tail/app/", "/audit/tail/merged/?sources=app"]
)
def test_anonymous_users_are_sent_to_the_login_page(
    sources: Path, client: Client, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", ["/audit/tail/", "/audit/tail/app/", "/audit/tail/merged/?sources=app"]
)
def test_staff_without_the_permission_get_403(
    sources: Path, client_for: Callable[..., Client], staff_user: User, url: str
) -> None:
    assert client_for(staff_user).get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/audit/tail/api/",
        "/audit/tail/nope/",
        "/audit/tail/merged/?sources=app&sources=api",
        "/audit/tail/merged/?sources=nope",
    ],
)
def test_sources_the_user_may_not_see_are_404(
    sources: Path, client_for: Callable[..., Client], viewer: User, url: str
) -> None:
    assert client_for(viewer).get(url).status_code == 404
    assert client_for(viewer).get(url, **POLL).status_code == 404


def test_misconfigured_source_is_404(settings: Any, root: Client) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {"broken": {"BACKEND": "no.such.Backend"}}
    assert root.get(tail_url("broken")).status_code == 404
    assert root.get("/audit/tail/merged/?sources=broken").status_code == 404


# -- the page ----------------------------------------------------------------------------------------


def test_page_shows_the_last_lines_and_a_poller(sources: Path, root: Client) -> None:
    response = root.get(tail_url())
    text = response.content.decode()
    assert response.status_code == 200
    assert shown(response) == [5, 6, 7, 8, 9]  # the last TAIL_INITIAL_LINES, oldest first
    assert "The last 5 lines" in text
    assert 'hx-history="false"' in text and "auditconsole/tail.js" in text
    assert 'data-max-lines="2000"' in text
    state = cursors.loads(cursors.TAIL, "app", token_of(response))
    stat = (sources / "app.log").stat()
    assert state["app.log"]["i"] == stat.st_ino and state["app.log"]["o"] == stat.st_size
    poller = re.search(r'<div id="tail-poller"[^>]*>', text).group(0)
    assert 'hx-trigger="every 1s, tail-poll"' in poller
    assert 'hx-target="#tail-lines"' in poller and 'hx-swap="beforeend"' in poller
    assert "load" not in poller
    # Without JavaScript: a real link carrying the position.
    refresh = re.search(r'<a class="btn btn--small" href="([^"]+)">Refresh</a>', text).group(1)
    assert "cursor=" in refresh and html.unescape(refresh) == html.unescape(
        re.search(r'hx-get="([^"]+)"', poller).group(1)
    )
    assert response["Vary"].count("HX-Request") == 1 and "HX-Target" in response["Vary"]
    assert "<html" in text and 'aria-current="page"' in text
    # Every line links to its record.
    first = re.search(r'<a class="tail-line" href="([^"]+)"', text).group(1)
    detail = root.get(html.unescape(first))
    assert detail.status_code == 200 and "event 5" in detail.content.decode()


def test_poll_interval_and_dom_cap_come_from_settings(
    sources: Path, root: Client, settings: Any
) -> None:
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.2
    settings.AUDITCONSOLE_TAIL_MAX_DOM_LINES = 3
    response = root.get(tail_url())
    text = response.content.decode()
    assert 'hx-trigger="every 0.2s, tail-poll"' in text and 'data-max-lines="3"' in text
    assert shown(response) == [7, 8, 9]  # never more initial lines than the page keeps


def test_a_source_without_a_file_yet(settings: Any, logs: Path, root: Client) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(logs / "app.log")}
    response = root.get(tail_url())
    assert response.status_code == 200 and "No lines yet" in response.content.decode()
    token = token_of(response)
    assert poll(root, token).status_code == 204
    write(logs / "app.log", [app_line(1), app_line(2)])
    assert follow_polls(root, token)[0] == [1, 2]


# -- polling -------------------------------------------------------------------------------------------


def test_poll_with_nothing_new_is_204(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    response = poll(root, token)
    assert response.status_code == 204 and response.content == b""
    assert "HX-Request" in response["Vary"] and "HX-Target" in response["Vary"]


def test_poll_returns_only_the_new_lines_and_the_next_poller(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    append(sources / "app.log", app_line(10), app_line(11))
    response = poll(root, token)
    text = response.content.decode()
    assert response.status_code == 200
    assert shown(response) == [10, 11]
    assert text.count('class="tail-line is-new"') == 2
    assert "<html" not in text and 'id="tail-view"' not in text
    assert re.search(r'<div id="tail-poller"[^>]*hx-swap-oob="true"', text)
    assert "HX-Replace-Url" not in response  # a poll does not touch the address bar
    next_token = token_of(response)
    assert next_token != token
    assert poll(root, next_token).status_code == 204
    # The old cursor still answers the same lines: the server keeps no state.
    assert shown(poll(root, token)) == [10, 11]


def test_partial_last_line_waits_for_its_newline(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    with (sources / "app.log").open("ab") as handle:
        handle.write(app_line(10)[:25].encode())
    assert poll(root, token).status_code == 204
    with (sources / "app.log").open("ab") as handle:
        handle.write((app_line(10)[25:] + "\n").encode())
    assert shown(poll(root, token)) == [10]


def test_a_burst_is_read_in_batches_chained_at_once(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    total = POLL_BATCH + 20
    append(sources / "app.log", *[app_line(i) for i in range(10, 10 + total)])
    first = poll(root, token)
    poller = re.search(r'<div id="tail-poller"[^>]*>', first.content.decode()).group(0)
    assert 'hx-trigger="load, every 1s, tail-poll"' in poller  # catch up without waiting
    assert len(shown(first)) == POLL_BATCH
    rest, _ = follow_polls(root, token_of(first))
    assert shown(first) + rest == list(range(10, 10 + total))


def rotating_logger(path: Path, max_bytes: int = 700) -> tuple[logging.Logger, RotatingFileHandler]:
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=50)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.Logger("tail-view-test")
    logger.addHandler(handler)
    return logger, handler


def test_rotations_lose_nothing_and_repeat_nothing(settings: Any, logs: Path, root: Client) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": config(logs / "app.log")}
    logger, handler = rotating_logger(logs / "app.log")
    try:
        logger.info(app_line(0))
        page = root.get(tail_url())
        seen = shown(page)
        token = token_of(page)
        n = 1
        rotated = False
        for batch in (1, 3, 7, 12, 2, 25, 4, 9):  # some batches span several rotations
            for _ in range(batch):
                logger.info(app_line(n))
                n += 1
            response = poll(root, token)
            assert response.status_code == 200
            rotated = rotated or "The log was rotated" in response.content.decode()
            seen.extend(shown(response))
            token = token_of(response)
    finally:
        handler.close()
    assert seen == list(range(n))
    assert rotated and len(list(logs.glob("app.log.*"))) > 5


def test_copytruncate_continues_from_the_copy_then_the_top(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    append(sources / "app.log", app_line(10), app_line(11))
    # logrotate's copytruncate: copy, then truncate in place; the writer goes on.
    shutil.copyfile(sources / "app.log", sources / "app.log.1")
    with (sources / "app.log").open("r+b") as handle:
        handle.truncate(0)
    append(sources / "app.log", app_line(12))
    response = poll(root, token)
    assert shown(response) == [10, 11, 12]
    assert "truncated in place" in response.content.decode()
    # Truncated again, without a copy: from the top of the new content.
    token = token_of(response)
    with (sources / "app.log").open("r+b") as handle:
        handle.truncate(0)
    append(sources / "app.log", app_line(13), app_line(14))
    assert follow_polls(root, token)[0] == [13, 14]


def test_a_vanished_file_is_announced_as_a_gap(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    # A new file (a new inode, created while the old one exists) replaces the followed one.
    write(sources / "app.log.new", [app_line(20)])
    (sources / "app.log.new").replace(sources / "app.log")
    response = poll(root, token)
    assert shown(response) == [20] and "some lines may be missing" in response.content.decode()


# -- filters ---------------------------------------------------------------------------------------------


def test_filters_apply_to_the_page_and_the_polls(sources: Path, root: Client) -> None:
    # app_line: levels cycle INFO, WARNING, ERROR, DEBUG; odd numbers log as apps.billing.
    assert shown(root.get(tail_url(logger="apps.billing", q="event 1"))) == [1]
    assert shown(root.get(tail_url(q=r'"event [37]"', regex="1"))) == [3, 7]
    assert shown(root.get(tail_url(field="seq=4"))) == [4]
    response = root.get(tail_url(level="ERROR"))
    assert shown(response) == [2, 6]
    assert "2 lines matching, among the last 10 records" in response.content.decode()
    token = token_of(response)
    append(sources / "app.log", *[app_line(i) for i in range(10, 16)])
    response = poll(root, token, level="ERROR")
    assert shown(response) == [10, 14]


def test_a_poll_whose_lines_all_fail_the_filter_still_moves_the_cursor(
    sources: Path, root: Client
) -> None:
    token = token_of(root.get(tail_url(level="ERROR")))
    append(sources / "app.log", app_line(11))  # WARNING
    response = poll(root, token, level="ERROR")
    assert response.status_code == 200 and shown(response) == []
    assert 'id="tail-poller"' in response.content.decode()
    assert poll(root, token_of(response), level="ERROR").status_code == 204


def test_changing_the_filters_keeps_the_position(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    # Written after the last poll, before the filter changes: must not be lost.
    append(sources / "app.log", *[app_line(i) for i in range(10, 13)])
    response = root.get(tail_url(level="ERROR", logger="", q="", cursor=token), **FILTER)
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<div id="tail-view"') and "<html" not in text
    assert shown(response) == [2, 6, 10]  # context before the position, then what came since
    assert "Continued from where you were: 1 new line matching" in text
    assert response["HX-Replace-Url"] == "/audit/tail/app/?level=ERROR"
    assert 'id="tail-filters"' not in text  # the form sent it: the form is left alone
    # The new poller continues from the position, with the new filters.
    poller = re.search(r'<div id="tail-poller"[^>]*>', text).group(0)
    assert "level=ERROR" in poller and "cursor=" in poller
    assert poll(root, token_of(response), level="ERROR").status_code == 204
    append(sources / "app.log", app_line(13), app_line(14))
    assert shown(poll(root, token_of(response), level="ERROR")) == [14]


def test_clear_resets_the_form_and_keeps_the_position(sources: Path, root: Client) -> None:
    page = root.get(tail_url(level="ERROR"))
    clear = re.search(r'<a id="tail-clear"[^>]*href="([^"]+)"', page.content.decode()).group(1)
    assert clear == "/audit/tail/app/"
    token = token_of(page)
    append(sources / "app.log", app_line(10))
    response = root.get(tail_url(cursor=token), **CLEAR)
    text = response.content.decode()
    assert shown(response) == [6, 7, 8, 9, 10]
    form = re.search(r'<form id="tail-filters"[^>]*>', text).group(0)
    assert 'hx-swap-oob="true"' in form
    assert response["HX-Replace-Url"] == "/audit/tail/app/"


def test_bad_filters_are_form_errors_and_keep_the_position(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    response = root.get(tail_url(q="(", regex="1", cursor=token), **FILTER)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Not a valid regular expression" in text and shown(response) == []
    assert token_of(response) == token  # fixing the filter carries on from here
    assert "hx-get" not in re.search(r'<div id="tail-poller"[^>]*>', text).group(0)
    assert "Start again" in text
    # A poll with a filter that does not validate (only a hand-made URL can) stops.
    response = poll(root, token, q="(", regex="1")
    assert response.status_code == 400 and "cannot be applied" in response.content.decode()
    assert "hx-get" not in re.search(
        r'<div id="tail-poller"[^>]*>', response.content.decode()
    ).group(0)


# -- positions -------------------------------------------------------------------------------------------------


def test_refresh_without_javascript_shows_what_came_since(sources: Path, root: Client) -> None:
    token = token_of(root.get(tail_url()))
    append(sources / "app.log", *[app_line(i) for i in range(10, 18)])
    response = root.get(tail_url(cursor=token))
    text = response.content.decode()
    assert "<html" in text and "Continued from where you were: 8 new lines" in text
    assert shown(response) == list(range(10, 18))  # more than TAIL_INITIAL_LINES: all of them
    append(sources / "app.log", app_line(18))
    assert shown(root.get(tail_url(cursor=token_of(response)))) == [14, 15, 16, 17, 18]


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "x" * 5000,
        cursors.dumps(cursors.TAIL, "other", {"app.log": {"d": 1, "i": 2, "o": 0, "h": 0}}),
        cursors.dumps(cursors.PAGE, "app", {"app.log": {"d": 1, "i": 2, "o": 0, "h": 0}}),
        cursors.dumps(cursors.TAIL, "app", {"app.log": {"d": "x"}}),  # signed, but malformed
        cursors.dumps(cursors.TAIL, "app", ["not", "a", "dict"]),
    ],
)
def test_a_tampered_cursor_is_400_never_500(sources: Path, root: Client, token: str) -> None:
    page = root.get(tail_url(cursor=token))
    assert page.status_code == 400 and "<html" in page.content.decode()
    assert "position is not valid" in page.content.decode()
    fragment = root.get(tail_url(cursor=token), **FILTER)
    assert fragment.status_code == 400 and "<html" not in fragment.content.decode()
    polled = poll(root, token)
    text = polled.content.decode()
    assert polled.status_code == 400 and "position is not valid" in text
    assert 'hx-swap-oob="true"' in text and "hx-get" not in text  # the poller stops
    assert 'name="cursor"' not in text


def test_a_poll_without_a_cursor_is_400(sources: Path, root: Client) -> None:
    assert root.get(tail_url(), **POLL).status_code == 400


# -- fragments and history -------------------------------------------------------------------------------------


def test_page_fragment_and_history_restore(sources: Path, root: Client) -> None:
    fragment = root.get(tail_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tail-view")
    assert fragment.content.decode().lstrip().startswith('<div id="tail-view"')
    assert shown(fragment) == [5, 6, 7, 8, 9]
    boosted = root.get(tail_url(), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in boosted.content.decode()
    restore = root.get(tail_url(), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode() and "HX-Replace-Url" not in restore
    assert "HX-History-Restore-Request" in restore["Vary"]


# -- merged ------------------------------------------------------------------------------------------------------


def test_merged_tail_interleaves_and_labels(sources: Path, root: Client) -> None:
    url = "/audit/tail/merged/?sources=app&sources=api"
    response = root.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"(?:event|api) (\d+)<", text) == ["6", "7", "7", "8", "9"]
    assert '<span class="tail-source">API</span>' in text
    assert '<input type="hidden" name="sources" value="app">' in text
    assert 'href="/audit/logs/merged/?sources=app&amp;sources=api"' in text  # Browse
    token = token_of(response)
    assert cursors.loads(cursors.TAIL, "merged:app+api", token).keys() == {"app", "api"}
    append(sources / "api.log", app_line(12, name="api.requests", message="api 12"))
    append(sources / "app.log", app_line(11))
    polled = root.get(f"{url}&cursor={token}", **POLL)
    assert re.findall(r"(?:event|api) (\d+)<", polled.content.decode()) == ["11", "12"]
    # A merged cursor is bound to that exact set of sources.
    assert root.get(f"/audit/tail/merged/?sources=app&cursor={token}", **POLL).status_code == 400
    assert root.get(tail_url(cursor=token), **POLL).status_code == 400


def test_merged_without_sources_goes_to_the_index(sources: Path, root: Client) -> None:
    response = root.get("/audit/tail/merged/")
    assert response.status_code == 302 and response["Location"] == "/audit/tail/"


# -- escaping --------------------------------------------------------------------------------------------------------


def test_every_line_is_escaped(sources: Path, root: Client) -> None:
    payload = json.dumps(
        {
            "time": "2026-04-04 13:00:00,000",
            "level": "ERROR",
            "name": "x" + XSS_IMG,
            "message": f"boom {XSS_SCRIPT} {XSS_IMG}",
        }
    )
    append(sources / "app.log", payload, f"plain text {XSS_SCRIPT}")
    page = root.get(tail_url()).content.decode()
    token = token_of(root.get(tail_url(q="nothing matches this")))
    append(sources / "app.log", payload)
    polled = poll(root, token).content.decode()
    for text in (page, polled):
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text


# -- the logic, without HTTP ---------------------------------------------------------------------------------------


def test_filter_params_keep_only_set_filters() -> None:
    from django.http import QueryDict

    params = QueryDict("level=&logger=a&q=+&cursor=xyz&since=1h&field=a%3D1&field=&sources=app")
    assert tail_views.filter_params(params).urlencode() == "sources=app&logger=a&field=a%3D1"


# -- hooks for sites that extend the console -------------------------------------------------


def test_get_form_class_is_the_form_a_tail_applies(rf, superuser, sources) -> None:
    import dataclasses

    from auditconsole.sources.query import Query, TailFilterForm

    class ErrorsOnlyTailForm(TailFilterForm):
        """A site's own tail form: errors and worse, whatever level was asked for."""

        def to_query(self) -> Query:
            return dataclasses.replace(super().to_query(), min_level=40, level_name="ERROR")

    class ErrorsTailView(tail_views.TailView):
        def get_form_class(self) -> type[TailFilterForm]:
            return ErrorsOnlyTailForm

    def answer(view_class: type) -> Any:
        request = rf.get(tail_url())
        request.user = superuser
        return view_class.as_view()(request, key="app")

    plain = answer(tail_views.TailView)
    assert type(plain.context_data["form"]) is TailFilterForm
    assert plain.context_data["records"]
    assert not plain.context_data["filtered"]
    errors = answer(ErrorsTailView)
    assert isinstance(errors.context_data["form"], ErrorsOnlyTailForm)
    assert errors.context_data["filtered"]
    assert {r.level for r in plain.context_data["records"]} > {"ERROR"}
    assert {r.level for r in errors.context_data["records"]} == {"ERROR"}
