"""The CSV export of every trail: the ``trail`` column, masking, escaping, the record."""

from __future__ import annotations

import json
import logging

from django.contrib.admin.models import CHANGE
from django.core.management import call_command
from django.http import StreamingHttpResponse

from auditconsole.export.audit import LOGGER_NAME
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.activity.entries import log
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
    assert "<strong>2</strong> rows will be exported." in confirm
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
