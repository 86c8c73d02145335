"""Configured sources by key, and which of them a user may see.

A source whose ``PERMISSION`` the user lacks is invisible: not listed, and its URLs
answer 404 exactly like a key that does not exist, so its name is not disclosed either.
Settings are read on every call (``override_settings`` and tests just work); building a
source is cheap, it opens nothing until asked for records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from auditconsole.conf import conf
from auditconsole.sources.base import LogSource
from auditconsole.sources.merged import MergedSource


class UnknownSource(LookupError):
    """No such source, or not one this user may see."""


def configured_keys() -> list[str]:
    sources = conf.LOG_SOURCES
    return list(sources) if isinstance(sources, dict) else []


def get_source(key: str) -> LogSource:
    """The configured source ``key`` (``UnknownSource`` / ``ImproperlyConfigured``)."""
    sources = conf.LOG_SOURCES
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


def get_source_for_user(key: str, user: Any) -> LogSource:
    source = get_source(key)
    if not source.visible_to(user):
        raise UnknownSource(key)
    return source


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
    wanted = set(keys)
    ordered = [key for key in configured_keys() if key in wanted]
    if len(ordered) != len(wanted) or not ordered:
        raise UnknownSource(",".join(sorted(wanted)))
    return MergedSource([get_source_for_user(key, user) for key in ordered])
