"""The console's own permissions and the access rule every view applies.

The permissions hang off an unmanaged model (:class:`auditconsole.models.Console`), so
Django creates them with ``migrate`` and they can be granted to a "support" group in the
admin like any other permission. A superuser holds them all implicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

APP_LABEL = "auditconsole"

VIEW_ACTIVITY = f"{APP_LABEL}.view_activity"
VIEW_LOGS = f"{APP_LABEL}.view_logs"
EXPORT = f"{APP_LABEL}.export"
#: Who looked at what: "Viewed by" on object pages, "Recent searches" on user pages. For
#: the people who check the checkers (PCI DSS 10.2.1.3), on top of ``view_activity``.
VIEW_ACCESS = f"{APP_LABEL}.view_access"

#: (codename, human name) pairs, used by the model's Meta and by the demo command.
PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_activity", "Can view audit activity (LogEntry)"),
    ("view_logs", "Can view log sources"),
    ("export", "Can export audit CSV"),
    ("view_access", "Can view who viewed and searched in the console"),
)

#: The permissions that open the console's sections (any one of them opens its landing
#: page). ``VIEW_ACCESS`` is not one of them: it adds panels to pages ``VIEW_ACTIVITY``
#: opens, and the oversight role it grants is not part of a support agent's kit.
ALL_PERMISSIONS: tuple[str, ...] = (VIEW_ACTIVITY, VIEW_LOGS, EXPORT)


class ConsoleUser(Protocol):
    """What the console asks of a user: ``AnonymousUser``, or a user model with
    ``PermissionsMixin`` and an ``is_staff`` flag (``AbstractUser`` has both)."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_staff(self) -> bool: ...

    def has_perm(self, perm: str) -> bool: ...

    def has_perms(self, perm_list: Iterable[str]) -> bool: ...


def is_console_user(user: ConsoleUser) -> bool:
    """Active staff only: the console is never for customers, whatever they were granted."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def has_console_perms(user: ConsoleUser, *perms: str) -> bool:
    return is_console_user(user) and user.has_perms(perms)
