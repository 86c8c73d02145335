"""Links to the export step, for the pages that offer "Export CSV".

Each tag returns the URL of the confirmation page with the current page's filters (paging
left out: an export is every matching row), or ``""`` when the user may not export, so
a template shows the button only when it would work.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.urls import reverse

from auditconsole.activity.fields import content_type_key
from auditconsole.activity.filters import CONTENT_TYPE, OBJECT_ID, USER
from auditconsole.links import source_url, url_with
from auditconsole.permissions import EXPORT, VIEW_ACTIVITY, VIEW_LOGS, has_console_perms

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_export_url(
    context: template.Context,
    subject: Any = None,
    content_type: ContentType | None = None,
    object_id: str | None = None,
    merged: bool = False,
) -> str:
    """The export of the activity list as filtered now; of a user's page (``subject``);
    or of one object's history (``content_type`` and ``object_id``). ``merged``: of every
    trail (``activity/trails/export/``, which takes the same filters and permissions)."""
    request = context["request"]
    if not has_console_perms(request.user, VIEW_ACTIVITY, EXPORT):
        return ""
    path = reverse("auditconsole:trails_export" if merged else "auditconsole:activity_export")
    if content_type is not None:
        return url_with(
            path, QueryDict(), {CONTENT_TYPE: content_type_key(content_type), OBJECT_ID: object_id}
        )
    changes = {USER: str(subject.pk)} if subject is not None else None
    return url_with(path, request.GET, changes)


@register.simple_tag(takes_context=True)
def source_export_url(context: template.Context, source: Any) -> str:
    """The export of a log source, or of a merged view, as filtered now."""
    request = context["request"]
    if not has_console_perms(request.user, VIEW_LOGS, EXPORT):
        return ""
    return source_url(source, "export", request.GET)
