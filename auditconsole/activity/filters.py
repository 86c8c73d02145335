"""The activity filters: query-string names (public API) and the django-filter FilterSet.

URL contract, kept stable because people bookmark and share these links:

- ``user``: a user id.
- ``action``: ``1``/``2``/``3`` or ``addition``/``change``/``deletion``.
- ``content_type``: a content type id or ``app_label.model``.
- ``since``, ``until``: an ISO date or datetime (a date means the whole day; ``until`` is
  exclusive for a datetime).
- ``period``: a relative preset, ``today``, ``24h``, ``7d`` or ``30d``; it stays relative
  when bookmarked ("the last 24 hours" tomorrow is tomorrow's last 24 hours).
- ``object_id``: an object's primary key, exactly as stored.
- ``q``: free text, searched in the object's name and in the change message.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

import django_filters
from django import forms
from django.contrib.admin.models import LogEntry
from django.db.models import Q, QuerySet
from django.utils import timezone

from auditconsole.activity.fields import (
    ACTION_FLAGS,
    ActionField,
    ContentTypeField,
    DateBoundField,
    UserField,
)
from auditconsole.activity.scoping import Scope

USER = "user"
ACTION = "action"
CONTENT_TYPE = "content_type"
SINCE = "since"
UNTIL = "until"
PERIOD = "period"
OBJECT_ID = "object_id"
QUERY = "q"

FILTER_PARAMS: tuple[str, ...] = (
    USER,
    ACTION,
    CONTENT_TYPE,
    PERIOD,
    SINCE,
    UNTIL,
    OBJECT_ID,
    QUERY,
)
#: The parameters that bound the time range together; the date facet excludes all of them.
DATE_PARAMS: tuple[str, ...] = (PERIOD, SINCE, UNTIL)

#: Longest values accepted; longer ones are form errors (and never reach the database).
OBJECT_ID_MAX_LENGTH = 255
QUERY_MAX_LENGTH = 200


@dataclass(frozen=True)
class Period:
    key: str
    label: str

    def start(self, now: datetime.datetime) -> datetime.datetime:
        if self.key == "today":
            return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return now - PERIOD_LENGTHS[self.key]


PERIOD_LENGTHS: dict[str, datetime.timedelta] = {
    "24h": datetime.timedelta(hours=24),
    "7d": datetime.timedelta(days=7),
    "30d": datetime.timedelta(days=30),
}
PERIODS: tuple[Period, ...] = (
    Period("today", "Today"),
    Period("24h", "Last 24 hours"),
    Period("7d", "Last 7 days"),
    Period("30d", "Last 30 days"),
)
PERIODS_BY_KEY: dict[str, Period] = {period.key: period for period in PERIODS}


class ActivityFilterForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get(SINCE), cleaned.get(UNTIL)
        if since and until and since >= until:
            raise forms.ValidationError("“From” must be before “until”.", code="empty_range")
        return cleaned


class ActionFilter(django_filters.Filter):
    field_class = ActionField

    def filter(self, qs: QuerySet[LogEntry], value: str) -> QuerySet[LogEntry]:
        if not value:
            return qs
        return qs.filter(action_flag=ACTION_FLAGS[value])


class DateBoundFilter(django_filters.Filter):
    field_class = DateBoundField


# The stubs expect django-filter's own ModelChoiceField (which adds a null choice); these
# fields are Django's, which is all a ModelChoiceFilter needs of them.


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserField  # type: ignore[assignment]


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeField  # type: ignore[assignment]


class ActivityFilterSet(django_filters.FilterSet):
    """The activity filters. Invalid input is reported by the form; the caller decides
    (:class:`auditconsole.activity.search.ActivitySearch` shows no rows rather than rows
    filtered by the valid half of a request)."""

    user = UserFilter(label="User", empty_label="Any user")
    action = ActionFilter(label="Action")
    content_type = ContentTypeFilter(label="Model", empty_label="Any model")
    period = django_filters.ChoiceFilter(
        choices=[(p.key, p.label) for p in PERIODS],
        method="filter_period",
        label="Period",
        empty_label="Any time",
    )
    since = DateBoundFilter(field_name="action_time", lookup_expr="gte", label="From")
    until = DateBoundFilter(field_name="action_time", lookup_expr="lt", label="Until", upper=True)
    object_id = django_filters.CharFilter(
        field_name="object_id", max_length=OBJECT_ID_MAX_LENGTH, label="Object id"
    )
    q = django_filters.CharFilter(method="search", max_length=QUERY_MAX_LENGTH, label="Search")

    class Meta:
        model = LogEntry
        fields: list[str] = []
        form = ActivityFilterForm

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[LogEntry] | None = None,
        *,
        scope: Scope,
        with_user: bool = True,
        now: datetime.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        self.now = now or timezone.now()
        cast(ContentTypeFilter, self.filters[CONTENT_TYPE]).queryset = scope.content_types()
        if not with_user:
            # The user page: the user is in the path, not a filter.
            del self.filters[USER]

    def filter_period(
        self, queryset: QuerySet[LogEntry], name: str, value: str
    ) -> QuerySet[LogEntry]:
        return queryset.filter(action_time__gte=PERIODS_BY_KEY[value].start(self.now))

    def search(self, queryset: QuerySet[LogEntry], name: str, value: str) -> QuerySet[LogEntry]:
        return queryset.filter(Q(object_repr__icontains=value) | Q(change_message__icontains=value))
