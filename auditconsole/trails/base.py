"""The trail interface. The object page (and the merged timeline) only talk to this.

A backend is configured like a log source::

    AUDITCONSOLE_TRAILS = {
        "history": {
            "BACKEND": "auditconsole.trails.simple_history.SimpleHistoryTrail",
            "LABEL": "Model history",
            "PERMISSION": None,      # or "app_label.codename"
            "OPTIONS": {},           # backend-specific
        },
    }

and subclasses :class:`Trail`, implementing :meth:`Trail.fetch` (entries beyond a position,
in order) and, optionally, :meth:`Trail.tracks`, :meth:`Trail.latest_deletion` and
:meth:`Trail.check_config`. It declares in :attr:`Trail.filters` which filters it can
answer; a query with another one is not sent to it (:meth:`Trail.unanswerable`), and
the page says so. Model scoping (:class:`~auditconsole.activity.scoping.Scope`) is
passed to every call, and every backend applies it.
"""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db.models import Model, QuerySet

from auditconsole.activity.scoping import Scope
from auditconsole.permissions import is_console_user
from auditconsole.trails.entries import TrailEntry
from auditconsole.trails.positions import Position

#: The filters a query may carry (the activity list's).
MODEL = "model"
OBJECT = "object"
USER = "user"
ACTION = "action"
DATE = "date"
TEXT = "q"
ALL_FILTERS: frozenset[str] = frozenset({MODEL, OBJECT, USER, ACTION, DATE, TEXT})

#: Keys appear in positions and in page ids: a slug, without the cursor's separators.
KEY_PATTERN = re.compile(r"^[a-zA-Z0-9_]+$")
_PERMISSION = re.compile(r"^\w+\.\w+$")

_M = TypeVar("_M", bound=Model)


def scoped(
    queryset: QuerySet[_M],
    scope: Scope,
    content_type: ContentType | None,
    *,
    field: str = "content_type_id",
) -> QuerySet[_M]:
    """A trail table's rows within ``scope`` (and about ``content_type``, when given):
    :meth:`Scope.apply` for any table with a content type column."""
    if content_type is not None:
        if not scope.allows(content_type.pk):
            return queryset.none()
        return queryset.filter(**{field: content_type.pk})
    if scope.content_type_ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": sorted(scope.content_type_ids)})


@dataclass(frozen=True)
class TrailQuery:
    """What a page asks of every trail. ``None`` / empty means "not filtered by"."""

    content_type: ContentType | None = None
    object_id: str | None = None
    user_id: int | None = None
    actions: frozenset[str] = frozenset()
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    text: str | None = None

    @property
    def filters(self) -> frozenset[str]:
        """The names of the filters this query uses."""
        used = {
            MODEL: self.content_type is not None,
            OBJECT: self.object_id is not None,
            USER: self.user_id is not None,
            ACTION: bool(self.actions),
            DATE: self.since is not None or self.until is not None,
            TEXT: bool(self.text),
        }
        return frozenset(name for name, on in used.items() if on)


class Trail(ABC):
    """One configured audit trail."""

    #: The filters this backend can answer; a query using another is not sent to it.
    filters: ClassVar[frozenset[str]] = ALL_FILTERS

    def __init__(self, key: str, config: dict[str, Any]) -> None:
        self.key = key
        self.config = config
        self.label: str = str(config.get("LABEL") or self.default_label or key)
        self.permission: str | None = config.get("PERMISSION") or None
        self.options: dict[str, Any] = dict(config.get("OPTIONS") or {})

    #: The label when the settings give none.
    default_label: ClassVar[str] = ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r}>"

    def visible_to(self, user: Any) -> bool:
        """A console user holding the trail's ``PERMISSION`` (if it has one)."""
        if not is_console_user(user):
            return False
        return self.permission is None or user.has_perm(self.permission)

    def unanswerable(self, query: TrailQuery) -> frozenset[str]:
        """The filters of ``query`` this trail cannot answer."""
        return query.filters - self.filters

    def tracks(self, content_type: ContentType) -> bool:
        """Whether this trail can hold entries about the model (no query: settings only)."""
        return True

    @abstractmethod
    def fetch(
        self,
        query: TrailQuery,
        scope: Scope,
        *,
        cursor: Position | None,
        older: bool,
        limit: int,
    ) -> list[TrailEntry]:
        """Up to ``limit`` entries matching ``query`` within ``scope``, strictly beyond
        ``cursor`` (all of them when ``None``): newest first when ``older``, oldest first
        otherwise. Only called with a query whose filters are all in :attr:`filters`."""

    def count(self, query: TrailQuery, scope: Scope, *, cap: int) -> int:
        """How many entries match ``query``, counting no further than ``cap``. The default
        reads them; a backend over a table counts in the database."""
        return len(self.fetch(query, scope, cursor=None, older=True, limit=cap))

    def latest_deletion(
        self, content_type: ContentType, object_id: str, scope: Scope
    ) -> TrailEntry | None:
        """The newest entry recording the object's deletion, if this trail has one: asked
        with the action filter when the trail answers it, read from its newest entries
        otherwise."""
        if ACTION in self.filters:
            query = TrailQuery(
                content_type=content_type, object_id=object_id, actions=frozenset({"deletion"})
            )
            found = self.fetch(query, scope, cursor=None, older=True, limit=1)
            return found[0] if found else None
        query = TrailQuery(content_type=content_type, object_id=object_id)
        for entry in self.fetch(query, scope, cursor=None, older=True, limit=50):
            if entry.action == "deletion":
                return entry
        return None

    # -- configuration ---------------------------------------------------------------

    @classmethod
    def check_config(cls, key: object, config: dict[str, Any]) -> list[checks.CheckMessage]:
        """System-check messages for this trail's settings (see docs/trails.md)."""
        messages: list[checks.CheckMessage] = []
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            messages.append(
                checks.Error(
                    f"Trail key {key!r} must be letters, digits and underscores.",
                    id="auditconsole.E141",
                )
            )
        permission = config.get("PERMISSION")
        if permission is not None and (
            not isinstance(permission, str) or not _PERMISSION.match(permission)
        ):
            messages.append(
                checks.Error(
                    f"Trail {key!r}: PERMISSION must be None or 'app_label.codename'.",
                    id="auditconsole.E142",
                )
            )
        label = config.get("LABEL")
        options = config.get("OPTIONS")
        if (label is not None and not isinstance(label, str)) or (
            options is not None and not isinstance(options, dict)
        ):
            messages.append(
                checks.Error(
                    f"Trail {key!r}: LABEL must be a string and OPTIONS a dict.",
                    id="auditconsole.E143",
                )
            )
        return messages
