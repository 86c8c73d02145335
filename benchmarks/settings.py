"""Settings for benchmark processes: the test settings, plus the anchor's admin site.

Used by the harness's own processes and by the gunicorn it starts for whole-request
figures (``DJANGO_SETTINGS_MODULE=benchmarks.settings``). The database is whatever
``DATABASE_URL`` says: the harness points it at the generated dataset.
"""

from __future__ import annotations

from tests.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# gunicorn is spoken to in plain HTTP on loopback.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Exports are compared in full: the browser's cap must not cut ours short.
AUDITCONSOLE_EXPORT_MAX_ROWS = 100_000_000
