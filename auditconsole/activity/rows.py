"""What the pages show for each entry, worked out once per row in Python.

Times formatted in both zones, the action's name, the links to the user page, the object
page and the model filter, and the parsed change. Templates then only print (and escape)
these strings: template filters and ``{% url %}`` per cell cost several milliseconds per
page of 50 rows, and the page has a 100 ms budget. Links are computed once per distinct
user or content type, not once per row. No HTML is built here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.admin.models import LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from auditconsole.activity.fields import ACTION_LABELS, ACTION_NAMES, content_type_key
from auditconsole.activity.filters import CONTENT_TYPE
from auditconsole.changes import ChangeDescriber, ChangeDescription
from auditconsole.links import url_with

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class EntryRow:
    entry: LogEntry
    action: str
    action_label: str
    #: In the current time zone, then UTC (for the tooltip), then ISO 8601 for ``<time>``.
    local_time: str
    zone: str
    utc_time: str
    iso_time: str
    user_name: str
    user_url: str
    content_type_label: str
    #: The list page narrowed to this entry's model ("" when the entry has none).
    content_type_url: str
    object_label: str
    #: The object page ("" when the entry names no object).
    object_url: str
    change: ChangeDescription

    @property
    def pk(self) -> int:
        return self.entry.pk


def object_page_url(content_type_id: int | None, object_id: str | None) -> str:
    """The object page, or ``""`` when there is no object to show (or its key cannot be put
    in a URL, such as one with a line break)."""
    if not content_type_id or not object_id:
        return ""
    try:
        return reverse("auditconsole:object", args=[content_type_id, object_id])
    except NoReverseMatch:
        return ""


def format_times(
    moment: datetime.datetime, zone: datetime.tzinfo | None = None
) -> tuple[str, str, str, str]:
    """Local time, its zone's name, UTC time and ISO 8601, in ``zone`` (default: the
    current time zone; a page looks it up once, not once a row)."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    utc = moment.astimezone(datetime.UTC)
    return (
        local.strftime(TIME_FORMAT),
        local.tzname() or "",
        utc.strftime(TIME_FORMAT),
        utc.isoformat(),
    )


class RowPresenter:
    """Builds :class:`EntryRow` objects for one page, caching per-user and per-model links.

    ``list_path`` and ``params`` are the page whose "only this model" links are built
    (the activity list or a user page, with its current filters).
    """

    def __init__(self, list_path: str, params: QueryDict) -> None:
        self.list_path = list_path
        self.params = params
        self._user_urls: dict[int, str] = {}
        self._content_type_urls: dict[int, str] = {}
        self._object_prefixes: dict[int, str] = {}
        self.change = ChangeDescriber()
        self.zone = timezone.get_current_timezone()
        self.redactor = self.change.redactor

    def object_url(self, content_type_id: int | None, object_id: str | None) -> str:
        """:func:`object_page_url`, with ``reverse()`` once per content type.

        ``reverse()`` costs a fifth of a millisecond, and there is an object on every row;
        the URL is the content type's prefix plus the key quoted the way ``reverse()``
        quotes it (the tests compare the two on arbitrary text).
        """
        if not content_type_id or not object_id or "\n" in object_id:
            return ""
        prefix = self._object_prefixes.get(content_type_id)
        if prefix is None:
            prefix = reverse("auditconsole:object", args=[content_type_id, "-"])[: -len("-/")]
            self._object_prefixes[content_type_id] = prefix
        return f"{prefix}{quote(object_id, safe=RFC3986_SUBDELIMS + '/~:@')}/"

    def user_url(self, user_id: int) -> str:
        if user_id not in self._user_urls:
            self._user_urls[user_id] = reverse("auditconsole:user", args=[user_id])
        return self._user_urls[user_id]

    def content_type_url(self, entry: LogEntry) -> str:
        # django-stubs 5.2 types LogEntry's foreign keys badly; 6.x gets them right.
        content_type: ContentType | None = entry.content_type  # type: ignore[assignment,unused-ignore]
        if content_type is None:
            return ""
        if content_type.pk not in self._content_type_urls:
            self._content_type_urls[content_type.pk] = url_with(
                self.list_path, self.params, {CONTENT_TYPE: content_type_key(content_type)}
            )
        return self._content_type_urls[content_type.pk]

    def row(self, entry: LogEntry) -> EntryRow:
        # As in content_type_url(): a foreign key that django-stubs 5.2 types badly.
        user: AbstractBaseUser = entry.user  # type: ignore[assignment,unused-ignore]
        action = ACTION_NAMES.get(entry.action_flag, "unknown")
        local_time, zone, utc_time, iso_time = format_times(entry.action_time, self.zone)
        return EntryRow(
            entry=entry,
            action=action,
            action_label=ACTION_LABELS.get(action, f"Action {entry.action_flag}"),
            local_time=local_time,
            zone=zone,
            utc_time=utc_time,
            iso_time=iso_time,
            user_name=user.get_username(),
            user_url=self.user_url(entry.user_id),
            content_type_label=str(entry.content_type) if entry.content_type else "",
            content_type_url=self.content_type_url(entry),
            object_label=self.redactor.redact_text(entry.object_repr or entry.object_id or ""),
            object_url=self.object_url(entry.content_type_id, entry.object_id),
            change=self.change(entry),
        )

    def rows(self, entries: Iterable[LogEntry]) -> list[EntryRow]:
        return [self.row(entry) for entry in entries]
