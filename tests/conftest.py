"""Fixtures shared by the whole suite: the users every permission test needs, and Chromium."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from hypothesis import settings as hypothesis_settings

from auditconsole.permissions import PERMISSIONS
from tests.services import CHROMIUM, in_ci

# Property tests: quick by default; AUDITCONSOLE_FUZZ=nightly explores far more (the
# security fuzzers scale their own budgets too, see tests/security/fuzzing.py).
hypothesis_settings.register_profile("nightly", max_examples=5000, deadline=None)
if os.environ.get("AUDITCONSOLE_FUZZ", "").lower() == "nightly":
    hypothesis_settings.load_profile("nightly")


def console_permissions(*codenames: str) -> list[Permission]:
    wanted = codenames or tuple(code for code, _ in PERMISSIONS)
    return list(
        Permission.objects.filter(content_type__app_label="auditconsole", codename__in=wanted)
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(
        username: str,
        *,
        staff: bool = True,
        active: bool = True,
        superuser: bool = False,
        console_perms: tuple[str, ...] | None = (),
        perms: tuple[str, ...] = (),
    ) -> User:
        user = User.objects.create_user(
            username,
            f"{username}@example.com",
            "pw",
            is_staff=staff,
            is_active=active,
            is_superuser=superuser,
        )
        if console_perms is None or console_perms:
            user.user_permissions.add(*console_permissions(*(console_perms or ())))
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return user

    return make


@pytest.fixture
def superuser(make_user: Callable[..., User]) -> User:
    return make_user("root", superuser=True)


@pytest.fixture
def support_user(make_user: Callable[..., User]) -> User:
    """A support agent: every console permission, and view permission on the demo models."""
    return make_user(
        "agent",
        console_perms=None,
        perms=("demo.view_customer", "demo.view_ticket", "demo.view_invoice"),
    )


@pytest.fixture
def viewer_user(make_user: Callable[..., User]) -> User:
    """Console view permissions but no export."""
    return make_user(
        "viewer",
        console_perms=("view_activity", "view_logs"),
        perms=("demo.view_customer", "demo.view_ticket", "demo.view_invoice"),
    )


@pytest.fixture
def staff_user(make_user: Callable[..., User]) -> User:
    """Staff, but no console permission at all."""
    return make_user("staffer")


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def unavailable(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless Chromium, one for the session.

    Here rather than in tests/browser/ because the development walk
    (tests/project/test_development_walk.py) needs it too, and Playwright's sync API starts
    only once per thread: a second fixture could not launch a second browser.
    """
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        unavailable(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last.

    Playwright's sync API keeps an asyncio loop running in the main thread from the first
    browser test to the end of the session (the browser is session-scoped), and Django's
    ``async_to_sync`` refuses to run beside one. Everything else goes first.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
