"""Which ``LogEntry`` rows a console user may see.

With ``AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS`` on (the default), a staff user sees only
the entries about models they hold the ``view`` (or ``change``, which implies it, as in the
admin) permission for. A superuser, or everyone when the setting is off, sees every row.

Permissions are read with ``user.get_all_permissions()`` so custom authentication backends
count, and Django caches the answer on the user object for the rest of the request. Rows
without a content type (written by hand with ``content_type=None``) are about no model and
are therefore only visible to unrestricted users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from auditconsole.conf import conf

#: Permission actions that let a user see a model's history (change implies view).
GRANTING_ACTIONS: tuple[str, ...] = ("view", "change")


@dataclass(frozen=True)
class Scope:
    """``content_type_ids`` is ``None`` for an unrestricted viewer."""

    content_type_ids: frozenset[int] | None

    @property
    def unrestricted(self) -> bool:
        return self.content_type_ids is None

    def apply(
        self, queryset: QuerySet[LogEntry], *, content_type_id: int | None = None
    ) -> QuerySet[LogEntry]:
        """The rows this viewer may see; with ``content_type_id``, only that model's.

        A caller that is about one model says so: the scope then reduces to whether that
        model is allowed, one equality instead of an ``IN`` list beside an equality on the
        same column. SQLite's planner weighs that pair badly: it chose the model's time
        index over the object index and read a whole model's history for one object.
        """
        if content_type_id is not None:
            if not self.allows(content_type_id):
                return queryset.none()
            return queryset.filter(content_type_id=content_type_id)
        if self.content_type_ids is None:
            return queryset
        return queryset.filter(content_type_id__in=sorted(self.content_type_ids))

    def allows(self, content_type_id: int | None) -> bool:
        if self.content_type_ids is None:
            return True
        return content_type_id in self.content_type_ids

    def content_types(self) -> QuerySet[ContentType]:
        """The content types this viewer may filter by, in a stable order."""
        queryset = ContentType.objects.order_by("app_label", "model")
        if self.content_type_ids is None:
            return queryset
        return queryset.filter(pk__in=sorted(self.content_type_ids))


def visible_models(user: Any) -> set[tuple[str, str]]:
    """``(app_label, model)`` pairs of every model the user may view, from their permissions."""
    models: set[tuple[str, str]] = set()
    for perm in user.get_all_permissions():
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        if action in GRANTING_ACTIONS and model:
            models.add((app_label, model))
    return models


def scope_for(user: Any) -> Scope:
    """The viewer's scope, in at most one query beyond Django's own permission lookup."""
    if user.is_superuser or not conf.SCOPE_TO_MODEL_PERMISSIONS:
        return Scope(None)
    models = visible_models(user)
    if not models:
        return Scope(frozenset())
    # One query: every content type of the apps involved, matched exactly in Python.
    candidates = ContentType.objects.filter(
        app_label__in=sorted({app for app, _ in models})
    ).values_list("pk", "app_label", "model")
    return Scope(frozenset(pk for pk, app, model in candidates if (app, model) in models))
