"""W020 and W021: the export audit trail is kept, and can be read back."""

from __future__ import annotations

import logging

from auditconsole.export.checks import check_export_audit
from tests.sources.helpers import FILE_SOURCE


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_project_settings_pass(settings):
    # The standalone project: logconfig routes auditconsole.* to console.log, read as "console".
    assert check_export_audit() == []


def test_w020_level_above_info(exports_logger):
    exports_logger.setLevel(logging.WARNING)
    assert ids(check_export_audit()) == ["auditconsole.W020"]


def test_w020_no_handler(exports_logger):
    exports_logger.propagate = False
    exports_logger.handlers[:] = []
    assert ids(check_export_audit()) == ["auditconsole.W020"]


def test_w021_unknown_source(settings):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "exports"
    (message,) = check_export_audit()
    assert message.id == "auditconsole.W021"
    assert "'exports'" in message.msg


def test_w021_sources_not_a_dict(settings):
    settings.AUDITCONSOLE_LOG_SOURCES = ["console"]
    assert ids(check_export_audit()) == ["auditconsole.W021"]


def test_no_audit_source_is_a_choice(settings):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    settings.AUDITCONSOLE_LOG_SOURCES = {}
    assert check_export_audit() == []


def test_any_configured_source_will_do(settings, tmp_path):
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "exports"
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "exports": {"BACKEND": FILE_SOURCE, "OPTIONS": {"path": str(tmp_path)}}
    }
    assert check_export_audit() == []


def test_registered_with_django(settings):
    from django.core import checks

    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "exports"
    assert "auditconsole.W021" in ids(checks.run_checks())


def test_w020_says_exports_are_refused_while_a_record_is_required(exports_logger, settings):
    exports_logger.setLevel(logging.WARNING)
    (message,) = check_export_audit()
    assert "every export is refused (AUDITCONSOLE_EXPORT_REQUIRE_RECORD)" in message.hint
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    (message,) = check_export_audit()
    assert "refused" not in message.hint


def test_w021_leaves_a_key_of_the_wrong_type_to_e017(settings):
    # A list is unhashable: looking it up among the sources raised inside the check.
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = ["console"]
    assert check_export_audit() == []
