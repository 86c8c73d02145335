from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "project.demo"
    label = "demo"
    verbose_name = "Demo support desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from project.demo.trails import register_demo_trails

        register_demo_trails()
