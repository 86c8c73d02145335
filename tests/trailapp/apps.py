from __future__ import annotations

from django.apps import AppConfig


class TrailAppConfig(AppConfig):
    name = "tests.trailapp"
    label = "trailapp"
    default_auto_field = "django.db.models.BigAutoField"
