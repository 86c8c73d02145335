"""The previous snapshot of each row, for trails that store whole snapshots.

simple-history, reversion and pghistory keep a copy of the object per change, not the
change itself: the diff is between a row and the previous row of the same object. Rows of
one object on the same page give each other's; the oldest row of each object is looked up
in one query per table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db.models import F, Model, Q, Window
from django.db.models.functions import RowNumber

from auditconsole.trails.positions import Position, beyond


def previous_rows(
    rows: Sequence[Any],
    *,
    time_field: str,
    pk_field: str,
    object_of: Callable[[Any], dict[str, Any]],
    time_of: Callable[[Any], Any] | None = None,
) -> dict[int, Any]:
    """Each row's previous row of the same object, by ``id()`` of the row.

    ``object_of(row)`` is the filter naming the row's object in its table
    (``{"id": 7}``, ``{"content_type_id": 3, "object_id": "7"}``); ``time_field`` and
    ``pk_field`` order a table's rows, ``time_of`` reads the time from a row (default: the
    attribute ``time_field`` names).
    """
    read_time = time_of or (lambda row: getattr(row, time_field))
    groups: dict[tuple[type[Model], Hashable], list[Any]] = {}
    for row in rows:
        key = tuple(sorted(object_of(row).items()))
        groups.setdefault((type(row), key), []).append(row)
    previous: dict[int, Any] = {}
    oldest_by_table: dict[type[Model], list[Any]] = {}
    for (table, _), group in groups.items():
        group.sort(key=lambda row: (read_time(row), row.pk), reverse=True)
        for newer, older in itertools.pairwise(group):
            previous[id(newer)] = older
        oldest_by_table.setdefault(table, []).append(group[-1])
    for table, oldest in oldest_by_table.items():
        previous.update(
            _previous_of_each(table, oldest, time_field, pk_field, object_of, read_time)
        )
    return previous


def _previous_of_each(
    table: type[Model],
    rows: list[Any],
    time_field: str,
    pk_field: str,
    object_of: Callable[[Any], dict[str, Any]],
    read_time: Callable[[Any], Any],
) -> dict[int, Any]:
    """For rows of distinct objects of one table, each one's previous row, in one query:
    the rows older than each (by its object's index), ranked per object, the first kept."""
    condition = Q()
    for row in rows:
        condition |= Q(**object_of(row)) & beyond(
            Position(read_time(row), "", (row.pk,)),
            ("", ()),
            older=True,
            time_field=time_field,
            pk_field=pk_field,
        )
    object_fields = list(object_of(rows[0]))
    ranked = (
        table._default_manager.filter(condition)
        .annotate(
            _rank=Window(
                RowNumber(),
                partition_by=[F(name) for name in object_fields],
                order_by=[F(time_field).desc(), F(pk_field).desc()],
            )
        )
        .filter(_rank=1)
    )
    by_object = {tuple(sorted(object_of(found).items())): found for found in ranked}
    found: dict[int, Any] = {}
    for row in rows:
        match = by_object.get(tuple(sorted(object_of(row).items())))
        if match is not None:
            found[id(row)] = match
    return found
