"""A trail kept in one table per tracked model (simple-history, pghistory).

Each table's rows are read beyond the cursor with its own tiebreak prefix
``(content type id,)``, and the tables' rows merged: the trail's entries are ordered by
``(time, content type id, row key)``, as :mod:`auditconsole.trails.positions` asks.
"""

from __future__ import annotations

import heapq
from abc import abstractmethod
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from auditconsole.activity.scoping import Scope
from auditconsole.trails.base import Trail, TrailQuery
from auditconsole.trails.entries import TrailEntry
from auditconsole.trails.positions import Position, beyond
from auditconsole.trails.timescan import by_user


class PerModelTableTrail(Trail):
    #: The time and key columns of every table of this trail.
    time_field: ClassVar[str]
    pk_field: ClassVar[str]
    #: The column holding the user's key, when a column does (then the user filter is
    #: applied here, not by :meth:`filtered`).
    user_column: ClassVar[str | None] = None

    @abstractmethod
    def table_models(self) -> list[type[Model]]:
        """The trail's tables, in a stable order."""

    @abstractmethod
    def tracked(self, table: type[Model]) -> type[Model]:
        """The model a table keeps the history of."""

    @abstractmethod
    def object_column(self, table: type[Model]) -> str:
        """The column of ``table`` holding the tracked object's key."""

    @abstractmethod
    def filtered(
        self, table: type[Model], queryset: QuerySet[Model], query: TrailQuery
    ) -> QuerySet[Model]:
        """``queryset`` with the query's action and date filters, and its user unless
        :attr:`user_column` names the column (then :meth:`queryset` applies it)."""

    @abstractmethod
    def entries(self, picked: list[tuple[int, Any]]) -> list[TrailEntry]:
        """``(content type id, row)`` pairs, in order, as entries."""

    def tables(self, scope: Scope) -> list[tuple[int, type[Model]]]:
        """``(content type id of the tracked model, table)`` the viewer may see."""
        tables = []
        for table in self.table_models():
            content_type = ContentType.objects.get_for_model(self.tracked(table))
            if scope.allows(content_type.pk):
                tables.append((content_type.pk, table))
        return tables

    def tracks(self, content_type: ContentType) -> bool:
        model = content_type.model_class()
        return any(self.tracked(table) is model for table in self.table_models())

    def queryset(
        self, table: type[Model], query: TrailQuery, *, limit: int | None = None
    ) -> QuerySet[Model] | None:
        """The rows of one table that ``query`` asks for; ``None``: none can match.

        ``limit``: the rows are to be read newest first, that many at most (then one
        user's rows may be read along the time index: :mod:`auditconsole.trails.timescan`).
        """
        queryset: QuerySet[Model] = table._default_manager.all()
        if query.object_id is not None:
            try:
                pk = self.tracked(table)._meta.pk.to_python(query.object_id)
            except (ValidationError, ValueError, TypeError):
                return None
            queryset = queryset.filter(**{self.object_column(table): pk})
        queryset = self.filtered(table, queryset, query)
        if query.user_id is None or self.user_column is None:
            return queryset
        if limit is None or query.object_id is not None:
            # An object's rows are few, and found by its own index.
            return queryset.filter(**{self.user_column: query.user_id})
        return by_user(queryset, self.user_column, query.user_id, limit=limit)

    def querysets(
        self, query: TrailQuery, scope: Scope, *, limit: int | None = None
    ) -> list[tuple[int, QuerySet[Model]]]:
        found = []
        for content_type_id, table in self.tables(scope):
            if query.content_type is not None and content_type_id != query.content_type.pk:
                continue
            queryset = self.queryset(table, query, limit=limit)
            if queryset is not None:
                found.append((content_type_id, queryset))
        return found

    def count(self, query: TrailQuery, scope: Scope, *, cap: int) -> int:
        total = 0
        for _, queryset in self.querysets(query, scope):
            # A capped count needs no order; the tables' own (history_date, pk) ordering
            # would sort every matching row first (30-50 ms for one user's 20,000 rows).
            total += queryset.order_by()[: cap - total].count()
            if total >= cap:
                break
        return total

    def fetch(
        self,
        query: TrailQuery,
        scope: Scope,
        *,
        cursor: Position | None,
        older: bool,
        limit: int,
    ) -> list[TrailEntry]:
        time, pk = self.time_field, self.pk_field
        order = (f"-{time}", f"-{pk}") if older else (time, pk)
        streams = []
        for content_type_id, queryset in self.querysets(query, scope, limit=limit):
            if cursor is not None:
                queryset = queryset.filter(
                    beyond(
                        cursor,
                        (self.key, (content_type_id,)),
                        older=older,
                        time_field=time,
                        pk_field=pk,
                    )
                )
            # The tables are built at run time: their fields are not typed.
            rows: list[Any] = list(queryset.order_by(*order)[:limit])
            streams.append([((getattr(r, time), content_type_id, r.pk), r) for r in rows])
        merged = heapq.merge(*streams, key=lambda item: item[0], reverse=older)
        return self.entries([(key[1], row) for key, row in list(merged)[:limit]])
