from __future__ import annotations

from django.apps import AppConfig


class DemoHistoryConfig(AppConfig):
    name = "project.history"
    label = "demo_history"
    verbose_name = "Demo model history"
    default_auto_field = "django.db.models.BigAutoField"
