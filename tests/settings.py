"""Test settings: the project's own, with what makes a test run fast and hermetic."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 50)
if "AUDITCONSOLE_VAR_DIR" not in os.environ:
    # One directory per test run: the servers a test starts inherit it through the
    # environment, and the process that made it removes it (a run left 1,200 behind).
    _var_dir = tempfile.mkdtemp(prefix="auditconsole-test-var-")
    os.environ["AUDITCONSOLE_VAR_DIR"] = _var_dir
    atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)

from project.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests speak plain HTTP to the test client and live server.
SECURE_SSL_REDIRECT = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns about a missing root

# The audit packages the trails read, with real models registered with each (the project
# installs some of them already). Not the demo's history of customers: the activity tests
# count the object page's queries for a model no package tracks.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "project.history"]  # noqa: F405
INSTALLED_APPS += [
    app
    for app in ("simple_history", "reversion", "auditlog", "easyaudit", "tests.trailapp")
    if app not in INSTALLED_APPS
]
# simple-history and auditlog learn the request's user from their middleware, as a project
# sets them up (the project does). easy-audit's is left out: it registers a commit callback
# on every request, which needs the database even where a test has none (the trail's tests
# set its user).
MIDDLEWARE += [  # noqa: F405
    middleware
    for middleware in (
        "simple_history.middleware.HistoryRequestMiddleware",
        "auditlog.middleware.AuditlogMiddleware",
    )
    if middleware not in MIDDLEWARE  # noqa: F405
]
# easy-audit would record every save of every model and every request of the whole suite:
# the trail's tests need the supplier's changes and the logins.
DJANGO_EASY_AUDIT_REGISTERED_CLASSES = ["trailapp.Supplier"]
DJANGO_EASY_AUDIT_WATCH_REQUEST_EVENTS = False
# The trail tests read the default: LogEntry and each package installed. The demo's
# customers are not registered with the packages (project/demo/trails.py).
AUDITCONSOLE_TRAILS = None
DEMO_TRAILS = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # django-pghistory writes its events with PostgreSQL triggers.
    INSTALLED_APPS += ["pgtrigger", "pghistory", "tests.pgtrailapp"]
