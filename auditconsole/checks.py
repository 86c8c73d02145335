"""System checks. Ids are stable and documented in the README; never renumber them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from auditconsole.conf import conf
from auditconsole.export.checks import check_export_audit

REQUIRED_APPS: tuple[str, ...] = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "import_export",
)
HTMX_MIDDLEWARE = "django_htmx.middleware.HtmxMiddleware"

POSITIVE_INT_SETTINGS: tuple[str, ...] = (
    "PAGE_SIZE",
    "EXPORT_MAX_ROWS",
    "MAX_LINE_BYTES",
    "TAIL_INITIAL_LINES",
    "TAIL_MAX_DOM_LINES",
    "SCAN_BUDGET_BYTES",
)


def register() -> None:
    checks.register(check_dependencies)
    checks.register(check_settings)
    checks.register(check_log_sources)
    checks.register(check_export_audit)


def check_dependencies(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list:
    errors: list[checks.CheckMessage] = []
    for app in REQUIRED_APPS:
        if not apps.is_installed(app):
            errors.append(
                checks.Error(
                    f"'{app}' must be in INSTALLED_APPS to use auditconsole.",
                    hint="See 'Adding the app to an existing project' in the README.",
                    id="auditconsole.E001",
                )
            )
    if HTMX_MIDDLEWARE not in settings.MIDDLEWARE:
        errors.append(
            checks.Error(
                f"'{HTMX_MIDDLEWARE}' must be in MIDDLEWARE.",
                hint="The console's views rely on request.htmx to serve fragments.",
                id="auditconsole.E002",
            )
        )
    return errors


def check_settings(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list:
    errors: list[checks.CheckMessage] = []
    for name in POSITIVE_INT_SETTINGS:
        raw = getattr(settings, f"AUDITCONSOLE_{name}", 1)
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
            errors.append(
                checks.Error(
                    f"AUDITCONSOLE_{name} must be a positive integer, not {raw!r}.",
                    id="auditconsole.E005",
                )
            )
    raw_poll = getattr(settings, "AUDITCONSOLE_TAIL_POLL_SECONDS", 1.0)
    if not isinstance(raw_poll, int | float) or isinstance(raw_poll, bool) or raw_poll <= 0:
        errors.append(
            checks.Error(
                f"AUDITCONSOLE_TAIL_POLL_SECONDS must be a positive number, not {raw_poll!r}.",
                id="auditconsole.E005",
            )
        )
    raw_budget = getattr(settings, "AUDITCONSOLE_SCAN_BUDGET_SECONDS", 3.0)
    if not isinstance(raw_budget, int | float) or isinstance(raw_budget, bool) or raw_budget <= 0:
        errors.append(
            checks.Error(
                f"AUDITCONSOLE_SCAN_BUDGET_SECONDS must be a positive number, not {raw_budget!r}.",
                id="auditconsole.E005",
            )
        )
    require_record = getattr(settings, "AUDITCONSOLE_EXPORT_REQUIRE_RECORD", True)
    if not isinstance(require_record, bool):
        errors.append(
            checks.Error(
                "AUDITCONSOLE_EXPORT_REQUIRE_RECORD must be True or False, "
                f"not {require_record!r}.",
                hint=(
                    "True (the default) refuses an export whose record cannot be written to "
                    "the log; any other value is read as true or false by Python's rules."
                ),
                id="auditconsole.E022",
            )
        )
    keys = getattr(settings, "AUDITCONSOLE_REDACT_KEYS", ())
    if isinstance(keys, str) or not all(isinstance(k, str) and k for k in keys):
        errors.append(
            checks.Error(
                "AUDITCONSOLE_REDACT_KEYS must be a list of non-empty strings.",
                hint="A bare string would be read one letter at a time.",
                id="auditconsole.E006",
            )
        )
    return errors


def check_log_sources(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list:
    sources = conf.LOG_SOURCES
    if not isinstance(sources, dict):
        return [
            checks.Error(
                "AUDITCONSOLE_LOG_SOURCES must be a dict of named sources.",
                id="auditconsole.E003",
            )
        ]
    errors: list[checks.CheckMessage] = []
    for key, config in sources.items():
        if not isinstance(config, dict) or "BACKEND" not in config:
            errors.append(
                checks.Error(
                    f"Log source {key!r} must be a dict with a 'BACKEND'.",
                    id="auditconsole.E003",
                )
            )
            continue
        try:
            backend = import_string(config["BACKEND"])
        except ImportError as exc:
            errors.append(
                checks.Error(
                    f"Log source {key!r}: cannot import backend {config['BACKEND']!r}: {exc}",
                    id="auditconsole.E004",
                )
            )
            continue
        # Each backend validates its own OPTIONS and paths (E007-E014, W001-W003).
        from auditconsole.sources.base import LogSource

        if not (isinstance(backend, type) and issubclass(backend, LogSource)):
            errors.append(
                checks.Error(
                    f"Log source {key!r}: {config['BACKEND']!r} is not a LogSource subclass.",
                    id="auditconsole.E015",
                )
            )
            continue
        errors.extend(backend.check_config(key, config))
    return errors
