"""System checks of ``AUDITCONSOLE_TRAILS`` (ids E141-E147; docs/trails.md lists them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from auditconsole.trails.registry import backend_class, configured_trails


def check_trails(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    # The setting's own type is checked with the others (E140, auditconsole.checks).
    messages: list[checks.CheckMessage] = []
    for key, config in configured_trails().items():
        try:
            backend = backend_class(key, config)
        except ImproperlyConfigured as exc:
            messages.append(checks.Error(str(exc), id="auditconsole.E145"))
            continue
        messages.extend(backend.check_config(key, config))
    return messages
