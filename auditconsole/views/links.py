"""Links of the log and live-tail pages, built from the current query string.

Facets, presets, "older" and "refresh" are real links (the pages work without
JavaScript) that keep the other filters and change one or two parameters.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict


def url_with(path: str, params: QueryDict, **changes: Any) -> str:
    """``path`` with the current query string, some parameters replaced (``None`` drops)."""
    query = params.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        elif isinstance(value, list):
            query.setlist(name, value)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path
