"""The project's URLs, plus the anchor admin site at ``bench-admin/`` (benchmarks only)."""

from __future__ import annotations

from django.urls import path

from benchmarks.admin_anchor import URL_PREFIX, site
from project.urls import urlpatterns as project_urlpatterns

urlpatterns = [path(URL_PREFIX, site.urls), *project_urlpatterns]
