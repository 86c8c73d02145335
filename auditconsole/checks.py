"""System checks. Ids are stable and documented in the README; never renumber them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from auditconsole.access.checks import check_access_log
from auditconsole.access.events import EVENTS
from auditconsole.activity.checks import check_search_index
from auditconsole.conf import conf
from auditconsole.export.checks import (
    check_export_audit,
    check_manifest_chain,
    check_manifest_fields,
    check_signing_key,
)
from auditconsole.trails.checks import check_trails

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
    "FACET_CACHE_KEYS",
    "FACET_ESTIMATE_ROWS",
    "TAIL_STREAMS_PER_PROCESS",
    "TAIL_STREAMS_PER_USER",
)
POSITIVE_NUMBER_SETTINGS: tuple[str, ...] = (
    "TAIL_POLL_SECONDS",
    "SCAN_BUDGET_SECONDS",
    "TAIL_STREAM_MAX_SECONDS",
    "TAIL_STREAM_HEARTBEAT_SECONDS",
    "TAIL_STREAM_SESSION_SECONDS",
    "TRAIL_LOGS_WINDOW_SECONDS",
)


class BooleanSetting(NamedTuple):
    name: str
    id: str
    hint: str


# Python reads any value as true or false, so each of these says what is at stake. E022 came
# first, with the export record; the other booleans share E016.
BOOLEAN_SETTINGS: tuple[BooleanSetting, ...] = (
    BooleanSetting(
        "SCOPE_TO_MODEL_PERMISSIONS",
        "auditconsole.E016",
        "True (the default) limits each non-superuser to the changes of models they may "
        "view; any other value is read as true or false by Python's rules.",
    ),
    BooleanSetting(
        "EXPORT_REQUIRE_RECORD",
        "auditconsole.E022",
        "True (the default) refuses an export whose record cannot be written to the log; "
        "any other value is read as true or false by Python's rules.",
    ),
    BooleanSetting(
        "TAIL_STREAM",
        "auditconsole.E045",
        "True (the default) pushes the live tail over Server-Sent Events when the console is "
        "served over ASGI; False keeps it polling. Any other value is read as true or false "
        "by Python's rules.",
    ),
    BooleanSetting(
        "ACCESS_LOG",
        "auditconsole.E037",
        "True (the default) records the console's own reads in its log; any other value is "
        "read as true or false by Python's rules.",
    ),
)
# Text settings and whether None is a valid choice. LOGOUT_URL may be lazy, as Django's own
# LOGIN_URL often is (reverse_lazy); the placeholder is written into stored change
# messages, so it must be a real string.
TEXT_SETTINGS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("REDACTED_PLACEHOLDER", (str,)),
    ("LOGOUT_URL", (str, Promise)),
    ("EXPORT_AUDIT_SOURCE", (str, type(None))),
    ("TRAIL_LOGS_USER_FIELD", (str, type(None))),
)


def register() -> None:
    checks.register(check_dependencies)
    checks.register(check_settings)
    checks.register(check_log_sources)
    checks.register(check_export_audit)
    checks.register(check_signing_key)
    checks.register(check_manifest_fields)
    # Reading the log is not for every manage.py command: `check --deploy` runs it.
    checks.register(check_manifest_chain, deploy=True)
    checks.register(check_access_log)
    checks.register(check_trails)
    # Reads the database: run by `migrate` and `check --database`, not by every command.
    checks.register(check_search_index, checks.Tags.database)


def check_dependencies(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
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
    # Django's own settings are read where Django keeps them; conf holds only ours.
    if HTMX_MIDDLEWARE not in settings.MIDDLEWARE:
        errors.append(
            checks.Error(
                f"'{HTMX_MIDDLEWARE}' must be in MIDDLEWARE.",
                hint="The console's views rely on request.htmx to serve fragments.",
                id="auditconsole.E002",
            )
        )
    return errors


def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The type of every setting but LOG_SOURCES (see :func:`check_log_sources`).

    ``conf`` hands values back unconverted, so a wrong type is caught here, at startup,
    rather than at request time or, worse, read as something else (``"False"`` as true).
    """
    errors: list[checks.CheckMessage] = []
    for name in POSITIVE_INT_SETTINGS:
        value = getattr(conf, name)
        if not (_is_number(value, int) and value >= 1):
            errors.append(
                checks.Error(
                    f"AUDITCONSOLE_{name} must be a positive integer, not {value!r}.",
                    id="auditconsole.E005",
                )
            )
    for name in POSITIVE_NUMBER_SETTINGS:
        value = getattr(conf, name)
        if not (_is_number(value, (int, float)) and value > 0):
            errors.append(
                checks.Error(
                    f"AUDITCONSOLE_{name} must be a positive number, not {value!r}.",
                    id="auditconsole.E005",
                )
            )
    for setting in BOOLEAN_SETTINGS:
        value = getattr(conf, setting.name)
        if not isinstance(value, bool):
            errors.append(
                checks.Error(
                    f"AUDITCONSOLE_{setting.name} must be True or False, not {value!r}.",
                    hint=setting.hint,
                    id=setting.id,
                )
            )
    for name, types in TEXT_SETTINGS:
        value = getattr(conf, name)
        if not isinstance(value, types):
            allowed = "a string or None" if type(None) in types else "a string"
            errors.append(
                checks.Error(
                    f"AUDITCONSOLE_{name} must be {allowed}, not {value!r}.",
                    id="auditconsole.E017",
                )
            )
    errors.extend(_signing_key_types())
    events: object = conf.ACCESS_LOG_EVENTS
    if not (
        isinstance(events, list | tuple | set | frozenset)
        and all(isinstance(event, str) and event in EVENTS for event in events)
    ):
        errors.append(
            checks.Error(
                f"AUDITCONSOLE_ACCESS_LOG_EVENTS must be a list of {', '.join(EVENTS)}, "
                f"not {events!r}.",
                hint="Leave it out to record every kind; AUDITCONSOLE_ACCESS_LOG = False records none.",
                id="auditconsole.E038",
            )
        )
    trails: object = conf.TRAILS
    if trails is not None and not isinstance(trails, dict):
        errors.append(
            checks.Error(
                "AUDITCONSOLE_TRAILS must be a dict of named trails (or unset).",
                hint="Leave it out for LogEntry plus each supported package installed.",
                id="auditconsole.E140",
            )
        )
    keys: object = conf.REDACT_KEYS
    if not (
        isinstance(keys, list | tuple | set | frozenset)
        and all(isinstance(key, str) and key for key in keys)
    ):
        errors.append(
            checks.Error(
                "AUDITCONSOLE_REDACT_KEYS must be a list of non-empty strings.",
                hint="A bare string would be read one letter at a time.",
                id="auditconsole.E006",
            )
        )
    return errors


def _signing_key_types() -> list[checks.CheckMessage]:
    """The key settings' types; whether they hold a usable key is check_signing_key's."""
    errors: list[checks.CheckMessage] = []
    text: object = conf.SIGNING_KEY
    if not (text is None or isinstance(text, str | bytes)):
        errors.append(
            checks.Error(
                f"AUDITCONSOLE_SIGNING_KEY must be PEM text or None, not {type(text).__name__}.",
                id="auditconsole.E030",
            )
        )
    path: object = conf.SIGNING_KEY_FILE
    if not (path is None or isinstance(path, str | os.PathLike)):
        errors.append(
            checks.Error(
                f"AUDITCONSOLE_SIGNING_KEY_FILE must be a path or None, not {type(path).__name__}.",
                id="auditconsole.E031",
            )
        )
    return errors


def _is_number(value: object, types: type | tuple[type, ...]) -> bool:
    # bool is an int subclass, but True as a page size is a mistake, not 1.
    return isinstance(value, types) and not isinstance(value, bool)


def check_log_sources(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    sources: object = conf.LOG_SOURCES
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
