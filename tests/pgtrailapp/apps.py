from __future__ import annotations

from django.apps import AppConfig


class PgTrailAppConfig(AppConfig):
    name = "tests.pgtrailapp"
    label = "pgtrailapp"
    default_auto_field = "django.db.models.BigAutoField"
