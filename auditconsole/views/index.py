from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from auditconsole.permissions import ALL_PERMISSIONS, is_console_user
from auditconsole.trails.registry import activity_pages
from auditconsole.views.base import ConsoleAccessMixin


class IndexView(ConsoleAccessMixin, TemplateView):
    """The console's landing page: links to the sections this user may open."""

    template_name = "auditconsole/index.html"

    def has_permission(self) -> bool:
        # Any one console permission is enough to land here; each section checks its own.
        user = self.request.user
        return is_console_user(user) and any(user.has_perm(p) for p in ALL_PERMISSIONS)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["activity"] = activity_pages(self.request.user)
        return context
