from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from auditconsole.permissions import (
    ALL_PERMISSIONS,
    EXPORT,
    VIEW_ACTIVITY,
    has_console_perms,
    is_console_user,
)


@pytest.mark.django_db
def test_permissions_are_created_by_migrate() -> None:
    codenames = set(
        Permission.objects.filter(content_type__app_label="auditconsole").values_list(
            "codename", flat=True
        )
    )
    # view_access (issue 20) is the one permission added since: who viewed and searched.
    assert codenames == {"view_activity", "view_logs", "export", "view_access"}


def test_anonymous_is_not_a_console_user() -> None:
    assert not is_console_user(AnonymousUser())
    assert not has_console_perms(AnonymousUser(), VIEW_ACTIVITY)


def test_only_active_staff_are_console_users(make_user) -> None:
    assert is_console_user(make_user("a"))
    assert not is_console_user(make_user("b", staff=False, console_perms=None))
    assert not is_console_user(make_user("c", active=False, console_perms=None))


def test_permissions_are_checked_individually(make_user, superuser) -> None:
    viewer = make_user("v", console_perms=("view_activity",))
    assert has_console_perms(viewer, VIEW_ACTIVITY)
    assert not has_console_perms(viewer, VIEW_ACTIVITY, EXPORT)
    assert has_console_perms(superuser, *ALL_PERMISSIONS)
    # A non-staff user holding the permission is still refused: staff only.
    outsider = make_user("o", staff=False, console_perms=None)
    assert not has_console_perms(outsider, VIEW_ACTIVITY)
