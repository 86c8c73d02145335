"""One activity search: the viewer's scope, the FilterSet, and the querysets built from them.

Everything the pages show (table, facets, chart, summary) starts from here, so scoping is
applied in exactly one place and cannot be forgotten by a new query.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone

from auditconsole.activity import textsearch
from auditconsole.activity.budget import query_budget
from auditconsole.activity.filters import (
    CONTENT_TYPE,
    OBJECT_ID,
    PERIOD,
    PERIODS_BY_KEY,
    QUERY,
    SINCE,
    UNTIL,
    ActivityFilterSet,
)
from auditconsole.activity.scoping import Scope, scope_for
from auditconsole.activity.textsearch import COUNT_IDS_CAP, IDS_CAP, TextSearch


class ActivitySearch:
    #: The django-filter FilterSet of the search; a subclass may add filters to it.
    filterset_class: type[ActivityFilterSet] = ActivityFilterSet

    def __init__(
        self,
        params: QueryDict,
        viewer: Any,
        *,
        user: Any = None,
        now: datetime.datetime | None = None,
    ) -> None:
        """``user`` fixes the search to one user's actions (the user page)."""
        self.params = params
        self.viewer = viewer
        self.user = user
        self.now = now or timezone.now()
        self.scope: Scope = scope_for(viewer)
        base = self.scope.apply(LogEntry.objects.all())
        if user is not None:
            base = base.filter(user=user)
        self.base: QuerySet[LogEntry] = base
        self.filterset = self.filterset_class(
            params, base, scope=self.scope, with_user=user is None, now=self.now
        )

    @property
    def form(self) -> Any:
        return self.filterset.form

    @cached_property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()

    @property
    def errors(self) -> ErrorDict:
        return self.filterset.form.errors

    @cached_property
    def cleaned(self) -> dict[str, Any]:
        return self.filterset.form.cleaned_data if self.is_valid else {}

    @property
    def is_filtered(self) -> bool:
        return any(value not in (None, "") for value in self.cleaned.values())

    @cached_property
    def text(self) -> TextSearch | None:
        """The free-text needle ``q`` and how it is searched, or ``None`` without one."""
        needle = self.cleaned.get(QUERY)
        return TextSearch(needle, using=self.base.db) if needle else None

    def queryset_without(
        self, names: Iterable[str] = (), *, ids_cap: int = IDS_CAP
    ) -> QuerySet[LogEntry]:
        """The scoped rows matching every filter except ``names`` (a facet's own).

        An invalid search matches nothing: showing rows filtered by only the valid half of
        a request would answer a question nobody asked. The ``q`` filter is narrowed
        through the search index (:mod:`auditconsole.activity.textsearch`) when it finds at
        most ``ids_cap`` rows; a FilterSet that gives ``q`` another meaning than
        ``icontains`` on the name and the change message must turn that off (``text``).
        """
        if not self.is_valid:
            return self.base.none()
        skip = set(names)
        queryset = self.base
        for name, value in self.cleaned.items():
            if name not in skip:
                queryset = self.filterset.filters[name].filter(queryset, value)
        if self.cleaned.get(OBJECT_ID) and (
            CONTENT_TYPE in skip or not self.cleaned.get(CONTENT_TYPE)
        ):
            queryset = self._object_id_by_index(queryset)
        if self.text is not None and QUERY not in skip:
            queryset = self.text.narrow(queryset, ids_cap=ids_cap)
        return queryset

    def _object_id_by_index(self, queryset: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        """Let an object id without a model use the ``(content_type_id, object_id)`` index.

        No index starts with ``object_id``, and PostgreSQL before 18 cannot skip-scan, so
        ``object_id = '42'`` alone reads the whole table (0.3 s on a million rows). Naming
        the content types turns it into one index probe per type. A scoped viewer's query
        already names them; an unrestricted one gets all of them, and the rows without a
        content type, which the admin allows.
        """
        if not self.scope.unrestricted:
            return queryset
        all_types = sorted(ContentType.objects.values_list("pk", flat=True))
        return queryset.filter(Q(content_type_id__in=all_types) | Q(content_type__isnull=True))

    @cached_property
    def queryset(self) -> QuerySet[LogEntry]:
        return self.queryset_without(())

    @cached_property
    def counting_queryset(self) -> QuerySet[LogEntry]:
        """The same rows, in the form that counts up to 10,001 of them fastest."""
        return self.queryset_without((), ids_cap=COUNT_IDS_CAP)

    def time_budget(self) -> contextlib.AbstractContextManager[None]:
        """Around the page's queries: a needle too short for the index scans the table,
        so its queries are stopped after a budget
        (:class:`~auditconsole.activity.budget.QueryBudgetExceeded`)."""
        if self.text is not None and self.text.short:
            return query_budget(self.base.db, textsearch.SHORT_NEEDLE_BUDGET_SECONDS)
        return contextlib.nullcontext()

    def window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The time range the filters ask for, ``(start, end)``, either end open."""
        start = self.cleaned.get(SINCE)
        period = self.cleaned.get(PERIOD)
        if period:
            period_start = PERIODS_BY_KEY[period].start(self.now)
            start = max(start, period_start) if start else period_start
        return start, self.cleaned.get(UNTIL)
