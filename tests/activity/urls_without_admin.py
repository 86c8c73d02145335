"""A URLconf with the console but without the admin, as some projects mount it."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("audit/", include("auditconsole.urls"))]
