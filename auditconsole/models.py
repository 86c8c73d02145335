from __future__ import annotations

from django.db import models

from auditconsole.permissions import PERMISSIONS


class Console(models.Model):
    """Holds the console's permissions; it has no table.

    Django only creates permissions for models, so this unmanaged model exists to carry
    them. ``default_permissions`` is empty because add/change/delete make no sense here.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = PERMISSIONS
        verbose_name = "audit console"

    def __str__(self) -> str:
        return "audit console"
