"""Configured sources by key, and which of them a user may see.

A source whose ``PERMISSION`` the user lacks is invisible: not listed, and its URLs
answer 404 exactly like a key that does not exist, so its name is not disclosed either.
Settings are read on every call (``override_settings`` and tests just work); building a
source is cheap, it opens nothing until asked for records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from auditconsole.conf import conf
from auditconsole.sources.base import LogSource
from auditconsole.sources.merged import MergedSource


class UnknownSource(LookupError):
    """No such source, or not one this user may see (the two read the same)."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys asked for that name no source the user may see."""
        return self.args


class MisconfiguredSource(ImproperlyConfigured):
    """A source asked for whose settings are broken (``manage.py check`` says how)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"Log source {key!r} is misconfigured: {problem}")
        self.key = key


def configured_keys() -> list[str]:
    sources: object = conf.LOG_SOURCES  # not yet checked: anything may be configured
    return list(sources) if isinstance(sources, dict) else []


def get_source(key: str) -> LogSource:
    """The configured source ``key`` (``UnknownSource`` / ``ImproperlyConfigured``)."""
    sources: object = conf.LOG_SOURCES
    if not isinstance(sources, dict) or key not in sources:
        raise UnknownSource(key)
    config = sources[key]
    if not isinstance(config, dict) or not isinstance(config.get("BACKEND"), str):
        raise ImproperlyConfigured(f"Log source {key!r} must be a dict with a 'BACKEND'.")
    try:
        backend = import_string(config["BACKEND"])
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"Log source {key!r}: cannot import {config['BACKEND']!r}."
        ) from exc
    if not (isinstance(backend, type) and issubclass(backend, LogSource)):
        raise ImproperlyConfigured(f"Log source {key!r}: {config['BACKEND']!r} is not a LogSource.")
    return backend(key, config)


def source_for_user(keys: str | Sequence[str], user: Any) -> LogSource:
    """What a page asks for: the source ``keys`` names or, given a sequence (even of one
    key), those sources merged, in settings order, duplicates dropped.

    Raises :class:`UnknownSource` naming every key that is not configured or that ``user``
    may not see, after :class:`MisconfiguredSource` for a broken one (the first in settings
    order). The console's pages answer either with a 404.
    """
    wanted = {keys} if isinstance(keys, str) else set(keys)
    found: list[LogSource] = []
    for key in configured_keys():
        if key not in wanted:
            continue
        try:
            source = get_source(key)
        except ImproperlyConfigured as exc:
            raise MisconfiguredSource(key, str(exc)) from exc
        if source.visible_to(user):
            found.append(source)
    missing = wanted - {source.key for source in found}
    if missing or not found:
        raise UnknownSource(*sorted(missing))
    return found[0] if isinstance(keys, str) else MergedSource(found)


def get_source_for_user(key: str, user: Any) -> LogSource:
    """The source ``key``, if ``user`` may see it (see :func:`source_for_user`)."""
    return source_for_user(key, user)


def sources_for_user(user: Any) -> list[LogSource]:
    """The sources ``user`` may see, in settings order; misconfigured ones are skipped."""
    visible, _ = sources_and_problems(user)
    return visible


def sources_and_problems(user: Any) -> tuple[list[LogSource], list[tuple[str, str]]]:
    """Visible sources, and ``(key, problem)`` for misconfigured ones the user may see.

    A broken source's own PERMISSION is honoured when it can be read, so a problem report
    does not reveal a source the user could not see anyway.
    """
    visible: list[LogSource] = []
    problems: list[tuple[str, str]] = []
    for key in configured_keys():
        try:
            source = get_source(key)
        except ImproperlyConfigured as exc:
            config = conf.LOG_SOURCES.get(key)
            permission = config.get("PERMISSION") if isinstance(config, dict) else None
            if not isinstance(permission, str) or user.has_perm(permission):
                problems.append((key, str(exc)))
            continue
        if source.visible_to(user):
            visible.append(source)
    return visible, problems


def merged_source_for_user(keys: Sequence[str], user: Any) -> MergedSource:
    """The merged view of ``keys`` (in settings order, duplicates dropped)."""
    return cast(MergedSource, source_for_user(list(keys), user))
