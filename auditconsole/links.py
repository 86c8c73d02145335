"""Building the console's links from the current query string.

Every facet, sort header, pager, preset and chart bar is a real link (the pages work
without JavaScript) that keeps the other filters. Changing a filter always drops the paging
parameters: a cursor or page number belongs to the result it was taken from.

A log source's pages are named here too: one source appears in the path
(``logs/<key>/``), several merged in the query string (``logs/merged/?sources=a&sources=b``);
the source says which (:attr:`~auditconsole.sources.base.LogSource.url_kwargs`,
:attr:`~auditconsole.sources.base.LogSource.url_params`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.http import QueryDict
from django.urls import reverse

from auditconsole.activity.pagination import PAGE_PARAMS
from auditconsole.sources.query import CURSOR, SOURCES

if TYPE_CHECKING:
    from auditconsole.sources.base import LogSource

#: What a link drops unless told otherwise: the activity's pages, the logs' cursor.
PAGING_PARAMS: tuple[str, ...] = (*PAGE_PARAMS, CURSOR)

#: A log source's pages: (URL name for one source, for several merged).
SOURCE_PAGES: dict[str, tuple[str, str]] = {
    "browse": ("auditconsole:source", "auditconsole:merged"),
    "tail": ("auditconsole:tail", "auditconsole:tail_merged"),
    "tail_stream": ("auditconsole:tail_stream", "auditconsole:tail_merged_stream"),
    "export": ("auditconsole:source_export", "auditconsole:merged_export"),
    "export_csv": ("auditconsole:source_export_csv", "auditconsole:merged_export_csv"),
}

Changes = Mapping[str, str | list[str] | None]


def url_with(
    path: str,
    params: QueryDict,
    changes: Changes | None = None,
    /,
    *,
    drop: Iterable[str] = PAGING_PARAMS,
    **named: str | list[str] | None,
) -> str:
    """``path`` with ``params`` minus ``drop``, ``changes`` applied (``None`` removes, a list
    repeats the parameter); changes come as a mapping, as keywords, or both.

    Empty values are left out, so a form submitted with blank fields and the link to the
    same view are the same URL.
    """
    changes = {**(changes or {}), **named}
    query = QueryDict(mutable=True)
    dropped = set(drop) | set(changes)
    for key, values in params.lists():
        if key not in dropped:
            _set(query, key, values)
    for key, value in changes.items():
        if value is not None:
            _set(query, key, value if isinstance(value, list) else [value])
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


def _set(query: QueryDict, key: str, values: list[str]) -> None:
    kept = [value for value in values if value != ""]
    if kept:
        query.setlist(key, kept)


def given_params(params: QueryDict, names: Iterable[str]) -> dict[str, list[str]]:
    """The non-blank values of ``names`` in ``params``, in that order: a page's filters as
    given (what an export records, what a permalink keeps)."""
    given = {}
    for name in names:
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            given[name] = values
    return given


def source_path(source: LogSource, page: str) -> str:
    """The path of ``page`` (a :data:`SOURCE_PAGES` key) for ``source``, without a query."""
    single, merged = SOURCE_PAGES[page]
    return reverse(merged if source.is_merged else single, kwargs=source.url_kwargs)


def source_url(
    source: LogSource,
    page: str,
    params: QueryDict | None = None,
    changes: Changes | None = None,
    *,
    drop: Iterable[str] = PAGING_PARAMS,
) -> str:
    """``page`` of ``source``, keeping ``params`` as :func:`url_with` does.

    ``params`` are the query string of a page of the same source: a merged page's
    ``sources=`` are kept as given, and come from the source where there are none; a single
    source's page, which names its source in the path, carries none.
    """
    params = params or QueryDict()
    own = source.url_params
    query = QueryDict(mutable=True)
    for name, values in own.items():
        if name not in params:
            query.setlist(name, values)
    for name, values in params.lists():
        if name != SOURCES or name in own:
            query.setlist(name, values)
    return url_with(source_path(source, page), query, changes, drop=drop)
