from __future__ import annotations

from django.apps import AppConfig


class AuditConsoleConfig(AppConfig):
    name = "auditconsole"
    verbose_name = "Audit console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditconsole import checks

        checks.register()
