from __future__ import annotations

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy

from auditconsole import checks as ac_checks
from auditconsole.conf import Settings


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


def settings_names() -> list[str]:
    return [name for name, value in vars(Settings).items() if isinstance(value, property)]


@pytest.mark.parametrize("name", settings_names())
def test_every_setting_has_its_type_checked(settings, name) -> None:
    # A setting added to conf without a check fails here: conf no longer converts, so an
    # unchecked wrong type would only show up at request time.
    setattr(settings, f"AUDITCONSOLE_{name}", object())
    messages = ac_checks.check_settings() + ac_checks.check_log_sources()
    assert [m for m in messages if f"AUDITCONSOLE_{name} " in m.msg and m.is_serious()]


def test_every_default_passes(settings) -> None:
    for name in settings_names():
        if name != "LOG_SOURCES" and hasattr(settings, f"AUDITCONSOLE_{name}"):
            delattr(settings, f"AUDITCONSOLE_{name}")
    assert ac_checks.check_settings() == []


@pytest.mark.parametrize(
    ("name", "check_id"),
    [
        ("SCOPE_TO_MODEL_PERMISSIONS", "auditconsole.E016"),
        ("EXPORT_REQUIRE_RECORD", "auditconsole.E022"),
    ],
)
@pytest.mark.parametrize("value", ["False", "True", 1, None])
def test_a_boolean_given_as_anything_else_is_an_error(settings, name, check_id, value) -> None:
    setattr(settings, f"AUDITCONSOLE_{name}", value)
    (message,) = ac_checks.check_settings()
    assert message.id == check_id
    assert message.msg == f"AUDITCONSOLE_{name} must be True or False, not {value!r}."
    assert "Python's rules" in message.hint


def test_e016_registered_with_django(settings) -> None:
    settings.AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS = "False"
    assert "auditconsole.E016" in ids(checks.run_checks())


@pytest.mark.parametrize("name", ac_checks.POSITIVE_INT_SETTINGS)
def test_e005_an_integer_given_as_a_string(settings, name) -> None:
    setattr(settings, f"AUDITCONSOLE_{name}", "5")
    (message,) = ac_checks.check_settings()
    assert message.id == "auditconsole.E005"
    assert message.msg == f"AUDITCONSOLE_{name} must be a positive integer, not '5'."


@pytest.mark.parametrize("name", ac_checks.POSITIVE_NUMBER_SETTINGS)
@pytest.mark.parametrize("value", ["1.5", True, -2])
def test_e005_a_number_given_as_anything_else(settings, name, value) -> None:
    setattr(settings, f"AUDITCONSOLE_{name}", value)
    (message,) = ac_checks.check_settings()
    assert message.id == "auditconsole.E005"
    assert message.msg == f"AUDITCONSOLE_{name} must be a positive number, not {value!r}."


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("REDACTED_PLACEHOLDER", None, "a string"),
        ("REDACTED_PLACEHOLDER", gettext_lazy("hidden"), "a string"),
        ("LOGOUT_URL", 0, "a string"),
        ("EXPORT_AUDIT_SOURCE", ["console"], "a string or None"),
    ],
)
def test_e017_text_setting_of_another_type(settings, name, value, expected) -> None:
    setattr(settings, f"AUDITCONSOLE_{name}", value)
    (message,) = ac_checks.check_settings()
    assert message.id == "auditconsole.E017"
    assert message.msg == f"AUDITCONSOLE_{name} must be {expected}, not {value!r}."


def test_e017_accepts_what_each_text_setting_allows(settings) -> None:
    settings.AUDITCONSOLE_REDACTED_PLACEHOLDER = ""
    settings.AUDITCONSOLE_LOGOUT_URL = reverse_lazy("logout")
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None
    assert ac_checks.check_settings() == []


@pytest.mark.parametrize("value", [5, iter(["password"]), ("password", 3)])
def test_e006_redact_keys_that_are_no_list_of_strings(settings, value) -> None:
    # 5 used to crash the check itself, which iterated whatever it was given; an iterator
    # would be used up by the check and leave nothing to mask.
    settings.AUDITCONSOLE_REDACT_KEYS = value
    assert ids(ac_checks.check_settings()) == ["auditconsole.E006"]


@pytest.mark.parametrize("value", [("pin",), {"pin", "iban"}, frozenset({"pin"})])
def test_e006_accepts_tuples_and_sets(settings, value) -> None:
    settings.AUDITCONSOLE_REDACT_KEYS = value
    assert ac_checks.check_settings() == []
