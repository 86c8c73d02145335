from __future__ import annotations

from django.views.generic import TemplateView

from auditconsole.permissions import VIEW_LOGS
from auditconsole.views.base import ConsoleAccessMixin


class TailIndexView(ConsoleAccessMixin, TemplateView):
    permission_required = VIEW_LOGS
    template_name = "auditconsole/tail/index.html"
    extra_context = {"console_section": "tail"}
