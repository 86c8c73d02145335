"""The previous snapshot of each row, for trails that store whole snapshots.

simple-history, reversion and pghistory keep a copy of the object per change, not the
change itself: the diff is between a row and the previous row of the same object. Rows of
one object on the same page give each other's; the oldest of each object costs one query.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db.models import Model

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
    for (table, _), group in groups.items():
        group.sort(key=lambda row: (read_time(row), row.pk), reverse=True)
        for newer, older in itertools.pairwise(group):
            previous[id(newer)] = older
        oldest = group[-1]
        found = (
            table._default_manager.filter(
                beyond(
                    Position(read_time(oldest), "", (oldest.pk,)),
                    ("", ()),
                    older=True,
                    time_field=time_field,
                    pk_field=pk_field,
                ),
                **object_of(oldest),
            )
            .order_by(f"-{time_field}", f"-{pk_field}")
            .first()
        )
        if found is not None:
            previous[id(oldest)] = found
    return previous
