"""E030-W036: the signing key, the manifests' fields, and the chain in the console's log."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.admin.models import CHANGE
from django.core import checks
from django.core.management import call_command

from auditconsole import checks as ac_checks
from auditconsole.export import keys, ledger
from auditconsole.export.checks import (
    check_manifest_chain,
    check_manifest_fields,
    check_signing_key,
)
from project.demo.models import Ticket
from tests.activity.entries import log


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.fixture
def no_key(settings):
    settings.AUDITCONSOLE_SIGNING_KEY = None
    settings.AUDITCONSOLE_SIGNING_KEY_FILE = None
    return settings


def test_the_project_s_key_passes():
    assert check_signing_key() == []
    assert check_manifest_fields() == []


def test_e032_no_key(no_key):
    (message,) = check_signing_key()
    assert message.id == "auditconsole.E032"
    assert message.msg == "No key signs export manifests: every export is refused."


def test_e033_two_keys(no_key, tmp_path):
    no_key.AUDITCONSOLE_SIGNING_KEY = keys.private_pem(Ed25519PrivateKey.generate()).decode()
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = keys.ensure_key_file(tmp_path / "k.pem")
    assert ids(check_signing_key()) == ["auditconsole.E033"]


def test_e030_bad_pem_text(no_key):
    no_key.AUDITCONSOLE_SIGNING_KEY = "-----BEGIN NONSENSE-----"
    (message,) = check_signing_key()
    assert message.id == "auditconsole.E030"
    assert message.msg.startswith(
        "Export manifests cannot be signed: AUDITCONSOLE_SIGNING_KEY is not"
    )
    no_key.AUDITCONSOLE_SIGNING_KEY = keys.private_pem(Ed25519PrivateKey.generate()).decode()
    assert check_signing_key() == []


def test_e031_bad_key_file_and_w034_a_readable_one(no_key, tmp_path):
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = str(tmp_path / "missing.pem")
    (message,) = check_signing_key()
    assert message.id == "auditconsole.E031"
    assert "cannot be read" in message.msg
    path = keys.ensure_key_file(tmp_path / "k.pem")
    no_key.AUDITCONSOLE_SIGNING_KEY_FILE = path
    assert check_signing_key() == []
    path.chmod(0o640)
    (message,) = check_signing_key()
    assert message.id == "auditconsole.W034"
    assert (
        message.hint == f"Whoever can read it can sign forged manifests: chmod 600 {str(path)!r}."
    )


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("SIGNING_KEY", 42, "auditconsole.E030"),
        ("SIGNING_KEY_FILE", ["k.pem"], "auditconsole.E031"),
    ],
)
def test_wrong_types_are_the_settings_check_s(no_key, name, value, check_id):
    setattr(no_key, f"AUDITCONSOLE_{name}", value)
    assert check_signing_key() == []  # said once, by check_settings
    assert check_id in ids(ac_checks.check_settings())


def test_w036_redaction_that_would_break_manifests(settings):
    settings.AUDITCONSOLE_REDACT_KEYS = ["password", "key"]
    (message,) = check_manifest_fields()
    assert message.id == "auditconsole.W036"
    assert message.msg.startswith("AUDITCONSOLE_REDACT_KEYS masks manifest fields (key, key_id):")
    settings.AUDITCONSOLE_REDACT_KEYS = "not a list"  # E006's to report
    assert check_manifest_fields() == []


def test_registered_with_django(no_key):
    assert "auditconsole.E032" in ids(checks.run_checks())


# -- W035: the newest manifests in the console's log ---------------------------------------------


@pytest.fixture
def exports(audit_log, support_user, tmp_path):
    for n in range(3):
        log(support_user, Ticket, n, CHANGE, name=f"ticket {n}")
    for n in range(3):
        call_command(
            "auditconsole_export",
            "activity",
            "-o",
            str(tmp_path / f"out{n}.csv"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    return audit_log


def test_w035_an_intact_chain(exports):
    assert check_manifest_chain() == []


def test_w035_a_removed_record(exports):
    lines = exports.read_text().splitlines(keepends=True)
    exports.write_text("".join(line for line in lines if '"seq": 2,' not in line))
    (message,) = check_manifest_chain()
    assert message.id == "auditconsole.W035"
    assert message.msg.startswith(
        "The export manifests in the console's log (source 'console') show 1 problem: "
        "1 manifest missing between manifest #1"
    )
    assert "manage.py auditconsole_verify --log" in message.hint


def test_w035_shows_three_problems_and_counts_the_rest(exports, tmp_path):
    for n in range(3, 5):
        call_command(
            "auditconsole_export",
            "activity",
            "-o",
            str(tmp_path / f"x{n}.csv"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    # Every row count edited, the manifests' too: five edits.
    exports.write_text(exports.read_text().replace('"rows": 3', '"rows": 2'))
    (message,) = check_manifest_chain()
    assert "show 5 problems" in message.msg and message.msg.endswith("(and 2 more).")
    assert message.msg.count("its signature does not hold") == 3


def test_w035_is_bounded(exports, monkeypatch):
    monkeypatch.setattr(ledger, "RECENT_MANIFESTS", 1)
    lines = exports.read_text().splitlines(keepends=True)
    exports.write_text("".join(line for line in lines if '"seq": 1,' not in line))
    # Only the newest manifest is read: the gap further back is --log's to find.
    assert check_manifest_chain() == []


def test_w035_has_nothing_to_say_without_a_log_or_a_key(exports, settings):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    assert check_manifest_chain() == []
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    settings.AUDITCONSOLE_SIGNING_KEY_FILE = None
    assert check_manifest_chain() == []


def test_w035_an_unreadable_log(exports, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("gone")

    monkeypatch.setattr(ledger, "walk_recent", broken)
    assert check_manifest_chain() == []


def test_w035_runs_with_check_deploy(exports):
    lines = exports.read_text().splitlines(keepends=True)
    exports.write_text("".join(line for line in lines if '"seq": 2,' not in line))
    assert "auditconsole.W035" not in ids(checks.run_checks())
    assert "auditconsole.W035" in ids(checks.run_checks(include_deployment_checks=True))


def test_the_ledger_s_source(settings):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "gone"
    with pytest.raises(ledger.LedgerUnavailable, match="not a configured log source"):
        ledger.audit_source()
    settings.AUDITCONSOLE_LOG_SOURCES = {"gone": {"BACKEND": "nowhere.Nothing"}}
    with pytest.raises(ledger.LedgerUnavailable, match="is misconfigured"):
        ledger.audit_source()


def test_the_ledger_reads_export_records_only(exports):
    lines = exports.read_text().splitlines()
    other = json.loads(lines[-1])
    other["name"] = "auditconsole.exports_archive"  # the logger filter is a prefix
    other["manifest"]["seq"] = 99
    exports.write_text("\n".join([*lines, json.dumps(other)]) + "\n")
    assert check_manifest_chain() == []
    source = ledger.audit_source()
    assert ledger.find(source, {}) is None
    assert ledger.find(source, json.loads(lines[-1])["manifest"]) is not None
