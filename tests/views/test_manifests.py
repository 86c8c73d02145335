"""An export's manifest on the web, and the page with the key that verifies it."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from auditconsole.export import keys, ledger
from auditconsole.export.audit import LOGGER_NAME
from auditconsole.export.manifest import key_id
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import _no_time_budget, audit_log
from tests.sources.helpers import append

__all__ = ["_no_time_budget", "audit_log"]


@pytest.fixture
def exported(audit_log, client_for, support_user):
    client = client_for(support_user)
    response = client.get("/audit/activity/export.csv")
    b"".join(response.streaming_content)
    (record,) = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    return client, record


def manifest_url(token: str) -> str:
    return reverse("auditconsole:export_manifest", kwargs={"export_ref": token})


def test_the_manifest_of_an_export(exported):
    client, record = exported
    url = manifest_url(ledger.export_ref(record))
    assert ledger.export_ref(record) == ledger.export_ref(record)  # the same link every time
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert json.loads(response.content) == record.data["manifest"]
    assert response.content.decode().startswith('{\n  "capped": false,')


def test_what_is_not_an_export_manifest_is_a_404(exported, audit_log, settings):
    client, record = exported
    good = ledger.export_ref(record)
    assert client.get(manifest_url(good[:-2] + "xx")).status_code == 404  # forged
    assert client.get(manifest_url("x" * 2000)).status_code == 404
    # The start record of the same export: a record, but not an export's.
    start = next(get_source("console").iter_records(Query(logger="auditconsole.export_starts")))
    assert client.get(manifest_url(ledger.export_ref(start))).status_code == 404
    # An export record without a manifest (written before manifests existed).
    append(
        audit_log, json.dumps({"name": LOGGER_NAME, "level": "INFO", "message": "old", "rows": 1})
    )
    old = next(get_source("console").iter_records(Query(logger=LOGGER_NAME)))
    assert client.get(manifest_url(ledger.export_ref(old))).status_code == 404
    # A reference made for another source.
    settings.AUDITCONSOLE_LOG_SOURCES["other"] = settings.AUDITCONSOLE_LOG_SOURCES["console"]
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "other"
    assert client.get(manifest_url(good)).status_code == 404
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "gone"
    assert client.get(manifest_url(good)).status_code == 404
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    assert client.get(manifest_url(good)).status_code == 404


def test_a_source_one_may_not_see_has_no_manifests(exported, settings, client_for, viewer_user):
    _, record = exported
    url = manifest_url(ledger.export_ref(record))
    assert client_for(viewer_user).get(url).status_code == 200
    settings.AUDITCONSOLE_LOG_SOURCES["console"]["PERMISSION"] = "demo.delete_customer"
    assert client_for(viewer_user).get(url).status_code == 404


def test_the_signing_key_page(client_for, viewer_user, settings):
    content = client_for(viewer_user).get("/audit/exports/signing-key/").content.decode()
    private = keys.private_key()
    assert keys.public_pem(private).strip() in content
    assert key_id(private.public_key()) in content
    assert "PRIVATE" not in content
    settings.AUDITCONSOLE_SIGNING_KEY_FILE = None
    content = client_for(viewer_user).get("/audit/exports/signing-key/").content.decode()
    assert "No key signs export manifests yet" in content
    assert not re.search(r"BEGIN PUBLIC KEY", content)


def test_the_exports_panel_links_to_the_key(exported, support_user):
    client, _ = exported
    panel = client.get(f"/audit/user/{support_user.pk}/exports/").content.decode()
    assert 'href="/audit/exports/signing-key/"' in panel
