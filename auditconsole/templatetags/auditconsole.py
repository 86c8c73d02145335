from __future__ import annotations

from typing import Any

from django import template
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch

from auditconsole.conf import conf
from auditconsole.permissions import EXPORT, VIEW_ACTIVITY, VIEW_LOGS, is_console_user

register = template.Library()


@register.inclusion_tag("auditconsole/partials/nav.html", takes_context=True)
def console_nav(context: template.Context) -> dict[str, Any]:
    """The header navigation, computed from the user so it also works on error pages."""
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = user is not None and is_console_user(user)
    try:
        logout_url = resolve_url(conf.LOGOUT_URL)
    except NoReverseMatch:
        logout_url = None
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "can_activity": staff and user.has_perm(VIEW_ACTIVITY),
        "can_logs": staff and user.has_perm(VIEW_LOGS),
        "can_export": staff and user.has_perm(EXPORT),
        "logout_url": logout_url,
        "section": context.get("console_section", ""),
    }
