"""The demo's people: three logins to try the console with, and the agents in its history.

Passwords are well known (admin/admin, support/support, staff/staff), which is why the
command refuses to run with DEBUG off unless forced. Existing accounts are never touched:
running the command again must not reset a password someone changed on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q

from auditconsole.permissions import ALL_PERMISSIONS
from project.demo.vocabulary import AGENTS, Person

SUPPORT_GROUP = "support"

#: What the support group may do: the whole console, and read access to the demo models
#: (the console only shows history of models a user may view).
SUPPORT_PERMISSIONS: tuple[str, ...] = (
    *ALL_PERMISSIONS,
    "demo.view_customer",
    "demo.view_ticket",
    "demo.view_invoice",
)


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    description: str


LOGINS: tuple[Login, ...] = (
    Login("admin", "admin", "superuser: console and Django admin"),
    Login("support", "support", "support agent: console with export, via the 'support' group"),
    Login("staff", "staff", "staff without console permissions: sees a 403"),
)


class MissingPermissionsError(LookupError):
    """The permissions the demo grants do not exist yet (migrations have not run)."""


@dataclass
class Accounts:
    admin: User
    support: User
    staff: User
    agents: list[User]
    created: list[str] = field(default_factory=list)

    @property
    def desk(self) -> list[User]:
        """Everyone who works tickets: the agents and the support login."""
        return [*self.agents, self.support]


def support_permissions() -> list[Permission]:
    query = Q()
    for perm in SUPPORT_PERMISSIONS:
        app_label, codename = perm.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    if len(found) != len(SUPPORT_PERMISSIONS):
        names = {f"{p.content_type.app_label}.{p.codename}" for p in found}
        missing = ", ".join(sorted(set(SUPPORT_PERMISSIONS) - names))
        raise MissingPermissionsError(f"Permissions missing ({missing}); run `manage.py migrate`.")
    return found


def ensure_support_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    wanted = support_permissions()
    # set() only writes the difference, so a second run changes nothing.
    group.permissions.set(wanted)
    return group


def _ensure_user(
    username: str,
    created: list[str],
    *,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = True,
    is_superuser: bool = False,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@support.example.com",
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    created.append(username)
    return user


def ensure_accounts() -> Accounts:
    group = ensure_support_group()
    created: list[str] = []
    admin = _ensure_user("admin", created, password="admin", is_superuser=True)
    support = _ensure_user(
        "support", created, password="support", first_name="Dana", last_name="Whitfield"
    )
    staff = _ensure_user("staff", created, password="staff", first_name="Morgan", last_name="Lee")
    agents = [_agent(person, created) for person in AGENTS]
    for member in (support, *agents):
        if member.username in created:
            member.groups.add(group)
    return Accounts(admin=admin, support=support, staff=staff, agents=agents, created=created)


def _agent(person: Person, created: list[str]) -> User:
    return _ensure_user(
        person.username,
        created,
        password=None,
        first_name=person.first_name,
        last_name=person.last_name,
    )
