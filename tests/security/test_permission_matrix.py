"""Every console URL, for every kind of caller: the expected answer, and no leaked row.

The URLs come from the URLconf (:mod:`tests.security.console_urls`), so a new URL is in
the matrix the moment it is mounted; one that :func:`access_for` cannot classify fails
:func:`test_every_console_url_is_classified` until someone decides who may open it.
"""

from __future__ import annotations

import difflib
import itertools
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from auditconsole.permissions import EXPORT, VIEW_ACCESS, VIEW_ACTIVITY, VIEW_LOGS
from auditconsole.sources import cursor as cursors
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from project.demo.models import Invoice
from tests.security.conftest import (
    CALLERS,
    HIDDEN,
    LEDGER_LABEL,
    LEDGER_LINE,
    LOGGED_OUT,
    RESTRICTED,
    World,
)
from tests.security.console_urls import (
    ANY_CONSOLE,
    ConsoleUrl,
    Samples,
    access_for,
    body_of,
    console_urls,
)

EVERYTHING = frozenset({ANY_CONSOLE, VIEW_ACTIVITY, VIEW_LOGS, EXPORT, VIEW_ACCESS})
ALLOWED: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "inactive": frozenset(),
    "nonstaff": frozenset(),  # holds every console permission, but is not staff
    "staff": frozenset(),
    "viewer": frozenset({ANY_CONSOLE, VIEW_ACTIVITY, VIEW_LOGS}),
    "exporter": EVERYTHING,
    "superuser": EVERYTHING,
}
URLS = console_urls()
HTMX_CALLERS = frozenset({"anonymous", "staff", "viewer"})
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
#: "Now", to the minute (a chart's range, an export's file name): differs between two
#: walks across a minute boundary, whatever the rows.
_NOW = re.compile(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:?\d{2}Z?")


def expected_status(caller: str, access: str) -> int:
    if caller in LOGGED_OUT:
        return 302
    return 200 if access in ALLOWED[caller] else 403


def test_every_console_url_is_classified() -> None:
    unnamed = [url.route for url in URLS if not url.name]
    assert not unnamed, f"console URLs without a name cannot be reversed or checked: {unnamed}"
    unclassified = sorted(url.name for url in URLS if access_for(url.name) is None)
    assert not unclassified, (
        f"console URL(s) {unclassified} have no expected access: add them to ACCESS in "
        "tests/security/console_urls.py"
    )


def test_the_matrix_covers_the_whole_console() -> None:
    """The walk finds the URLs we know exist (it would be vacuous if it found none)."""
    names = {url.name for url in URLS}
    assert {"index", "activity", "user", "object", "sources", "source", "record"} <= names


@pytest.mark.parametrize("url", URLS, ids=[url.name for url in URLS])
def test_permission_matrix(url: ConsoleUrl, samples: Samples, callers: dict[str, Client]) -> None:
    access = access_for(url.name)
    path = samples.path_for(url)
    wrong = []
    login = reverse("login")
    for caller in CALLERS:
        # The htmx (fragment) answer too, for one caller of each outcome.
        for htmx in (False, True) if caller in HTMX_CALLERS else (False,):
            label = f"{caller}{' (htmx)' if htmx else ''}"
            if htmx:
                headers = {
                    "HTTP_HX_REQUEST": "true",
                    "HTTP_HX_CURRENT_URL": f"http://testserver{path}",
                }
            else:
                headers = {}
            response = callers[caller].get(path, **headers)
            body_of(response)
            want = expected_status(caller, access)
            got = response.status_code
            if want == 302 and htmx:
                # htmx is told to load the login page as a page, not to swap it in.
                target = response.get("HX-Redirect", "")
                if got != 200 or not target.startswith(f"{login}?next="):
                    wrong.append(f"{label}: {got} HX-Redirect {target!r}, expected the login")
            elif got != want:
                wrong.append(f"{label}: {got}, expected {want}")
            elif got == 302 and not response["Location"].startswith(f"{login}?next="):
                wrong.append(f"{label}: redirected to {response['Location']}, not the login")
    assert not wrong, f"{path}:\n" + "\n".join(wrong)


def test_deactivation_ends_an_open_session(world: World, samples: Samples) -> None:
    """A user deactivated while logged in is logged out at their next request."""
    client = Client()
    client.force_login(world.users["exporter"])
    assert client.get(reverse("auditconsole:activity")).status_code == 200
    world.users["exporter"].is_active = False
    world.users["exporter"].save(update_fields=["is_active"])
    for url in URLS:
        response = client.get(samples.path_for(url))
        assert response.status_code == 302, url.name
        assert response["Location"].startswith(reverse("login"))


def test_losing_staff_status_closes_the_console(world: World, samples: Samples) -> None:
    client = Client()
    client.force_login(world.users["exporter"])
    world.users["exporter"].is_staff = False
    world.users["exporter"].save(update_fields=["is_staff"])
    for url in URLS:
        assert client.get(samples.path_for(url)).status_code == 403, url.name


# -- rows the caller's model permissions exclude -------------------------------------------


def leak_probes(world: World, samples: Samples) -> list[str]:
    """Every console URL, aimed at the hidden rows through every parameter that selects rows."""
    invoice = ContentType.objects.get_for_model(Invoice)
    user_type = ContentType.objects.get_for_model(type(world.ghost))
    kwarg_variants: dict[str, list[Any]] = {
        "user_id": [world.alice.pk, world.ghost.pk],
        "content_type_id+object_id": [
            (world.customer_type.pk, str(world.customer.pk)),
            (invoice.pk, "INV-2026-0001"),
            (user_type.pk, str(world.ghost.pk)),
        ],
    }
    # Reflected into the filter form, so none of them may contain HIDDEN itself.
    queries = [
        {},
        {"q": HIDDEN[-4:]},
        {"content_type": str(invoice.pk)},
        {"object_id": "INV-2026-0001", "action": "change"},
        {"user": str(world.ghost.pk)},
    ]
    paths = []
    for url in URLS:
        params = set(url.params)
        choices: list[list[dict[str, Any]]] = []
        if "user_id" in params:
            choices.append([{"user_id": pk} for pk in kwarg_variants["user_id"]])
        if {"content_type_id", "object_id"} <= params:
            choices.append(
                [
                    {"content_type_id": ct, "object_id": oid}
                    for ct, oid in kwarg_variants["content_type_id+object_id"]
                ]
            )
        for combo in itertools.product(*choices):
            overrides: dict[str, Any] = {}
            for part in combo:
                overrides.update(part)
            base = samples.path_for(url, **overrides)
            activity_like = access_for(url.name) in (VIEW_ACTIVITY, EXPORT, ANY_CONSOLE)
            for query in queries if activity_like else [{}]:
                if not query:
                    paths.append(base)
                else:
                    paths.append(base + ("&" if "?" in base else "?") + urlencode(query))
    return paths


def test_the_probes_would_find_a_leak(world: World, samples: Samples, callers) -> None:
    """A superuser sees the hidden rows through the same probes: the test is not vacuous."""
    probes = [p for p in leak_probes(world, samples) if "/logs/" not in p and "/tail/" not in p]
    seen = [path for path in probes if HIDDEN.encode() in body_of(callers["superuser"].get(path))]
    assert any(path.startswith(reverse("auditconsole:activity")) for path in seen)
    assert any("/object/" in path for path in seen)
    assert any(f"/user/{world.ghost.pk}/" in path for path in seen)


@pytest.mark.parametrize("caller", RESTRICTED)
def test_no_page_leaks_a_hidden_row(
    caller: str, world: World, samples: Samples, callers: dict[str, Client]
) -> None:
    client = callers[caller]
    leaks, errors = [], []
    for path in leak_probes(world, samples):
        response = client.get(path)
        if response.status_code >= 500:
            errors.append(f"{path}: {response.status_code}")
        if HIDDEN.encode() in body_of(response):
            leaks.append(path)
    assert not errors
    assert not leaks, f"{caller} saw hidden rows on:\n" + "\n".join(leaks)


def test_hidden_rows_change_no_count(
    world: World, samples: Samples, callers: dict[str, Client]
) -> None:
    """Facets, charts, totals and summaries read the same with the hidden rows deleted."""
    client = callers["viewer"]
    # Log pages carry timestamped tail positions; rows of LogEntry only reach these.
    activity_prefixes = (
        *tuple(
            reverse(f"auditconsole:{name}", args=args)
            for name, args in (
                ("activity", []),
                ("user", [world.alice.pk]),
                ("user", [world.ghost.pk]),
            )
        ),
        "/audit/object/",
    )
    paths = [p for p in leak_probes(world, samples) if p.startswith(activity_prefixes)]
    assert len(paths) > 30

    def snapshot() -> dict[str, tuple[int, bytes]]:
        pages = {}
        for path in paths:
            response = client.get(path)
            pages[path] = (response.status_code, _NOW.sub(b"", _CSRF.sub(b"", body_of(response))))
        return pages

    before = snapshot()
    LogEntry.objects.filter(pk__in=[entry.pk for entry in world.hidden_entries]).delete()
    after = snapshot()
    changed = [path for path in paths if before[path] != after[path]]
    details = [f"{path}:\n{_difference(before[path], after[path])}" for path in changed]
    assert not changed, "pages that depend on rows the viewer may not see:\n" + "\n".join(details)


def _difference(before: tuple[int, bytes], after: tuple[int, bytes]) -> str:
    if before[0] != after[0]:
        return f"status {before[0]} -> {after[0]}"
    lines = difflib.unified_diff(
        before[1].decode().splitlines(), after[1].decode().splitlines(), lineterm="", n=0
    )
    return "\n".join(list(lines)[:12])


def test_hidden_objects_answer_like_missing_ones(world: World, callers) -> None:
    invoice = ContentType.objects.get_for_model(Invoice)
    client = callers["viewer"]
    hidden = client.get(reverse("auditconsole:object", args=[invoice.pk, "INV-2026-0001"]))
    missing = client.get(reverse("auditconsole:object", args=[invoice.pk, "INV-2099-0001"]))
    assert hidden.status_code == missing.status_code == 404
    assert _CSRF.sub(b"", hidden.content) == _CSRF.sub(b"", missing.content)


# -- log sources that require a permission -----------------------------------------------------


def test_a_source_behind_a_permission_is_invisible(
    world: World, samples: Samples, callers: dict[str, Client]
) -> None:
    ledger_ref = cursors.dumps(
        cursors.REF, "ledger", get_source("ledger").page(Query()).records[0].ref.to_state()
    )
    overrides = {"key": "ledger", "ref": ledger_ref}
    for caller in RESTRICTED:
        client = callers[caller]
        # Nowhere in the console: not listed, not offered in a form, not linked.
        for url in URLS:
            body = body_of(client.get(samples.path_for(url)))
            for secret in (LEDGER_LABEL, LEDGER_LINE, "/logs/ledger/"):
                assert secret.encode() not in body, (caller, url.name, secret)
        # And asking for it by name answers exactly like a source that does not exist.
        for url in URLS:
            if "key" not in url.params and not url.is_merged:
                continue
            hidden = client.get(samples.path_for(url, sources="ledger", **overrides))
            unknown = client.get(
                samples.path_for(url, sources="nosuch", **{**overrides, "key": "nosuch"})
            )
            assert hidden.status_code == unknown.status_code, (caller, url.name)
            assert hidden.status_code in (403, 404), (caller, url.name)
            assert LEDGER_LINE.encode() not in body_of(hidden)
        mixed = client.get(reverse("auditconsole:merged") + "?sources=app&sources=ledger")
        assert mixed.status_code == 404
    # The superuser, who holds demo.view_invoice implicitly, sees it everywhere.
    root = callers["superuser"]
    assert LEDGER_LABEL.encode() in root.get(reverse("auditconsole:sources")).content
    ledger = root.get(reverse("auditconsole:source", args=["ledger"]))
    assert ledger.status_code == 200 and LEDGER_LINE.encode() in ledger.content


def test_an_htmx_request_without_a_session_reloads_to_the_login(world: World) -> None:
    """A fragment (a tail poll) never becomes the login page; the page is the ``next``."""
    tail = reverse("auditconsole:tail", args=["app"])
    response = Client().get(
        tail + "?cursor=x",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="tail-lines",
        HTTP_HX_CURRENT_URL=f"http://testserver{tail}?level=ERROR",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={tail}%3Flevel%3DERROR"
    assert response.content == b""
    # Without (or with a foreign) current URL, the request's own path is the way back.
    foreign = Client().get(
        tail, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/"
    )
    assert foreign["HX-Redirect"] == f"{reverse('login')}?next={tail}"
