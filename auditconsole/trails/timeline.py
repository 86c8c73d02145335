"""Several trails as one timeline: merged by position, one change recorded twice shown once.

**Merging.** Each trail streams its entries beyond the page's cursor in chunks
(:meth:`Trail.fetch`); the streams are merged by :class:`~auditconsole.trails.positions.Position`,
so the order is total and the same whichever trails a viewer may see.

**De-duplication.** An admin edit of a model that simple-history also tracks is recorded
by both. Two entries are one change (:func:`same_change`) when they come from different
trails and are about the same object, by the same (known) user, with the same action,
at most :data:`WINDOW` apart, and, for a change, name at least one field in common. The
timeline shows them as one item carrying both trails' badges, led by the richer diff.

**Paging.** A page is the next ``size`` items; the entries it consumed are a prefix of the
merged stream, and the cursor is the last one's position, so walking every page reads
every entry exactly once. An entry that would join an item of the page but comes after
an entry that starts a new item stays for the next page (the pair is then shown apart).
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django import forms

from auditconsole.activity.pagination import AFTER, BEFORE
from auditconsole.activity.scoping import Scope
from auditconsole.trails.base import Trail, TrailQuery
from auditconsole.trails.entries import ADDITION, DELETION, Fact, TrailEntry
from auditconsole.trails.positions import MAX_LENGTH, Position

#: How far apart two trails' records of one change may be.
WINDOW = datetime.timedelta(seconds=2)
#: Entries fetched from a trail at a time, unless a page asks for its size plus one.
CHUNK = 64
#: How many of the newest items an entry may join. Two trails' records of one change are
#: at most :data:`WINDOW` apart, so only the last few items can still be joined.
LOOKBACK = 8


def same_change(a: TrailEntry, b: TrailEntry) -> bool:
    """Whether ``a`` and ``b`` are two trails' records of one change."""
    if a.trail == b.trail or a.user_id is None or a.user_id != b.user_id:
        return False
    if a.content_type_id != b.content_type_id or a.object_id != b.object_id or not a.object_id:
        return False
    if a.action != b.action or abs(a.time - b.time) > WINDOW:
        return False
    if a.action in (ADDITION, DELETION):
        return True
    return bool(a.field_names() & b.field_names())


@dataclass
class TimelineItem:
    """One change as the page shows it: the entries of every trail that recorded it."""

    entries: list[TrailEntry]
    #: The trails in settings order, for choosing the lead entry on a tie.
    trail_order: Sequence[str] = ()

    @property
    def lead(self) -> TrailEntry:
        """The entry with the richer diff (more field changes); settings order on a tie."""
        if len(self.entries) == 1:
            return self.entries[0]
        order = {key: index for index, key in enumerate(self.trail_order)}
        return min(self.entries, key=lambda e: (-len(e.changes), order.get(e.trail, len(order))))

    @property
    def trails(self) -> list[str]:
        if len(self.entries) == 1:
            return [self.entries[0].trail]
        order = {key: index for index, key in enumerate(self.trail_order)}
        return sorted({e.trail for e in self.entries}, key=lambda t: (order.get(t, len(order)), t))

    @property
    def user_id(self) -> int | None:
        """The user's key, from the first trail that kept one that still exists."""
        return next((e.user_id for e in self.entries if e.user_id is not None), None)

    @property
    def user_name(self) -> str:
        """The lead's user name, else the first a trail stored."""
        return self.lead.user_name or next((e.user_name for e in self.entries if e.user_name), "")

    @property
    def message(self) -> str | None:
        """The first free-text note any trail recorded with the change."""
        return next((e.message for e in self.entries if e.message), None)

    @property
    def facts(self) -> tuple[Fact, ...]:
        """Every trail's extra facts (IP address, reason...), in the order they came."""
        return tuple(fact for entry in self.entries for fact in entry.facts)

    def by_trail(self) -> dict[str, TrailEntry]:
        return {entry.trail: entry for entry in self.entries}

    def accepts(self, entry: TrailEntry) -> bool:
        return all(e.trail != entry.trail for e in self.entries) and any(
            same_change(e, entry) for e in self.entries
        )


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    has_next: bool = False
    has_previous: bool = False
    next_params: dict[str, str] = field(default_factory=dict)
    previous_params: dict[str, str] = field(default_factory=dict)
    is_first: bool = True

    @property
    def entries(self) -> list[TrailEntry]:
        """Every entry the page consumed, each once."""
        return [entry for item in self.items for entry in item.entries]


def stream(
    trail: Trail,
    query: TrailQuery,
    scope: Scope,
    cursor: Position | None,
    *,
    older: bool,
    chunk: int = CHUNK,
) -> Iterator[TrailEntry]:
    """Every entry of ``trail`` beyond ``cursor``, fetched ``chunk`` at a time."""
    while True:
        batch = trail.fetch(query, scope, cursor=cursor, older=older, limit=chunk)
        yield from batch
        if len(batch) < chunk:
            return
        cursor = batch[-1].position


def merged(
    trails: Sequence[Trail],
    query: TrailQuery,
    scope: Scope,
    cursor: Position | None,
    *,
    older: bool,
    chunk: int = CHUNK,
) -> Iterator[TrailEntry]:
    """Every entry of every trail beyond ``cursor``, in merged order.

    ``heapq.merge`` reads one entry ahead in the stream it last took from: a page of
    ``size`` items asks for ``size + 2`` per chunk, so that reading one past the page does
    not fetch a second chunk.
    """
    streams = [stream(t, query, scope, cursor, older=older, chunk=chunk) for t in trails]
    return heapq.merge(*streams, key=lambda entry: entry.position, reverse=older)


def joined(items: Sequence[TimelineItem], entry: TrailEntry) -> bool:
    """Add ``entry`` to the item among the last :data:`LOOKBACK` of ``items`` that is the
    same change, if there is one; say whether there was."""
    recent = items[-LOOKBACK:]
    item = next((item for item in reversed(recent) if item.accepts(entry)), None)
    if item is not None:
        item.entries.append(entry)
    return item is not None


def group(
    entries: Iterator[TrailEntry], size: int, trail_order: Sequence[str]
) -> tuple[list[TimelineItem], bool]:
    """The first ``size`` items of ``entries``, and whether any entry is left over."""
    items: list[TimelineItem] = []
    for entry in entries:
        if joined(items, entry):
            continue
        if len(items) == size:
            return items, True
        items.append(TimelineItem([entry], trail_order))
    return items, False


def every_item(entries: Iterator[TrailEntry], trail_order: Sequence[str]) -> Iterator[TimelineItem]:
    """Every item of ``entries`` (the whole merged stream, as the export reads it): an item
    is given out once :data:`LOOKBACK` newer ones have started, when nothing can join it.

    Unlike :func:`group`, no page boundary ever keeps two records of one change apart.
    """
    recent: list[TimelineItem] = []
    for entry in entries:
        if joined(recent, entry):
            continue
        if len(recent) == LOOKBACK:
            yield recent.pop(0)
        recent.append(TimelineItem([entry], trail_order))
    yield from recent


def timeline_page(
    trails: Sequence[Trail],
    query: TrailQuery,
    scope: Scope,
    *,
    size: int,
    after: Position | None = None,
    before: Position | None = None,
) -> TimelinePage:
    """A page of the merged timeline, newest first (see the module's docstring)."""
    order = [trail.key for trail in trails]
    if before is not None:
        entries = merged(trails, query, scope, before, older=False, chunk=size + 2)
        items, more = group(entries, size, order)
        if not more:
            # Walked back to the newest entry: a full first page rather than a short one.
            return timeline_page(trails, query, scope, size=size)
        items.reverse()
        return _result(items, has_next=True, has_previous=True)
    entries = merged(trails, query, scope, after, older=True, chunk=size + 2)
    items, more = group(entries, size, order)
    return _result(items, has_next=more, has_previous=after is not None)


def _result(items: list[TimelineItem], *, has_next: bool, has_previous: bool) -> TimelinePage:
    page = TimelinePage(items, has_next, has_previous, is_first=not has_previous)
    positions = [entry.position for entry in page.entries]
    if positions and has_next:
        page.next_params = {AFTER: min(positions).encode()}
    if positions and has_previous:
        page.previous_params = {BEFORE: max(positions).encode()}
    return page


class TimelinePageForm(forms.Form):
    """The timeline's ``after`` and ``before``; a bad one is an error, never a crash."""

    after = forms.CharField(required=False, max_length=MAX_LENGTH)
    before = forms.CharField(required=False, max_length=MAX_LENGTH)

    def _position(self, name: str) -> Position | None:
        token = self.cleaned_data.get(name)
        if not token:
            return None
        try:
            return Position.decode(token)
        except ValueError:
            raise forms.ValidationError(
                "This page link is not valid any more; start again from the first page.",
                code="invalid_cursor",
            ) from None

    def clean_after(self) -> Position | None:
        return self._position(AFTER)

    def clean_before(self) -> Position | None:
        return self._position(BEFORE)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get(AFTER) and cleaned.get(BEFORE):
            raise forms.ValidationError("Use either “after” or “before”, not both.")
        return cleaned
