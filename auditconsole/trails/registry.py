"""Configured trails by key, and which of them a user may see.

``AUDITCONSOLE_TRAILS`` unset means: LogEntry (key ``admin``) plus one trail for each
supported package in ``INSTALLED_APPS`` (:data:`PACKAGE_TRAILS`), so adding the package
is all it takes. Settings are read on every call; building a trail imports its backend
module only, which imports its package only then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import import_string

from auditconsole.conf import conf
from auditconsole.trails.base import Trail
from auditconsole.trails.logentry import LogEntryTrail

LOGENTRY_TRAIL = "auditconsole.trails.logentry.LogEntryTrail"

#: The app each supported package installs, and the trail (key, backend) it brings.
PACKAGE_TRAILS: dict[str, tuple[str, str]] = {
    "simple_history": ("history", "auditconsole.trails.simple_history.SimpleHistoryTrail"),
    "reversion": ("reversion", "auditconsole.trails.reversion.ReversionTrail"),
    "auditlog": ("auditlog", "auditconsole.trails.auditlog.AuditlogTrail"),
    "easyaudit": ("easyaudit", "auditconsole.trails.easyaudit.EasyAuditTrail"),
    "pghistory": ("pghistory", "auditconsole.trails.pghistory.PghistoryTrail"),
}


def default_trails() -> dict[str, dict[str, Any]]:
    trails: dict[str, dict[str, Any]] = {"admin": {"BACKEND": LOGENTRY_TRAIL}}
    for app, (key, backend) in PACKAGE_TRAILS.items():
        if apps.is_installed(app):
            trails[key] = {"BACKEND": backend}
    return trails


def configured_trails() -> dict[Any, Any]:
    """The setting, or the default; anything else as configured (the checks report it)."""
    configured: object = conf.TRAILS
    if configured is None:
        return default_trails()
    return configured if isinstance(configured, dict) else {}


def backend_class(key: object, config: object) -> type[Trail]:
    if not isinstance(config, dict) or not isinstance(config.get("BACKEND"), str):
        raise ImproperlyConfigured(f"Trail {key!r} must be a dict with a 'BACKEND'.")
    try:
        backend = import_string(config["BACKEND"])
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"Trail {key!r}: cannot import {config['BACKEND']!r}: {exc}"
        ) from exc
    if not (isinstance(backend, type) and issubclass(backend, Trail)):
        raise ImproperlyConfigured(f"Trail {key!r}: {config['BACKEND']!r} is not a Trail.")
    return backend


def get_trail(key: str) -> Trail:
    """The configured trail ``key`` (``LookupError`` / ``ImproperlyConfigured``)."""
    trails = configured_trails()
    if key not in trails:
        raise LookupError(key)
    return build_trail(key, trails[key])


def build_trail(key: str, config: Any) -> Trail:
    """The trail ``key`` configured by ``config`` (``ImproperlyConfigured`` if it cannot be)."""
    return backend_class(key, config)(key, config)


def trails_for_user(user: Any) -> list[Trail]:
    """The trails ``user`` may see, in settings order; misconfigured ones are skipped
    (``manage.py check`` reports them)."""
    visible: list[Trail] = []
    # The setting read once (the default looks for each package in INSTALLED_APPS): every
    # page asks, for its header's links.
    for key, config in configured_trails().items():
        try:
            trail = build_trail(key, config)
        except ImproperlyConfigured:
            continue
        if trail.visible_to(user):
            visible.append(trail)
    return visible


def beyond_logentry(trails: Sequence[Trail]) -> bool:
    """Whether ``trails`` hold any trail but the admin's LogEntry.

    The object page links to the merged list and export only then: with the LogEntry
    trail alone, the LogEntry list and export hold the same entries, with their own
    columns and sorting, and the links to them keep working.
    """
    return any(not isinstance(trail, LogEntryTrail) for trail in trails)


@dataclass(frozen=True)
class ActivityPages:
    """The activity list and user pages a viewer is sent to.

    Every trail's (``activity/trails/``, ``user/<id>/trails/``) when the viewer sees a trail
    beyond the admin's log, so that "Activity", "My activity" and a user's name lead to all
    of it; the admin log's own pages otherwise, which hold the same entries with their
    chart and facets. The admin log's pages keep their URLs either way, one click away.
    """

    merged: bool

    @classmethod
    def of(cls, trails: Sequence[Trail]) -> ActivityPages:
        """The pages for a viewer who may see ``trails``."""
        return cls(merged=beyond_logentry(trails))

    @property
    def list_view(self) -> str:
        return "auditconsole:activity_trails" if self.merged else "auditconsole:activity"

    @property
    def user_view(self) -> str:
        return "auditconsole:user_trails" if self.merged else "auditconsole:user"

    def list_url(self) -> str:
        return reverse(self.list_view)

    def user_url(self, user_id: Any) -> str:
        return reverse(self.user_view, args=[user_id])


def activity_pages(viewer: Any) -> ActivityPages:
    return ActivityPages.of(trails_for_user(viewer))
