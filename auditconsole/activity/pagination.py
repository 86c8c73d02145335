"""Paging without ``COUNT(*)``: keyset for the time orders, bounded offsets for the rest.

Django's ``Paginator`` counts the whole result to number its pages; on millions of rows
that count is the slowest query of the page, and ``OFFSET`` grows slower with depth. Here:

- Time orders (the default ``-action_time, -id``) are paged by **keyset**: ``after`` holds
  the ``(action_time, id)`` of the last row shown and the next page is the rows strictly
  beyond it, found by the ``(action_time, id)`` index at any depth. ``before`` walks back.
- Other orders are paged by ``page`` number with ``OFFSET``, capped at :data:`MAX_PAGE`.
- Either way ``size + 1`` rows are fetched: the extra row says whether there is a next page.

Parameter names (public: they appear in shared links): ``after``, ``before``, ``page``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.admin.models import LogEntry
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from auditconsole.activity.ordering import Sort

AFTER = "after"
BEFORE = "before"
PAGE = "page"
PAGE_PARAMS: tuple[str, ...] = (AFTER, BEFORE, PAGE)

#: Deepest offset page; past it, sort by time (keyset) or narrow the filters.
MAX_PAGE = 1000
CURSOR_SEPARATOR = "~"
CURSOR_MAX_LENGTH = 64


@dataclass(frozen=True, order=True)
class Cursor:
    """A row's position in time order: ``2026-03-04T14:23:01.123456Z~12345``."""

    action_time: datetime.datetime
    pk: int

    def encode(self) -> str:
        utc = self.action_time.astimezone(datetime.UTC).replace(tzinfo=None)
        return f"{utc.isoformat(timespec='microseconds')}Z{CURSOR_SEPARATOR}{self.pk}"

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Raise ``ValueError`` for anything but a token :meth:`encode` could have made."""
        if len(token) > CURSOR_MAX_LENGTH:
            raise ValueError("cursor too long")
        moment_text, separator, pk_text = token.rpartition(CURSOR_SEPARATOR)
        if not separator or not pk_text.isdigit() or len(pk_text) > 18:
            raise ValueError("malformed cursor")
        moment = parse_datetime(moment_text)  # raises ValueError for impossible dates
        if moment is None or moment.tzinfo is None:
            raise ValueError("malformed cursor time")
        return cls(moment, int(pk_text))

    @classmethod
    def of(cls, entry: LogEntry) -> Cursor:
        return cls(entry.action_time, entry.pk)


class PageForm(forms.Form):
    """Validates the paging parameters; a bad one is an error, never a crash."""

    after = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    before = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "max_value": (
                f"Pages past {MAX_PAGE} are not available in this order: sort by time, "
                "or narrow the filters."
            )
        },
    )

    def _cursor(self, name: str) -> Cursor | None:
        token = self.cleaned_data.get(name)
        if not token:
            return None
        try:
            return Cursor.decode(token)
        except ValueError:
            raise forms.ValidationError(
                "This page link is not valid any more; start again from the first page.",
                code="invalid_cursor",
            ) from None

    def clean_after(self) -> Cursor | None:
        return self._cursor(AFTER)

    def clean_before(self) -> Cursor | None:
        return self._cursor(BEFORE)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get(AFTER) and cleaned.get(BEFORE):
            raise forms.ValidationError("Use either “after” or “before”, not both.")
        return cleaned


@dataclass
class ResultPage:
    rows: list[LogEntry]
    has_next: bool = False
    has_previous: bool = False
    #: Query parameters (among PAGE_PARAMS) for the next and previous pages.
    next_params: dict[str, str] = field(default_factory=dict)
    previous_params: dict[str, str] = field(default_factory=dict)
    #: Zero-based index of the first row in offset mode; ``None`` for keyset pages.
    offset: int | None = None
    #: True when this is the first page of the result (no cursor, page 1).
    is_first: bool = True

    @property
    def start_index(self) -> int | None:
        return None if self.offset is None else self.offset + 1

    @property
    def end_index(self) -> int | None:
        return None if self.offset is None else self.offset + len(self.rows)


def _beyond(cursor: Cursor, *, older: bool) -> Q:
    """Rows strictly older (or newer) than ``cursor`` in ``(action_time, id)`` order.

    Written as ``time <= t AND (time < t OR id < pk)`` rather than the equivalent
    ``time < t OR (time = t AND id < pk)``: the first conjunct is a plain range on the
    index's leading column, which both SQLite and PostgreSQL turn into an index range scan;
    the bare OR would make them scan from the top of the index and filter.
    """
    if older:
        return Q(action_time__lte=cursor.action_time) & (
            Q(action_time__lt=cursor.action_time) | Q(pk__lt=cursor.pk)
        )
    return Q(action_time__gte=cursor.action_time) & (
        Q(action_time__gt=cursor.action_time) | Q(pk__gt=cursor.pk)
    )


def keyset_page(
    queryset: QuerySet[LogEntry],
    *,
    descending: bool,
    size: int,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> ResultPage:
    """A page in time order. ``after`` continues past a row, ``before`` walks back from one."""
    forward = ("-action_time", "-pk") if descending else ("action_time", "pk")
    backward = ("action_time", "pk") if descending else ("-action_time", "-pk")
    if before is not None:
        rows = list(
            queryset.filter(_beyond(before, older=not descending)).order_by(*backward)[: size + 1]
        )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        if not more_before:
            # Walked back to the start: show a full first page rather than a short one.
            return keyset_page(queryset, descending=descending, size=size)
        return _keyset_result(rows, has_next=True, has_previous=True)
    if after is not None:
        queryset = queryset.filter(_beyond(after, older=descending))
    rows = list(queryset.order_by(*forward)[: size + 1])
    has_next = len(rows) > size
    return _keyset_result(rows[:size], has_next=has_next, has_previous=after is not None)


def _keyset_result(rows: list[LogEntry], *, has_next: bool, has_previous: bool) -> ResultPage:
    page = ResultPage(
        rows=rows, has_next=has_next, has_previous=has_previous, is_first=not has_previous
    )
    if rows and has_next:
        page.next_params = {AFTER: Cursor.of(rows[-1]).encode()}
    if rows and has_previous:
        page.previous_params = {BEFORE: Cursor.of(rows[0]).encode()}
    return page


def offset_page(
    queryset: QuerySet[LogEntry], *, ordering: tuple[str, ...], size: int, number: int
) -> ResultPage:
    offset = (number - 1) * size
    rows = list(queryset.order_by(*ordering)[offset : offset + size + 1])
    page = ResultPage(
        rows=rows[:size],
        has_next=len(rows) > size,
        has_previous=number > 1,
        offset=offset,
        is_first=number == 1,
    )
    if page.has_next:
        page.next_params = {PAGE: str(number + 1)}
    if page.has_previous:
        page.previous_params = {PAGE: str(number - 1)} if number > 2 else {}
    return page


def paginate(
    queryset: QuerySet[LogEntry], sort: Sort, cleaned: dict[str, Any], size: int
) -> ResultPage:
    """The page that ``cleaned`` (a valid :class:`PageForm`'s data) asks for."""
    if sort.keyset:
        return keyset_page(
            queryset,
            descending=sort.descending,
            size=size,
            after=cleaned.get(AFTER),
            before=cleaned.get(BEFORE),
        )
    return offset_page(queryset, ordering=sort.ordering, size=size, number=cleaned.get(PAGE) or 1)
