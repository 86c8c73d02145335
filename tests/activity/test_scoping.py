from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType

from auditconsole.activity.scoping import Scope, scope_for, visible_models
from project.demo.models import Customer, Invoice, Ticket
from tests.activity.entries import content_type, log


def test_superuser_is_unrestricted(superuser) -> None:
    scope = scope_for(superuser)
    assert scope.unrestricted
    assert scope.allows(None)
    assert scope.allows(12345)


def test_setting_off_unrestricts_everyone(support_user, settings) -> None:
    settings.AUDITCONSOLE_SCOPE_TO_MODEL_PERMISSIONS = False
    assert scope_for(support_user).unrestricted


def test_support_agent_sees_the_models_it_may_view(support_user) -> None:
    scope = scope_for(support_user)
    assert scope.content_type_ids == {content_type(m).pk for m in (Customer, Ticket, Invoice)}
    assert not scope.allows(content_type(User).pk)
    assert not scope.allows(None)
    assert set(scope.content_types()) == {content_type(m) for m in (Customer, Ticket, Invoice)}


def test_change_permission_grants_visibility_and_groups_count(make_user) -> None:
    user = make_user("grouped", console_perms=("view_activity",), perms=("demo.change_ticket",))
    group = Group.objects.create(name="billing")
    group.permissions.add(Permission.objects.get(codename="view_invoice"))
    user.groups.add(group)
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert scope_for(user).content_type_ids == {content_type(Ticket).pk, content_type(Invoice).pk}


def test_other_permissions_grant_nothing(make_user) -> None:
    # add_/delete_ are not about seeing a model's history; the console's own view_activity
    # reads as a model "activity" that no content type matches.
    user = make_user("adder", console_perms=None, perms=("demo.add_ticket", "demo.delete_customer"))
    assert ("demo", "ticket") not in visible_models(user)
    assert scope_for(user).content_type_ids == frozenset()


def test_no_permission_sees_nothing(staff_user) -> None:
    scope = scope_for(staff_user)
    assert scope.content_type_ids == frozenset()
    assert list(scope.content_types()) == []


def test_apply_filters_rows(support_user, superuser) -> None:
    visible = log(superuser, Customer, 1)
    log(superuser, User, superuser.pk)
    log(superuser, None, None)
    assert list(scope_for(support_user).apply(LogEntry.objects.all())) == [visible]
    assert scope_for(superuser).apply(LogEntry.objects.all()).count() == 3


def test_scope_costs_constant_queries(make_user, django_assert_max_num_queries) -> None:
    few = make_user("few", perms=("demo.view_ticket",))
    many = make_user(
        "many",
        perms=tuple(
            f"{p.content_type.app_label}.{p.codename}"
            for p in Permission.objects.filter(codename__startswith="view_").select_related(
                "content_type"
            )
        ),
    )
    for user in (few, many):
        user = User.objects.get(pk=user.pk)
        # Django's two permission queries (user and group) and one for the content types.
        with django_assert_max_num_queries(3):
            scope_for(user)


def test_content_types_match_exactly(make_user) -> None:
    # A permission for model "ticket" in app "demo" must not also grant "demo.tickets".
    decoy = ContentType.objects.create(app_label="demo", model="tickets")
    scope = scope_for(make_user("t", perms=("demo.view_ticket",)))
    assert scope == Scope(frozenset({content_type(Ticket).pk}))
    assert not scope.allows(decoy.pk)


def test_scope_for_one_model_is_one_equality(support_user, superuser) -> None:
    visible = log(support_user, Customer, 1)
    log(support_user, User, 1)
    customer = content_type(Customer).pk
    scoped = scope_for(support_user).apply(LogEntry.objects.all(), content_type_id=customer)
    assert list(scoped) == [visible]
    assert " IN " not in str(scoped.query)
    hidden = content_type(User).pk
    assert not scope_for(support_user).apply(LogEntry.objects.all(), content_type_id=hidden)
    assert list(scope_for(superuser).apply(LogEntry.objects.all(), content_type_id=customer)) == [
        visible
    ]
