"""The demo's logins and the support group's permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User

from auditconsole.permissions import ALL_PERMISSIONS, EXPORT, VIEW_ACTIVITY, VIEW_LOGS
from project.demo.accounts import (
    SUPPORT_GROUP,
    SUPPORT_PERMISSIONS,
    MissingPermissionsError,
    ensure_accounts,
)
from project.demo.vocabulary import AGENTS

DEMO_VIEW = {"demo.view_customer", "demo.view_ticket", "demo.view_invoice"}


def perm_names(perms) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def test_support_group_holds_exactly_the_console_and_demo_view_permissions(db: None) -> None:
    ensure_accounts()
    group = Group.objects.get(name=SUPPORT_GROUP)
    assert perm_names(group.permissions.all()) == {*ALL_PERMISSIONS, *DEMO_VIEW}
    assert set(SUPPORT_PERMISSIONS) == {VIEW_ACTIVITY, VIEW_LOGS, EXPORT, *DEMO_VIEW}


def test_support_gets_its_permissions_through_the_group_only(db: None) -> None:
    accounts = ensure_accounts()
    support = User.objects.get(pk=accounts.support.pk)
    assert support.is_staff and not support.is_superuser
    assert support.user_permissions.count() == 0
    assert support.get_all_permissions() == {*ALL_PERMISSIONS, *DEMO_VIEW}
    assert support.check_password("support")


def test_staff_has_no_console_permission(db: None) -> None:
    accounts = ensure_accounts()
    staff = User.objects.get(pk=accounts.staff.pk)
    assert staff.is_staff and not staff.is_superuser
    assert staff.get_all_permissions() == set()
    assert not staff.groups.exists()
    assert staff.check_password("staff")


def test_admin_is_a_superuser(db: None) -> None:
    admin = User.objects.get(pk=ensure_accounts().admin.pk)
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("admin")
    assert admin.has_perms(ALL_PERMISSIONS)


def test_agents_are_support_staff_who_cannot_log_in(db: None) -> None:
    accounts = ensure_accounts()
    assert [a.username for a in accounts.agents] == [p.username for p in AGENTS]
    for agent in accounts.agents:
        agent.refresh_from_db()
        assert agent.is_staff
        assert not agent.has_usable_password()
        assert agent.first_name and agent.last_name
        assert list(agent.groups.values_list("name", flat=True)) == [SUPPORT_GROUP]
    assert {a.username for a in accounts.desk} == {p.username for p in AGENTS} | {"support"}


def test_second_run_creates_and_changes_nothing(db: None) -> None:
    first = ensure_accounts()
    assert set(first.created) == {"admin", "support", "staff", *(p.username for p in AGENTS)}
    before = list(User.objects.order_by("pk").values())
    second = ensure_accounts()
    assert second.created == []
    assert list(User.objects.order_by("pk").values()) == before


def test_existing_account_is_left_alone(db: None, django_user_model) -> None:
    django_user_model.objects.create_user("support", password="my-own-password")
    accounts = ensure_accounts()
    support = User.objects.get(username="support")
    assert "support" not in accounts.created
    assert support.check_password("my-own-password")
    assert not support.is_staff
    assert not support.groups.exists()


def test_missing_permissions_are_reported(db: None) -> None:
    Permission.objects.filter(content_type__app_label="auditconsole", codename="export").delete()
    with pytest.raises(MissingPermissionsError, match=r"auditconsole\.export"):
        ensure_accounts()
