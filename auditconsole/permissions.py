"""The console's own permissions and the access rule every view applies.

The permissions hang off an unmanaged model (:class:`auditconsole.models.Console`), so
Django creates them with ``migrate`` and they can be granted to a "support" group in the
admin like any other permission. A superuser holds them all implicitly.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

APP_LABEL = "auditconsole"

VIEW_ACTIVITY = f"{APP_LABEL}.view_activity"
VIEW_LOGS = f"{APP_LABEL}.view_logs"
EXPORT = f"{APP_LABEL}.export"

#: (codename, human name) pairs, used by the model's Meta and by the demo command.
PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_activity", "Can view audit activity (LogEntry)"),
    ("view_logs", "Can view log sources"),
    ("export", "Can export audit CSV"),
)

ALL_PERMISSIONS: tuple[str, ...] = (VIEW_ACTIVITY, VIEW_LOGS, EXPORT)


def is_console_user(user: AbstractBaseUser | AnonymousUser | Any) -> bool:
    """Active staff only: the console is never for customers, whatever they were granted."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def has_console_perms(user: AbstractBaseUser | AnonymousUser | Any, *perms: str) -> bool:
    return is_console_user(user) and user.has_perms(perms)
