from __future__ import annotations

from django.apps import AppConfig


class AuditConsoleConfig(AppConfig):
    name = "auditconsole"
    verbose_name = "Audit console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from auditconsole import checks
        from auditconsole.activity.textindex import repair_after_migrate

        checks.register()
        # A migration that rebuilds django_admin_log on SQLite drops the search triggers.
        post_migrate.connect(repair_after_migrate, sender=self)
