"""System checks for exports: the audit trail of exports must actually be kept.

``auditconsole.W020``: the ``auditconsole.exports`` logger would drop its INFO records
(no handler reaches it, or its level is above INFO), so exports would go unrecorded.
``auditconsole.W021``: ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` names no configured log source,
so user pages cannot list anyone's exports.

(``auditconsole.E022``, a non-boolean ``AUDITCONSOLE_EXPORT_REQUIRE_RECORD``, and
``auditconsole.E017``, an ``AUDITCONSOLE_EXPORT_AUDIT_SOURCE`` that is neither a string nor
``None``, are checked with the other settings' types in :mod:`auditconsole.checks`.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from auditconsole.conf import conf
from auditconsole.export.audit import LOGGER_NAME


def check_export_audit(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    logger = logging.getLogger(LOGGER_NAME)
    if not (logger.isEnabledFor(logging.INFO) and logger.hasHandlers()):
        messages.append(
            checks.Warning(
                f"Exports are not recorded: the {LOGGER_NAME!r} logger drops INFO records.",
                hint=(
                    f"Route {LOGGER_NAME!r} (or 'auditconsole') at level INFO to a handler that "
                    "writes a file, e.g. with auditconsole.logconfig.build(log_file=...); "
                    "see docs/export.md."
                    + (
                        " Until then every export is refused (AUDITCONSOLE_EXPORT_REQUIRE_RECORD)."
                        if conf.EXPORT_REQUIRE_RECORD
                        else ""
                    )
                ),
                id="auditconsole.W020",
            )
        )
    key: object = conf.EXPORT_AUDIT_SOURCE
    sources: object = conf.LOG_SOURCES
    # A key that is not a string is auditconsole.E017's to report; looking it up here could
    # raise (a list is unhashable) and would only repeat that error.
    if isinstance(key, str) and key and not (isinstance(sources, dict) and key in sources):
        messages.append(
            checks.Warning(
                f"AUDITCONSOLE_EXPORT_AUDIT_SOURCE is {key!r}, which is not a configured log source: "
                "user pages cannot list exports.",
                hint=(
                    "Add a log source that reads the file the 'auditconsole.exports' logger writes, "
                    "or set AUDITCONSOLE_EXPORT_AUDIT_SOURCE = None."
                ),
                id="auditconsole.W021",
            )
        )
    return messages
