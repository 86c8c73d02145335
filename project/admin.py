from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class ProjectAdminSite(admin.AdminSite):
    """The standalone console's admin is for superusers only.

    Support agents are staff (the console requires it) but must not be handed the admin:
    the console exists precisely so they do not need it.
    """

    site_header = "auditconsole administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class ProjectAdminConfig(AdminConfig):
    default_site = "project.admin.ProjectAdminSite"
