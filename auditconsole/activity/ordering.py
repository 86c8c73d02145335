"""Sort orders of the activity table: an allow-list from the ``sort`` parameter to SQL.

Every order ends with ``action_time`` and ``id`` so that rows never swap places between
two requests (the admin's ChangeList does the same with the primary key). The time orders
are paged by keyset, which stays fast at any depth; the others by offset, bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

SORT = "sort"
DEFAULT_SORT = "-time"


@dataclass(frozen=True)
class Sort:
    alias: str
    ordering: tuple[str, ...]

    @property
    def keyset(self) -> bool:
        """Paged by ``(action_time, id)`` cursor rather than by offset."""
        return self.alias in ("time", "-time")

    @property
    def descending(self) -> bool:
        return self.alias.startswith("-")


TIME_ORDERING: tuple[str, ...] = ("action_time", "id")
#: Within equal values of another column, newest first.
TIE_BREAK: tuple[str, ...] = ("-action_time", "-id")


def column_terms(name: str) -> tuple[str, ...] | None:
    """The ascending database terms of a sortable column other than time."""
    if name == "user":
        return (f"user__{get_user_model().USERNAME_FIELD}",)
    return {
        "action": ("action_flag",),
        "content_type": ("content_type__app_label", "content_type__model"),
        "object": ("object_repr",),
    }.get(name)


def _flip(term: str) -> str:
    return term[1:] if term.startswith("-") else f"-{term}"


def resolve_sort(raw: str | None) -> Sort:
    """The :class:`Sort` for a ``sort`` value; unknown values fall back to the default,
    as the admin ignores an ordering it does not know."""
    alias = (raw or "").strip()
    name = alias.removeprefix("-")
    descending = alias.startswith("-")
    if name == "time":
        terms = TIME_ORDERING
    elif (column := column_terms(name)) is not None:
        terms = column
    else:
        return resolve_sort(DEFAULT_SORT)
    if descending:
        terms = tuple(map(_flip, terms))
    if name != "time":
        terms = (*terms, *TIE_BREAK)
    return Sort(alias=alias, ordering=terms)
