"""Access records: one per page view or tail start, not per poll, never a payload or a secret."""

from __future__ import annotations

import contextlib
import logging
import os
import re

import pytest
from django.contrib.admin.models import CHANGE
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from auditconsole.access import record as access
from auditconsole.access.record import LOGGER_NAME
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from project.demo.models import Customer
from tests.access.conftest import access_records
from tests.activity.entries import log

HX = {"HTTP_HX_REQUEST": "true"}
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tail-lines", "HTTP_HX_TRIGGER": "tail-poller"}
FILTER = {
    "HTTP_HX_REQUEST": "true",
    "HTTP_HX_TARGET": "tail-view",
    "HTTP_HX_TRIGGER": "tail-filters",
}
SECRET_PAYLOAD = "PAYLOAD-9d3a the customer's card ends 4242"


@pytest.fixture
def acme(support_user):
    customer = Customer.objects.create(name="Acme Ltd", email="ops@acme.example")
    for n in range(3):
        log(support_user, Customer, customer.pk, CHANGE, name=SECRET_PAYLOAD, message=f"change {n}")
    return customer


@pytest.fixture
def agent(client_for, support_user) -> Client:
    return client_for(support_user)


def object_url(customer: Customer) -> str:
    content_type = ContentType.objects.get_for_model(Customer)
    return reverse("auditconsole:object", args=[content_type.pk, str(customer.pk)])


def events() -> list[tuple[str, str, dict]]:
    return [
        (record.data["event"], record.data["url_name"], record.data["filters"])
        for record in access_records()
    ]


def test_an_object_page_view_is_one_record(console_log, acme, agent, support_user):
    assert agent.get(object_url(acme)).status_code == 200
    (record,) = access_records()
    content_type = ContentType.objects.get_for_model(Customer)
    assert record.level == "INFO"
    assert record.message == f"agent opened the history of demo.customer {acme.pk}"
    assert {key: record.data[key] for key in ("event", "url_name", "user_id", "username")} == {
        "event": "object",
        "url_name": "object",
        "user_id": support_user.pk,
        "username": "agent",
    }
    assert record.data["kwargs"] == {"content_type_id": content_type.pk, "object_id": str(acme.pk)}
    assert (record.data["filters"], record.data["fragment"]) == ({}, False)
    assert record.time is not None
    # A reload is another view.
    agent.get(object_url(acme))
    assert len(access_records()) == 2


def test_no_payload_and_no_secret(console_log, acme, agent):
    agent.get(object_url(acme))
    agent.get("/audit/activity/?q=password%3Dhunter2&api_token=abc123&action=change")
    record = get_source("app").page(Query()).records[0]
    agent.get(reverse("auditconsole:record", kwargs={"key": "app", "ref": record.token}))
    raw = console_log.read_text()
    for secret in ("hunter2", "abc123", SECRET_PAYLOAD, record.message):
        assert secret not in raw
    search = access_records()[1]
    assert search.data["filters"] == {
        "q": ["password=********"],
        "api_token": "********",
        "action": ["change"],
    }
    assert access_records()[2].message == "agent opened a record of log 'app'"


def test_paging_and_panels_continue_a_search(console_log, acme, agent):
    page = agent.get("/audit/activity/?action=change")
    assert page.status_code == 200
    assert events() == [("search", "activity", {"action": ["change"]})]
    # The next page, swapped in by htmx, or followed as a plain link: the same search.
    agent.get("/audit/activity/?action=change&after=2026-01-01T00%3A00%3A00Z~1", **HX)
    agent.get("/audit/activity/?action=change&page=2")
    # The lazy panels are other URLs, never recorded.
    agent.get("/audit/activity/facets/?action=change", **HX)
    agent.get("/audit/activity/chart/?action=change", **HX)
    assert len(access_records()) == 1
    # The filter form swapping the results: a new search, recorded as a fragment.
    agent.get("/audit/activity/?action=change&q=Acme", **HX)
    (*_, last) = access_records()
    assert (last.data["filters"], last.data["fragment"]) == (
        {"action": ["change"], "q": ["Acme"]},
        True,
    )


def test_a_tail_is_recorded_once_not_per_poll(console_log, agent):
    tail = reverse("auditconsole:tail", kwargs={"key": "app"})
    page = agent.get(tail)
    token = page.context["token"]
    for _ in range(5):
        agent.get(f"{tail}?cursor={token}", **POLL)
    assert events() == [("tail", "tail", {})]
    assert access_records()[0].message == "agent started a live tail of log 'app'"
    # New filters: a tail of other lines, started anew.
    agent.get(f"{tail}?level=ERROR&cursor={token}", **FILTER)
    agent.get(f"{tail}?level=ERROR&cursor={token}", **POLL)
    assert events() == [("tail", "tail", {}), ("tail", "tail", {"level": ["ERROR"]})]


def test_log_browsing_user_pages_and_merged_views(console_log, agent, support_user):
    agent.get("/audit/logs/app/?level=ERROR")
    agent.get("/audit/logs/merged/?sources=app&sources=console")
    agent.get(f"/audit/user/{support_user.pk}/")
    agent.get("/audit/tail/merged/?sources=app")
    assert [(event, name) for event, name, _ in events()] == [
        ("search", "source"),
        ("search", "merged"),
        ("user", "user"),
        ("tail", "tail_merged"),
    ]
    messages = [record.message for record in access_records()]
    assert messages[0] == "agent searched log 'app'"
    assert messages[1] == "agent searched log 'console+app'"  # merged in settings order
    assert messages[2] == f"agent opened the activity of agent (user #{support_user.pk})"


def test_a_forged_fragment_without_the_page_is_recorded(console_log, agent, client_for, superuser):
    """The continuation rule needs the signed cookie a recorded view sets, not headers."""
    agent.get("/audit/activity/?action=change&page=2", **HX)
    assert len(access_records()) == 1
    # The cookie of another user (same browser, another login) does not cover this one.
    other = client_for(superuser)
    other.cookies[access.COOKIE] = agent.cookies[access.COOKIE].value
    other.get("/audit/activity/?action=change&page=2", **HX)
    assert len(access_records()) == 2
    # A forged cookie is ignored.
    forger = client_for(superuser)
    forger.cookies[access.COOKIE] = "0123456789abcdef0123"
    forger.get("/audit/activity/?action=change&page=2", **HX)
    assert len(access_records()) == 3


def test_the_cookie_remembers_the_latest_views(console_log, agent):
    for n in range(access.REMEMBERED + 2):
        agent.get(f"/audit/activity/?q=n{n}")
    remembered = agent.cookies[access.COOKIE]
    assert remembered["path"] == "/audit/" and remembered["httponly"]
    count = len(access_records())
    agent.get(f"/audit/activity/?q=n{access.REMEMBERED + 1}&page=2")  # remembered
    agent.get("/audit/activity/?q=n0&page=2")  # forgotten: the oldest view
    assert len(access_records()) == count + 1


def test_what_is_recorded_is_a_setting(console_log, acme, agent, settings):
    settings.AUDITCONSOLE_ACCESS_LOG_EVENTS = ["object"]
    agent.get("/audit/activity/")
    agent.get(object_url(acme))
    assert [event for event, _, _ in events()] == ["object"]
    settings.AUDITCONSOLE_ACCESS_LOG = False
    agent.get(object_url(acme))
    assert len(access_records()) == 1
    # A malformed choice (auditconsole.E038) records everything rather than nothing.
    settings.AUDITCONSOLE_ACCESS_LOG = True
    settings.AUDITCONSOLE_ACCESS_LOG_EVENTS = "object"
    agent.get("/audit/activity/")
    assert len(access_records()) == 2


def test_hostile_query_strings_are_bounded(console_log, agent):
    params = "&".join(f"p{n}={'x' * 500}" for n in range(50))
    agent.get(f"/audit/activity/?{params}")
    (record,) = access_records()
    assert len(record.data["filters"]) == access.MAX_FILTERS
    assert {len(v[0]) for v in record.data["filters"].values()} == {access.MAX_VALUE_LENGTH}


# -- when the record cannot be written ---------------------------------------------------------


@pytest.fixture
def broken_writer():
    """The console's log is on a full disk, for access and export records alike."""
    logger = logging.getLogger("auditconsole")
    handler = logging.FileHandler("/dev/full", encoding="utf-8")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    with contextlib.suppress(OSError):
        handler.close()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_with_the_writer_broken_pages_warn_and_exports_are_refused(
    console_log, acme, agent, broken_writer, caplog
):
    page = agent.get(object_url(acme))
    assert page.status_code == 200
    content = page.content.decode()
    assert "The console's own trail is failing:" in content
    assert re.search(
        r'<div id="access-warning" class="access-warning">\s*<p class="message', content
    )
    failures = [r for r in caplog.records if r.name == "auditconsole.access.record"]
    assert failures and failures[0].levelname == "ERROR"
    assert (
        failures[0]
        .getMessage()
        .startswith(
            f"Access record not written (agent opened the history of demo.customer {acme.pk}): "
            "FileHandler (/dev/full): OSError: [Errno 28] No space left on device."
        )
    )
    # An htmx search carries the warning out of band, into the page's slot for it.
    fragment = agent.get("/audit/activity/?q=Acme", **HX).content.decode()
    assert '<div id="access-warning" class="access-warning" hx-swap-oob="true">' in fragment
    assert "The console's own trail is failing:" in fragment
    # A failed view is not remembered: its continuations are tried (and warn) again.
    assert access.COOKIE not in agent.cookies
    # Exports: refused, as the export rule says.
    refused = agent.get("/audit/activity/export.csv")
    assert refused.status_code == 503
    assert "The export was refused" in refused.content.decode()


def test_working_pages_carry_no_warning(console_log, acme, agent):
    content = agent.get(object_url(acme)).content.decode()
    assert re.search(r'<div id="access-warning" class="access-warning">\s*</div>', content)
    assert "own trail is failing" not in content
    fragment = agent.get("/audit/activity/?q=Acme", **HX).content.decode()
    assert "access-warning" not in fragment


def test_a_logger_that_drops_the_records_counts_as_broken(console_log, acme, agent):
    logger = logging.getLogger(LOGGER_NAME)
    saved = logger.level
    logger.setLevel(logging.WARNING)
    try:
        assert "own trail is failing" in agent.get(object_url(acme)).content.decode()
    finally:
        logger.setLevel(saved)
