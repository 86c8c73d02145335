"""Template helpers of the activity pages."""

from __future__ import annotations

from typing import Any

from django import template

from auditconsole.links import url_with

register = template.Library()


@register.simple_tag(takes_context=True)
def filter_url(context: template.Context, **changes: Any) -> str:
    """The current list (``page_path``: the activity list or a user page) with filters changed.

    ``{% filter_url period="7d" since=None %}`` keeps every other filter, removes the
    ones given as ``None`` and drops the paging, which belongs to the old result.
    """
    request = context["request"]
    path = context.get("page_path") or request.path
    return url_with(
        path, request.GET, {k: (None if v is None else str(v)) for k, v in changes.items()}
    )
