"""A real console log for access (and export) records, read back by a real log source."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditconsole.access.record import LOGGER_NAME
from auditconsole.export.audit import LOGGER_NAME as EXPORTS
from auditconsole.sources.query import Query
from auditconsole.sources.registry import get_source
from tests.export.helpers import _no_time_budget, json_handler
from tests.sources.helpers import FILE_SOURCE, app_line, write

__all__ = ["_no_time_budget"]


@pytest.fixture
def console_log(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """Access and export records go to ``console.log``, which the "console" source reads."""
    path = tmp_path / "console.log"
    handler = json_handler(path)
    loggers = [logging.getLogger(LOGGER_NAME), logging.getLogger(EXPORTS)]
    for logger in loggers:
        logger.addHandler(handler)
    app = write(tmp_path / "app.log", [app_line(n) for n in range(30)])
    settings.AUDITCONSOLE_LOG_SOURCES = {
        "console": {
            "BACKEND": FILE_SOURCE,
            "LABEL": "This console",
            "OPTIONS": {"path": str(path)},
        },
        "app": {"BACKEND": FILE_SOURCE, "LABEL": "Application", "OPTIONS": {"path": str(app)}},
    }
    settings.AUDITCONSOLE_EXPORT_AUDIT_SOURCE = "console"
    yield path
    for logger in loggers:
        logger.removeHandler(handler)
    handler.close()


def access_records() -> list[Any]:
    """The access records in the console's log, oldest first."""
    found = get_source("console").iter_records(Query(logger=LOGGER_NAME))
    return [record for record in found if record.logger == LOGGER_NAME][::-1]
