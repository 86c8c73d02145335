from __future__ import annotations

from typing import Any

from django import template
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch

from auditconsole.conf import conf
from auditconsole.permissions import EXPORT, VIEW_ACTIVITY, VIEW_LOGS, is_console_user
from auditconsole.trails.registry import activity_pages

register = template.Library()


@register.inclusion_tag("auditconsole/partials/nav.html", takes_context=True)
def console_nav(context: template.Context) -> dict[str, Any]:
    """The header navigation, computed from the user so it also works on error pages."""
    request = context.get("request")
    user = getattr(request, "user", None)

    def can(permission: str) -> bool:
        return user is not None and is_console_user(user) and user.has_perm(permission)

    try:
        logout_url = resolve_url(conf.LOGOUT_URL)
    except NoReverseMatch:
        logout_url = None
    can_activity = can(VIEW_ACTIVITY)
    activity_url = my_activity_url = ""
    if user is not None and can_activity:
        # "Activity" and "My activity": every trail's pages when the viewer sees more than
        # the admin's log.
        pages = activity_pages(user)
        activity_url, my_activity_url = pages.list_url(), pages.user_url(user.pk)
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "can_activity": can_activity,
        "activity_url": activity_url,
        "my_activity_url": my_activity_url,
        "can_logs": can(VIEW_LOGS),
        "can_export": can(EXPORT),
        "logout_url": logout_url,
        "section": context.get("console_section", ""),
    }
