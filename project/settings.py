"""Settings for the standalone console, read from the environment.

Development (``make run``) sets ``DEBUG=1`` and gets SQLite under ``var/`` and demo log
files under ``var/log/``. Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually
``DATABASE_URL``; with ``DEBUG`` off every ``check --deploy`` item is satisfied.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

from auditconsole import logconfig
from auditconsole.export.keys import ensure_key_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AUDITCONSOLE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment (or DEBUG=1 for development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "project.admin.ProjectAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "import_export",
    "auditconsole",
    "project.demo",
]

# The audit packages the console reads beside LogEntry (docs/trails.md), when installed
# (`pip install "django-auditconsole[simple-history,reversion,auditlog]"`, as `make run`
# does): the demo records its customers through each, and their middleware learns the user.
TRAIL_PACKAGES: dict[str, tuple[list[str], list[str]]] = {
    "simple_history": (
        ["simple_history", "project.history"],
        ["simple_history.middleware.HistoryRequestMiddleware"],
    ),
    "reversion": (["reversion"], []),
    "auditlog": (["auditlog"], ["auditlog.middleware.AuditlogMiddleware"]),
}
INSTALLED_TRAIL_PACKAGES = [
    package for package in TRAIL_PACKAGES if importlib.util.find_spec(package) is not None
]
for _package in INSTALLED_TRAIL_PACKAGES:
    INSTALLED_APPS += TRAIL_PACKAGES[_package][0]
#: The demo registers its customers with reversion and auditlog (project/demo/trails.py).
DEMO_TRAILS = True

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The Content-Security-Policy middleware is added with the policy, below.
]
for _package in INSTALLED_TRAIL_PACKAGES:
    MIDDLEWARE += TRAIL_PACKAGES[_package][1]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    # The embedded default: SQLite cannot create the file if its directory is missing.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development whitenoise serves files from the finders, so no collectstatic is needed.
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "auditconsole:index"
LOGOUT_REDIRECT_URL = "login"

# --- Security. With DEBUG off, `manage.py check --deploy` reports nothing. ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The container healthcheck talks plain HTTP on loopback; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: no inline script or style, no eval. htmx is configured
# (see the htmx-config meta tag in auditconsole/base.html) to need neither.
_SELF, _NONE = "'self'", "'none'"
CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": [_SELF],
    "script-src": [_SELF],
    "style-src": [_SELF],
    "img-src": [_SELF, "data:"],
    "font-src": [_SELF],
    "connect-src": [_SELF],
    "object-src": [_NONE],
    "base-uri": [_NONE],
    "frame-ancestors": [_NONE],
    "form-action": [_SELF],
}
if django.VERSION >= (6, 0):
    # Django's own CSP support, new in 6.0; django-csp before it (docs/security.md).
    MIDDLEWARE.append("django.middleware.csp.ContentSecurityPolicyMiddleware")
    SECURE_CSP = CSP_DIRECTIVES
else:
    MIDDLEWARE.append("csp.middleware.CSPMiddleware")
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}

# --- Logs. Everything the console reads sits under one directory. ---
LOG_DIR = Path(os.environ.get("AUDITCONSOLE_LOG_DIR", VAR_DIR / "log"))

# The demo files written under LOG_DIR by `manage.py auditconsole_demo` (docs/sources.md).
_FILE_SOURCE = "auditconsole.sources.files.FileSource"
AUDITCONSOLE_LOG_SOURCES: dict[str, dict[str, Any]] = {
    "app": {
        "BACKEND": _FILE_SOURCE,
        "LABEL": "Application",
        "OPTIONS": {"path": str(LOG_DIR / "app.log"), "columns": ["module"]},
    },
    "audit": {
        "BACKEND": _FILE_SOURCE,
        "LABEL": "Audit trail (model changes and logins)",
        "OPTIONS": {
            "path": str(LOG_DIR / "audit.log"),
            "format": "json",
            "columns": ["event_type", "model", "instance_id", "user_id"],
        },
    },
    "api": {
        "BACKEND": _FILE_SOURCE,
        "LABEL": "API requests",
        # Request bodies name customers: only staff who may see customers see this log.
        "PERMISSION": "demo.view_customer",
        "OPTIONS": {
            "path": str(LOG_DIR / "api.log"),
            "format": "json",
            "columns": ["request_repr.method", "request_repr.path", "response_repr.status_code"],
        },
    },
    "django": {
        "BACKEND": _FILE_SOURCE,
        "LABEL": "Django (text log)",
        "OPTIONS": {"path": str(LOG_DIR / "django.log"), "format": "text"},
    },
    "worker": {
        "BACKEND": _FILE_SOURCE,
        "LABEL": "Background worker",
        "OPTIONS": {"path": str(LOG_DIR / "worker.log"), "columns": ["task", "job_id"]},
    },
    "updates": {
        "BACKEND": _FILE_SOURCE,
        "LABEL": "Update history",
        "OPTIONS": {
            "path": str(LOG_DIR / "update-history.jsonl"),
            "format": "json",
            "columns": ["status", "old_sha", "new_sha", "commits", "failed_step"],
        },
    },
}

# A ClickHouse log store, when one is named (docs/clickhouse.md, docs/scale-out.md): the logs
# of every host, browsed like the files above. A chdb:///path DSN runs the engine in-process.
if os.environ.get("AUDITCONSOLE_CLICKHOUSE_DSN"):
    AUDITCONSOLE_LOG_SOURCES["cluster"] = {
        "BACKEND": "auditconsole.sources.clickhouse.ClickHouseSource",
        "LABEL": os.environ.get("AUDITCONSOLE_CLICKHOUSE_LABEL", "All hosts"),
        "OPTIONS": {
            "dsn": os.environ["AUDITCONSOLE_CLICKHOUSE_DSN"],
            "table": os.environ.get("AUDITCONSOLE_CLICKHOUSE_TABLE", "otel_logs"),
            "schema": os.environ.get("AUDITCONSOLE_CLICKHOUSE_SCHEMA", "otel"),
        },
    }

# Readable text with DEBUG, JSON lines on stdout without; always also a rotated JSON file
# (LOG_FILE, default var/log/console.log) that the console reads back as its own log source.
LOG_FILE = Path(os.environ.get("LOG_FILE") or LOG_DIR / "console.log")
LOGGING = logconfig.build(
    debug=DEBUG,
    log_file=LOG_FILE,
    max_bytes=int(os.environ.get("LOG_FILE_MAX_BYTES", logconfig.DEFAULT_MAX_BYTES)),
    backup_count=int(os.environ.get("LOG_FILE_BACKUP_COUNT", logconfig.DEFAULT_BACKUP_COUNT)),
    app_loggers=(*logconfig.DEFAULT_APP_LOGGERS, "project"),
)

# The audit trails merged on object, user and "every trail" pages (docs/trails.md): the
# admin's log, each package installed, and the activity-audit records of audit.log.
_TRAIL_BACKENDS = {
    "simple_history": ("history", "auditconsole.trails.simple_history.SimpleHistoryTrail"),
    "reversion": ("reversion", "auditconsole.trails.reversion.ReversionTrail"),
    "auditlog": ("auditlog", "auditconsole.trails.auditlog.AuditlogTrail"),
}
AUDITCONSOLE_TRAILS: dict[str, dict[str, object]] | None = {
    "admin": {"BACKEND": "auditconsole.trails.logentry.LogEntryTrail"},
    **{
        _TRAIL_BACKENDS[package][0]: {"BACKEND": _TRAIL_BACKENDS[package][1]}
        for package in INSTALLED_TRAIL_PACKAGES
    },
    "audit_log": {
        "BACKEND": "auditconsole.trails.logsource.LogSourceTrail",
        "LABEL": "Audit log file",
        "OPTIONS": {"source": "audit"},
    },
}

# The console's own log (LOG_FILE above), browsable like any other source.
AUDITCONSOLE_LOG_SOURCES["console"] = {
    "BACKEND": _FILE_SOURCE,
    "LABEL": "This console",
    "OPTIONS": {"path": str(LOG_FILE)},
}

# The key that signs export manifests (docs/export.md). AUDITCONSOLE_SIGNING_KEY (PEM text,
# from a secrets store) wins; otherwise a key file, created under var/ on the first run,
# readable by its owner only. var/ is the image's volume: keep it, or the key (and with
# it every manifest's verifiability with the published public key) changes each deploy.
AUDITCONSOLE_SIGNING_KEY = os.environ.get("AUDITCONSOLE_SIGNING_KEY") or None
if AUDITCONSOLE_SIGNING_KEY is None:
    AUDITCONSOLE_SIGNING_KEY_FILE = Path(
        os.environ.get("AUDITCONSOLE_SIGNING_KEY_FILE") or VAR_DIR / "signing-key.pem"
    )
    try:
        ensure_key_file(AUDITCONSOLE_SIGNING_KEY_FILE)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"The export signing key {str(AUDITCONSOLE_SIGNING_KEY_FILE)!r} cannot be created: "
            f"{exc.strerror or exc}."
        ) from exc
