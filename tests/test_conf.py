from __future__ import annotations

from auditconsole.conf import DEFAULT_REDACT_KEYS, conf


def test_defaults(settings) -> None:
    for name in (
        "AUDITCONSOLE_REDACT_KEYS",
        "AUDITCONSOLE_PAGE_SIZE",
        "AUDITCONSOLE_EXPORT_MAX_ROWS",
        "AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS",
        "AUDITCONSOLE_LOGOUT_URL",
        "AUDITCONSOLE_FACET_ESTIMATE_ROWS",
    ):
        if hasattr(settings, name):
            delattr(settings, name)
    assert conf.REDACT_KEYS == DEFAULT_REDACT_KEYS
    assert conf.PAGE_SIZE == 50
    assert conf.EXPORT_MAX_ROWS == 1_000_000
    assert conf.SCOPE_TO_MODEL_PERMISSIONS is True
    assert conf.LOGOUT_URL == "logout"
    assert conf.MAX_LINE_BYTES == 64 * 1024
    assert conf.TAIL_INITIAL_LINES == 100
    assert conf.TAIL_MAX_DOM_LINES == 2000
    assert conf.TAIL_POLL_SECONDS == 1.0
    assert conf.REDACTED_PLACEHOLDER
    assert conf.FACET_ESTIMATE_ROWS == 2_000_000


def test_settings_are_read_on_every_access(settings) -> None:
    # override_settings must take effect without reimporting anything.
    settings.AUDITCONSOLE_PAGE_SIZE = 7
    assert conf.PAGE_SIZE == 7
    settings.AUDITCONSOLE_PAGE_SIZE = 9
    assert conf.PAGE_SIZE == 9
    settings.AUDITCONSOLE_REDACT_KEYS = ["pin"]
    assert conf.REDACT_KEYS == ("pin",)
    settings.AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS = False
    assert conf.SCOPE_TO_MODEL_PERMISSIONS is False


def test_exports_require_a_record_by_default(settings) -> None:
    if hasattr(settings, "AUDITCONSOLE_EXPORT_REQUIRE_RECORD"):
        delattr(settings, "AUDITCONSOLE_EXPORT_REQUIRE_RECORD")
    assert conf.EXPORT_REQUIRE_RECORD is True
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = False
    assert conf.EXPORT_REQUIRE_RECORD is False


def test_values_come_back_as_configured(settings) -> None:
    # No conversion on read: a wrong type must reach the system checks as it was written,
    # and "False" must not become True on the way.
    settings.AUDITCONSOLE_PAGE_SIZE = "50"
    assert conf.PAGE_SIZE == "50"
    settings.AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS = "False"
    assert conf.SCOPE_TO_MODEL_PERMISSIONS == "False"
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = 0
    assert conf.EXPORT_REQUIRE_RECORD == 0
    assert conf.EXPORT_REQUIRE_RECORD is not False
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 2
    assert type(conf.TAIL_POLL_SECONDS) is int
    settings.AUDITCONSOLE_REDACT_KEYS = "password"
    assert conf.REDACT_KEYS == "password"
    placeholder = object()
    settings.AUDITCONSOLE_REDACTED_PLACEHOLDER = placeholder
    assert conf.REDACTED_PLACEHOLDER is placeholder
