"""One supplier created in a request-like context that every trail records (five badges)."""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager

import reversion
from auditlog.context import set_actor
from django.contrib.admin.models import ADDITION
from django.contrib.auth.models import User
from easyaudit.middleware.easyaudit import clear_request, set_current_user

from auditconsole.audit import log_action
from tests.trailapp.models import Supplier

#: The trails that record it, in the order the object page badges them.
EVERY_TRAIL = ["admin", "history", "reversion", "auditlog", "easyaudit"]


def supplier_in_every_trail(
    user: User, commits: AbstractContextManager[object] | None = None
) -> Supplier:
    """Create a supplier as ``user``: the admin's log and each package record it.

    ``commits``: where on-commit callbacks (easy-audit's) must be run by hand, inside a
    test's transaction, the fixture that runs them.
    """
    set_current_user(user)  # easy-audit's middleware would
    try:
        with set_actor(user), reversion.create_revision(), commits or contextlib.nullcontext():
            reversion.set_user(user)
            supplier = Supplier(name="Acme")
            supplier._history_user = user  # type: ignore[attr-defined]
            supplier.save()
    finally:
        clear_request()
    log_action(user, supplier, ADDITION)
    return supplier
