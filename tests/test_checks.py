from __future__ import annotations

import pytest
from django.core import checks
from django.test import override_settings

from auditconsole import checks as ac_checks


def ids(messages: list) -> list[str]:
    return [m.id for m in messages]


def test_project_configuration_is_clean() -> None:
    messages = checks.run_checks()
    assert [m for m in messages if m.id.startswith("auditconsole.E")] == []


def test_e001_missing_dependency_app(settings) -> None:
    apps = [a for a in settings.INSTALLED_APPS if a != "django_tables2"]
    with override_settings(INSTALLED_APPS=apps):
        messages = ac_checks.check_dependencies()
    assert ids(messages) == ["auditconsole.E001"]
    assert "django_tables2" in messages[0].msg


def test_e002_missing_htmx_middleware(settings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "htmx" not in m]
    assert ids(ac_checks.check_dependencies()) == ["auditconsole.E002"]


@pytest.mark.parametrize(
    "value",
    [["not", "a", "dict"], {"app": "just a string"}, {"app": {"OPTIONS": {}}}],
)
def test_e003_malformed_log_sources(settings, value) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = value
    assert "auditconsole.E003" in ids(ac_checks.check_log_sources())


def test_e004_backend_not_importable(settings) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {"app": {"BACKEND": "nowhere.Nothing", "OPTIONS": {}}}
    messages = ac_checks.check_log_sources()
    assert ids(messages) == ["auditconsole.E004"]
    assert "'app'" in messages[0].msg


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAGE_SIZE", 0),
        ("PAGE_SIZE", "50"),
        ("EXPORT_MAX_ROWS", -1),
        ("TAIL_MAX_DOM_LINES", True),
        ("TAIL_POLL_SECONDS", 0),
        ("TAIL_POLL_SECONDS", "1"),
    ],
)
def test_e005_bad_numeric_setting(settings, name, value) -> None:
    setattr(settings, f"AUDITCONSOLE_{name}", value)
    messages = ac_checks.check_settings()
    assert ids(messages) == ["auditconsole.E005"]
    assert f"AUDITCONSOLE_{name}" in messages[0].msg


@pytest.mark.parametrize("value", ["password", ["password", ""], [None]])
def test_e006_bad_redact_keys(settings, value) -> None:
    settings.AUDITCONSOLE_REDACT_KEYS = value
    assert ids(ac_checks.check_settings()) == ["auditconsole.E006"]


def test_valid_settings_produce_no_messages(settings) -> None:
    settings.AUDITCONSOLE_PAGE_SIZE = 25
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.5
    settings.AUDITCONSOLE_REDACT_KEYS = ["password", "pin"]
    assert ac_checks.check_settings() == []


@pytest.mark.parametrize("value", ["False", 0, None])
def test_e022_require_record_is_not_a_boolean(settings, value) -> None:
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = value
    messages = ac_checks.check_settings()
    assert ids(messages) == ["auditconsole.E022"]
    assert "AUDITCONSOLE_EXPORT_REQUIRE_RECORD must be True or False" in messages[0].msg


@pytest.mark.parametrize("value", [True, False])
def test_e022_either_boolean_will_do(settings, value) -> None:
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = value
    assert ac_checks.check_settings() == []


def test_e022_registered_with_django(settings) -> None:
    settings.AUDITCONSOLE_EXPORT_REQUIRE_RECORD = "no"
    assert "auditconsole.E022" in ids(checks.run_checks())
