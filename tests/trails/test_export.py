"""The CSV export of every trail: the ``trail`` column, masking, escaping, the record; the
object page's and the user page's exports of it."""

from __future__ import annotations

import json
import logging
import re
from html import unescape
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.urls import reverse

from auditconsole.export.audit import LOGGER_NAME
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from project.demo.models import Customer
from tests.activity.entries import content_type, log
from tests.export.helpers import (
    FailingHandler,
    _no_time_budget,
    add_exports_handler,
    audit_log,
    exports_logger,
    read_csv,
    records,
)
from tests.trailapp.models import Supplier

__all__ = ["_no_time_budget", "add_exports_handler", "audit_log", "exports_logger"]

CSV = "/audit/activity/trails/export.csv"
CONFIRM = "/audit/activity/trails/export/"
TWO_TRAILS = {
    "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
    "history": {"BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail"},
}


def export_records() -> list:
    return list(get_source("console").iter_records(Query(logger=LOGGER_NAME)))


def test_every_trail_in_one_file(audit_log, client_for, superuser, save_as, settings, tmp_path):
    settings.AUDITCONSOLE_TRAILS = TWO_TRAILS
    supplier = save_as(Supplier(), superuser, name="=HYPERLINK(1)", api_token="t0k")
    entry = log(superuser, supplier, supplier.pk, CHANGE, name="=HYPERLINK(1)", message="Called")
    client = client_for(superuser)
    confirm = client.get(CONFIRM).content.decode()
    assert "At most <strong>2</strong> rows will be exported" in confirm
    response = client.get(CSV, {"q": "HYPERLINK"})
    assert isinstance(response, StreamingHttpResponse)
    assert 'filename="trails-' in response["Content-Disposition"]
    rows = records(read_csv(response.streaming_content))
    # The search: the admin's log answers, simple-history cannot and is left out.
    assert [(r["trail"], r["action"], r["object_id"]) for r in rows] == [
        ("admin", "change", str(supplier.pk))
    ]
    assert rows[0]["object_repr"] == "'=HYPERLINK(1)" and rows[0]["summary"] == "Called"
    everything = records(read_csv(client.get(CSV).streaming_content))
    assert [r["trail"] for r in everything] == ["admin", "history"]
    history = everything[1]
    assert "api token: ******** → ********" in history["change"]
    assert "t0k" not in json.dumps(everything)
    assert history["content_type"] == "trailapp.supplier" and history["user"] == "root"
    # Recorded, start and end, with the trails it read.
    recorded = export_records()
    assert recorded and recorded[-1].data["view"] == "trails"
    # The command writes the same file.
    out = tmp_path / "trails.csv"
    call_command("auditconsole_export", "trails", "--as-user", "root", "--output", str(out))
    assert [r["trail"] for r in records(read_csv(out.read_bytes()))] == ["admin", "history"]
    assert entry.pk


def test_a_change_two_trails_recorded_is_one_row(audit_log, client_for, superuser, settings):
    """As on the page: one row, both trails, the richer diff, each trail's own link."""
    settings.AUDITCONSOLE_TRAILS = TWO_TRAILS
    client = client_for(superuser)
    supplier = Supplier.objects.create(name="Acme", email="a@example.com")
    change_url = reverse("admin:trailapp_supplier_change", args=[supplier.pk])
    posted = client.post(change_url, {"name": "=Acme Ltd", "email": "a@example.com"})
    assert posted.status_code == 302
    query = {"content_type": "trailapp.supplier", "object_id": supplier.pk}
    # Three records (the creation outside a request, by no one; the edit, twice): at most
    # three rows, two in the file.
    confirm = client.get(CONFIRM, query).content.decode()
    assert "At most <strong>3</strong> rows will be exported" in confirm
    # One record is one row, whatever the trails.
    one = client.get(CONFIRM, {**query, "action": "addition"}).content.decode()
    assert "<strong>1</strong> row will be exported." in one and "At most" not in one
    rows = records(read_csv(client.get(CSV, query).streaming_content))
    assert [(r["trail"], r["action"], r["user"]) for r in rows] == [
        ("admin; history", "change", "root"),
        ("history", "addition", ""),
    ]
    edit = rows[0]
    assert edit["change"] == "name: Acme → =Acme Ltd"  # not a cell's start: not escaped
    assert edit["summary"] == "Change recorded by simple-history."  # the lead's, as on the page
    assert edit["object_repr"] == "'=Acme Ltd"
    # The admin's history page, then simple-history's page of that record.
    history = f"/admin/trailapp/supplier/{supplier.pk}/history/"
    record = Supplier.history.latest().history_id  # type: ignore[attr-defined]
    assert edit["link"] == f"{history}; {history}{record}/"
    assert edit["user_id"] == str(superuser.pk)
    # The record says how many rows the file holds.
    finished = [r for r in export_records() if "rows" in r.data]
    assert finished and finished[-1].data["rows"] == 2


def test_an_export_that_cannot_be_recorded_is_refused(
    audit_log, client_for, superuser, exports_logger, add_exports_handler
):
    add_exports_handler(FailingHandler())
    exports_logger.setLevel(logging.INFO)
    response = client_for(superuser).get(CSV)
    assert response.status_code == 503 and "Content-Disposition" not in response


def test_bad_filters_are_errors(client_for, superuser) -> None:
    response = client_for(superuser).get(CSV, {"since": "yesterday-ish"})
    assert response.status_code == 400


# -- the object page's and the user page's exports ------------------------------------------


def href_of(html: str, text: str) -> str:
    """The ``href`` of the link (or button) whose text is ``text``, unescaped."""
    match = re.search(rf'<a [^>]*href="([^"]*)"[^>]*>{re.escape(text)}</a>', html)
    assert match, f"no link {text!r}"
    return unescape(match.group(1))


def as_csv(confirm_url: str) -> str:
    """The download beside a confirmation page, with its query string."""
    path, _, query = confirm_url.partition("?")
    assert path == CONFIRM
    return f"{CSV}?{query}"


@pytest.fixture
def two_suppliers(audit_log, superuser, make_user, save_as, settings) -> dict[str, Any]:
    """Two suppliers, each recorded by the admin's log and by simple-history, each by
    its own user; and a customer changed by the first user (a model only some may see)."""
    settings.AUDITCONSOLE_TRAILS = TWO_TRAILS
    alice, bob = make_user("alice"), make_user("bob")
    acme = save_as(Supplier(), alice, name="Acme")
    log(alice, acme, acme.pk, CHANGE, name="Acme", message="Called")
    other = save_as(Supplier(), bob, name="Other")
    log(bob, other, other.pk, CHANGE, name="Other", message="Called too")
    customer = Customer.objects.create(name="Alice's customer", email="c@example.com")
    log(alice, customer, customer.pk, CHANGE, name="Alice's customer")
    return {"alice": alice, "bob": bob, "acme": acme, "other": other, "customer": customer}


def object_url(supplier: Supplier) -> str:
    return reverse("auditconsole:object", args=[content_type(Supplier).pk, supplier.pk])


def test_object_page_exports_its_merged_timeline(two_suppliers, client_for, superuser):
    acme = two_suppliers["acme"]
    client = client_for(superuser)
    html = client.get(object_url(acme)).content.decode()
    query = f"content_type=trailapp.supplier&object_id={acme.pk}"
    export = href_of(html, "Export CSV")
    assert export == f"{CONFIRM}?{query}"
    assert href_of(html, "In the activity list") == f"/audit/activity/trails/?{query}"
    # The list it links to answers the object filter with both trails.
    listed = client.get(href_of(html, "In the activity list"))
    assert listed.status_code == 200 and not listed.context["refused"]
    assert {item.lead.trail for item in listed.context["page"].items} == {"admin", "history"}
    assert "At most <strong>2</strong> rows will be exported" in client.get(export).content.decode()
    rows = records(read_csv(client.get(as_csv(export)).streaming_content))
    assert sorted(r["trail"] for r in rows) == ["admin", "history"]
    assert {(r["content_type"], r["object_id"]) for r in rows} == {
        ("trailapp.supplier", str(acme.pk))
    }
    # Recorded as any export of the trails, with the object's filters.
    params = {"content_type": ["trailapp.supplier"], "object_id": [str(acme.pk)]}
    assert {(r.data["view"], json.dumps(r.data["params"])) for r in export_records()} == {
        ("trails", json.dumps(params))
    }


def test_user_trails_page_exports_that_user_s_entries(two_suppliers, client_for, superuser):
    alice, acme = two_suppliers["alice"], two_suppliers["acme"]
    client = client_for(superuser)
    html = client.get(reverse("auditconsole:user_trails", args=[alice.pk])).content.decode()
    export = href_of(html, "Export CSV")
    assert export == f"{CONFIRM}?user={alice.pk}"
    assert client.get(export).status_code == 200
    rows = records(read_csv(client.get(as_csv(export)).streaming_content))
    assert {r["user"] for r in rows} == {"alice"}
    assert sorted((r["trail"], r["content_type"], r["object_id"]) for r in rows) == [
        ("admin", "demo.customer", str(two_suppliers["customer"].pk)),
        ("admin", "trailapp.supplier", str(acme.pk)),
        ("history", "trailapp.supplier", str(acme.pk)),
    ]
    assert {json.dumps(r.data["params"]) for r in export_records()} == {
        json.dumps({"user": [str(alice.pk)]})
    }
    # The page's filters go along; its paging does not.
    html = client.get(
        reverse("auditconsole:user_trails", args=[alice.pk]),
        {"action": "change", "after": "2026-03-04T14:23:01.123456Z~5"},
    ).content.decode()
    assert href_of(html, "Export CSV") == f"{CONFIRM}?action=change&user={alice.pk}"


def test_without_the_export_permission_no_button_and_403(two_suppliers, client_for, make_user):
    acme, alice = two_suppliers["acme"], two_suppliers["alice"]
    viewer = make_user(
        "viewer", console_perms=("view_activity",), perms=("trailapp.view_supplier",)
    )
    client = client_for(viewer)
    for page in (object_url(acme), reverse("auditconsole:user_trails", args=[alice.pk])):
        response = client.get(page)
        assert response.status_code == 200
        assert "Export CSV" not in response.content.decode()
    for url in (CONFIRM, CSV):
        assert client.get(url, {"user": alice.pk}).status_code == 403
        assert (
            client.get(url, {"content_type": "trailapp.supplier", "object_id": acme.pk}).status_code
            == 403
        )
    assert not export_records()


def test_model_scoping_applies_to_the_user_s_export(two_suppliers, client_for, support_user):
    alice = two_suppliers["alice"]
    client = client_for(support_user)  # every console permission, the demo models only
    html = client.get(reverse("auditconsole:user_trails", args=[alice.pk])).content.decode()
    rows = records(read_csv(client.get(as_csv(href_of(html, "Export CSV"))).streaming_content))
    assert [(r["trail"], r["content_type"]) for r in rows] == [("admin", "demo.customer")]
    # Naming a model out of scope is a form error, not an export of something else.
    response = client.get(
        CSV, {"content_type": "trailapp.supplier", "object_id": two_suppliers["acme"].pk}
    )
    assert response.status_code == 400


def test_the_admin_log_alone_keeps_the_logentry_links(
    two_suppliers, client_for, supplier_reader, settings
):
    """A viewer who sees only the LogEntry trail gets the LogEntry list and export."""
    settings.AUDITCONSOLE_TRAILS = {
        **TWO_TRAILS,
        "history": {**TWO_TRAILS["history"], "PERMISSION": "auth.view_user"},
    }
    acme = two_suppliers["acme"]
    html = client_for(supplier_reader).get(object_url(acme)).content.decode()
    query = f"content_type=trailapp.supplier&object_id={acme.pk}"
    assert href_of(html, "Export CSV") == f"/audit/activity/export/?{query}"
    assert href_of(html, "In the activity list") == f"/audit/activity/?{query}"
