from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

import auditconsole.sources as sources_package
from auditconsole.sources.files import FileSource
from auditconsole.sources.merged import MergedSource
from auditconsole.sources.registry import (
    MisconfiguredSource,
    UnknownSource,
    configured_keys,
    get_source,
    get_source_for_user,
    merged_source_for_user,
    source_for_user,
    sources_and_problems,
    sources_for_user,
)
from tests.sources.helpers import config


@pytest.fixture
def three(configure, logs: Path) -> None:
    configure(
        app=logs / "app.log",
        api=(logs / "api.log", {"PERMISSION": "demo.view_customer", "LABEL": "API"}),
        ops=(logs / "ops.log", {"PERMISSION": "auditconsole.export"}),
    )


def test_get_source_builds_the_backend(three) -> None:
    source = get_source("api")
    assert isinstance(source, FileSource)
    assert (source.key, source.label, source.permission) == ("api", "API", "demo.view_customer")
    assert get_source("app").label == "app"
    assert repr(source) == "<FileSource 'api'>"
    assert configured_keys() == ["app", "api", "ops"]
    with pytest.raises(UnknownSource):
        get_source("nope")


def test_visibility_follows_the_source_permission(three, make_user, superuser) -> None:
    viewer = make_user("v", console_perms=("view_logs",))
    customer_viewer = make_user("c", console_perms=("view_logs",), perms=("demo.view_customer",))
    assert [s.key for s in sources_for_user(viewer)] == ["app"]
    assert [s.key for s in sources_for_user(customer_viewer)] == ["app", "api"]
    assert [s.key for s in sources_for_user(superuser)] == ["app", "api", "ops"]
    with pytest.raises(UnknownSource):
        get_source_for_user("api", viewer)
    assert get_source_for_user("api", customer_viewer).key == "api"
    assert sources_for_user(AnonymousUser()) == []
    assert sources_for_user(make_user("inactive", active=False, console_perms=None)) == []
    assert sources_for_user(make_user("customer", staff=False, console_perms=None)) == []


def test_merged_source_for_user(three, make_user, superuser) -> None:
    merged = merged_source_for_user(["api", "app", "app"], superuser)
    assert [s.key for s in merged.sources] == ["app", "api"]  # settings order, no duplicates
    viewer = make_user("v", console_perms=("view_logs",))
    with pytest.raises(UnknownSource):
        merged_source_for_user(["app", "api"], viewer)
    with pytest.raises(UnknownSource):
        merged_source_for_user(["app", "ghost"], superuser)
    with pytest.raises(UnknownSource):
        merged_source_for_user([], superuser)


def test_misconfigured_sources_are_reported_not_raised(settings, logs: Path, make_user) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "ok": config(logs / "app.log"),
        "nobackend": {"OPTIONS": {}},
        "badimport": {"BACKEND": "nowhere.Nothing"},
        "notasource": {"BACKEND": "auditconsole.sources.query.Query"},
        "nopath": {"BACKEND": "auditconsole.sources.files.FileSource", "OPTIONS": {}},
        "badformat": config(logs / "x.log", OPTIONS={"format": "xml"}),
        "badzone": config(logs / "x.log", OPTIONS={"timezone": "Mars/Olympus"}),
        "secret": {"BACKEND": "nowhere.Nothing", "PERMISSION": "auditconsole.export"},
    }
    viewer = make_user("v", console_perms=("view_logs",))
    visible, problems = sources_and_problems(viewer)
    assert [s.key for s in visible] == ["ok"]
    assert [key for key, _ in problems] == [
        "nobackend",
        "badimport",
        "notasource",
        "nopath",
        "badformat",
        "badzone",
    ]
    for key in ("nobackend", "badimport", "notasource", "nopath", "badformat", "badzone"):
        with pytest.raises(ImproperlyConfigured):
            get_source(key)


def test_sources_setting_that_is_not_a_dict(settings) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = ["app"]
    assert configured_keys() == []
    with pytest.raises(UnknownSource):
        get_source("app")


def test_package_exports_lazily() -> None:
    assert sources_package.get_source is get_source
    assert sources_package.Query.__name__ == "Query"
    with pytest.raises(AttributeError):
        sources_package.nothing  # noqa: B018


def test_source_for_user_is_one_source_or_several_merged(three, make_user, superuser) -> None:
    single = source_for_user("api", superuser)
    assert isinstance(single, FileSource) and single.key == "api"
    merged = source_for_user(["ops", "app", "ops"], superuser)
    assert isinstance(merged, MergedSource) and merged.member_keys == ["app", "ops"]
    assert source_for_user(["app"], superuser).is_merged  # a list is a merged view, even of one
    viewer = make_user("v", console_perms=("view_logs",))
    with pytest.raises(UnknownSource) as unknown:
        source_for_user(["ghost", "api", "app", "ops"], viewer)
    assert unknown.value.keys == ("api", "ghost", "ops")  # not there and not visible read alike
    with pytest.raises(UnknownSource) as nothing:
        source_for_user([], superuser)
    assert nothing.value.keys == ()


def test_source_for_user_names_a_misconfigured_source(three, settings, superuser) -> None:
    settings.AUDITCONSOLE_LOG_SOURCES = {
        **settings.AUDITCONSOLE_LOG_SOURCES,
        "broken": {"BACKEND": "nowhere.Nothing"},
    }
    for keys in ("broken", ["app", "broken", "ghost"]):
        with pytest.raises(MisconfiguredSource) as broken:
            source_for_user(keys, superuser)
        assert broken.value.key == "broken"
        assert str(broken.value).startswith("Log source 'broken' is misconfigured: ")
    with pytest.raises(ImproperlyConfigured):  # what the older callers catch
        get_source_for_user("broken", superuser)
