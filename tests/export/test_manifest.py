"""The manifest as a document: canonical bytes, hash, signature; and what an export's says."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.http import QueryDict

from auditconsole.export import keys, manifest
from auditconsole.export.audit import (
    LOGGER_NAME,
    ExportInfo,
    console_version,
    record_export,
)
from auditconsole.export.checks import manifest_keys
from auditconsole.export.plans import ActivityPlan, SourcePlan
from auditconsole.export.subject import describe, time_range, utc_text
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.query import LogFilterForm, MergedFilterForm, Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import INFO, finished
from tests.sources.helpers import FILE_SOURCE, app_line, write


def test_canonical_form_is_sorted_compact_utf8():
    assert (
        manifest.canonical({"b": 1, "a": ["é", None, True]})
        == '{"a":["é",null,true],"b":1}'.encode()
    )
    with pytest.raises(ValueError):
        manifest.canonical({"x": float("nan")})


def test_sign_then_verify_and_every_change_breaks_it():
    key = Ed25519PrivateKey.generate()
    signed = manifest.sign({"format": manifest.FORMAT, "seq": 1, "file": {"rows": 3}}, key)
    assert signed["key_id"] == hashlib.sha256(key.public_key().public_bytes_raw()).hexdigest()
    assert len(signed["signature"]) == 128 and int(signed["signature"], 16) >= 0  # hex
    assert manifest.signature_holds(signed, key.public_key())
    assert manifest.signature_holds(json.loads(json.dumps(signed, indent=3)), key.public_key())
    for changed in (
        {**signed, "seq": 2},
        {**signed, "file": {"rows": 2}},
        {**signed, "key_id": "0" * 64},
        {**signed, "signature": "zz"},
        {**signed, "signature": None},
    ):
        assert not manifest.signature_holds(changed, key.public_key())
    assert not manifest.signature_holds(signed, Ed25519PrivateKey.generate().public_key())
    # Signing again replaces the key id and signature rather than signing them.
    again = manifest.sign(signed, key)
    assert again == signed


def test_the_hash_covers_the_signature():
    key = Ed25519PrivateKey.generate()
    signed = manifest.sign({"format": manifest.FORMAT, "seq": 1, "file": {}}, key)
    assert manifest.digest(signed) == hashlib.sha256(manifest.canonical(signed)).hexdigest()
    assert manifest.digest(signed) != manifest.digest({**signed, "signature": "00"})


def test_is_manifest():
    assert manifest.is_manifest({"format": manifest.FORMAT, "seq": 1, "file": {}})
    assert not manifest.is_manifest({"format": "other", "seq": 1, "file": {}})
    assert not manifest.is_manifest({"format": manifest.FORMAT, "seq": "1", "file": {}})
    assert not manifest.is_manifest(["not", "a", "dict"])


def test_an_export_record_carries_its_signed_manifest(audit_log):
    stream = finished(3)
    signed = record_export(INFO, stream)
    (record,) = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    # Read back through the log source (redacted, re-parsed): the same manifest, verifiable.
    assert record.data["manifest"] == signed
    public = keys.private_key().public_key()
    assert manifest.signature_holds(record.data["manifest"], public)
    assert signed["format"] == manifest.FORMAT
    assert signed["exported_by"] == {"user_id": 14, "username": "agent"}
    assert (signed["via"], signed["view"], signed["max_rows"]) == ("web", "logs", 5)
    assert signed["file"] == {
        "name": "logs-app-2026-11-22T1030Z.csv",
        "rows": 3,
        "bytes": stream.bytes_written,
        "sha256": stream.sha256,
        "bom": True,
    }
    assert (signed["completed"], signed["capped"]) == (True, False)
    assert signed["console"] == {"name": "django-auditconsole", "version": console_version()}
    assert signed["started"].endswith("Z") and signed["finished"] >= signed["started"]
    # Without a subject (a caller that knows no plan): the parameters alone.
    assert signed["filters"] == {"words": [], "params": INFO.params}
    # Every key is one the redaction check (auditconsole.W036) knows about.
    assert set(_keys(record.data["manifest"])) <= set(manifest_keys())


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_manifests_chain_one_after_the_other(audit_log):
    first = record_export(INFO, finished(1))
    second = record_export(INFO, finished(2))
    assert second["seq"] == first["seq"] + 1
    assert second["previous"] == manifest.digest(first)


def test_an_interrupted_export_s_manifest_says_so(audit_log):
    stream = finished(9, max_rows=None, stop_after=2)
    signed = record_export(INFO, stream)
    assert signed["completed"] is False
    assert signed["file"]["rows"] == 2
    assert signed["file"]["bytes"] == stream.bytes_written > 0


def test_secrets_in_filters_stay_out_and_the_manifest_still_verifies(audit_log, support_user):
    plan = ActivityPlan(QueryDict("q=password%3Dhunter2"), support_user)
    info = ExportInfo(
        user_id=support_user.pk,
        username="agent",
        view=plan.view,
        params=plan.params,
        export_file="x.csv",
        subject=describe(plan),
    )
    signed = record_export(info, finished(1))
    text = json.dumps(signed)
    assert "hunter2" not in text
    assert signed["filters"]["params"] == {"q": ["password=********"]}
    assert signed["page"] == "/audit/activity/?q=password%3D%2A%2A%2A%2A%2A%2A%2A%2A"
    (record,) = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    assert record.data["manifest"] == signed
    assert manifest.signature_holds(record.data["manifest"], keys.private_key().public_key())


# -- what the export is of ----------------------------------------------------------------------


def test_activity_subject(support_user):
    plan = ActivityPlan(
        QueryDict("action=change&since=2026-01-01&until=2026-01-31&page=3"), support_user
    )
    subject = describe(plan)
    assert subject.page == "/audit/activity/?action=change&since=2026-01-01&until=2026-01-31"
    assert subject.words == (("Action", "Change"), ("From", "2026-01-01"), ("Until", "2026-01-31"))
    assert subject.params == {
        "action": ["change"],
        "since": ["2026-01-01"],
        "until": ["2026-01-31"],
    }
    fields = subject.as_fields()
    assert fields["time_range"] == {
        "since": "2026-01-01T00:00:00Z",
        "until": "2026-02-01T00:00:00Z",
    }
    assert fields["sources"] == [{"kind": "activity", "table": "django_admin_log"}]
    assert fields["filters"]["words"] == [
        ["Action", "Change"],
        ["From", "2026-01-01"],
        ["Until", "2026-01-31"],
    ]


def test_a_period_becomes_its_start(support_user):
    plan = ActivityPlan(QueryDict("period=7d&since=2000-01-01"), support_user)
    since, until = time_range(plan)
    assert until is None
    assert (plan.search.now - since).days == 7
    later = ActivityPlan(QueryDict("period=7d&since=2999-01-01"), support_user)
    assert utc_text(time_range(later)[0]) == "2999-01-01T00:00:00Z"


def test_log_subjects(tmp_path, settings):
    app = write(tmp_path / "app.log", [app_line(n) for n in range(3)])
    api = write(tmp_path / "api.log", [app_line(n) for n in range(3)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "app": {"BACKEND": FILE_SOURCE, "LABEL": "Application", "OPTIONS": {"path": str(app)}},
        "api": {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": str(api)}},
    }
    plan = SourcePlan(
        get_source("app"),
        LogFilterForm(
            QueryDict("level=ERROR&since=2026-04-04T12:00:00Z&until=2026-04-05T00:00:00Z")
        ),
    )
    fields = describe(plan).as_fields()
    assert (
        fields["page"]
        == "/audit/logs/app/?level=ERROR&since=2026-04-04T12%3A00%3A00Z&until=2026-04-05T00%3A00%3A00Z"
    )
    assert fields["time_range"] == {
        "since": "2026-04-04T12:00:00Z",
        "until": "2026-04-05T00:00:00Z",
    }
    assert fields["sources"] == [{"kind": "log", "key": "app", "label": "Application"}]
    merged = MergedSource([get_source("app"), get_source("api")])
    form = MergedFilterForm(
        QueryDict("sources=app&sources=api"), source_choices=[("app", "A"), ("api", "B")]
    )
    fields = describe(SourcePlan(merged, form)).as_fields()
    assert [s["key"] for s in fields["sources"]] == ["app", "api"]
    assert fields["time_range"] == {"since": None, "until": None}
    invalid = SourcePlan(get_source("app"), LogFilterForm(QueryDict("since=nonsense")))
    assert time_range(invalid) == (None, None)


def test_utc_text():
    import datetime

    assert utc_text(None) is None
    assert utc_text(datetime.datetime(2026, 1, 1, 12, 0, 0, 5)) == "2026-01-01T12:00:00.000005Z"
    east = datetime.timezone(datetime.timedelta(hours=2))
    assert utc_text(datetime.datetime(2026, 1, 1, 12, 0, tzinfo=east)) == "2026-01-01T10:00:00Z"
