"""Building the console's links from the current query string.

Every facet, sort header, pager and chart bar is a real link (the pages work without
JavaScript) that keeps the other filters. Changing a filter always drops the paging
parameters: a cursor or page number belongs to the result it was taken from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.http import QueryDict

from auditconsole.activity.pagination import PAGE_PARAMS


def url_with(
    path: str,
    params: QueryDict,
    changes: Mapping[str, str | None] | None = None,
    *,
    drop: Iterable[str] = PAGE_PARAMS,
) -> str:
    """``path`` with ``params`` minus ``drop``, ``changes`` applied (``None`` removes).

    Empty values are left out, so a form submitted with blank fields and the link to the
    same view are the same URL.
    """
    query = QueryDict(mutable=True)
    dropped = set(drop) | set(changes or ())
    for key, values in params.lists():
        if key not in dropped:
            kept = [value for value in values if value != ""]
            if kept:
                query.setlist(key, kept)
    for key, value in (changes or {}).items():
        if value not in (None, ""):
            query[key] = value
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path
