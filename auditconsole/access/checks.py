"""System check of access records: ``auditconsole.W039``, they would not be written.

(``auditconsole.E037``, a non-boolean ``AUDITCONSOLE_ACCESS_LOG``, and ``E038``, an
``AUDITCONSOLE_ACCESS_LOG_EVENTS`` that is not a list of known kinds, are checked with the
other settings' types in :mod:`auditconsole.checks`.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from auditconsole.access.record import LOGGER_NAME
from auditconsole.conf import conf


def check_access_log(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if conf.ACCESS_LOG is not True:
        return []  # turned off, or not a boolean (E037)
    logger = logging.getLogger(LOGGER_NAME)
    if logger.isEnabledFor(logging.INFO) and logger.hasHandlers():
        return []
    return [
        checks.Warning(
            f"The console's reads are not recorded: the {LOGGER_NAME!r} logger drops INFO records.",
            hint=(
                f"Route {LOGGER_NAME!r} (or 'auditconsole') at level INFO to a handler that "
                "writes a file, e.g. with auditconsole.logconfig.build(log_file=...), or set "
                "AUDITCONSOLE_ACCESS_LOG = False. Until then every page shows a warning."
            ),
            id="auditconsole.W039",
        )
    ]
