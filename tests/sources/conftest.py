from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.sources.helpers import config


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    return directory


@pytest.fixture
def configure(settings: Any) -> Callable[..., None]:
    """``configure(app=path, api=(path, {"PERMISSION": ...}))`` sets the sources."""

    def make(**sources: Any) -> None:
        result = {}
        for key, value in sources.items():
            if isinstance(value, tuple):
                path, extra = value
                result[key] = config(path, **extra)
            else:
                result[key] = config(value)
        settings.AUDITCONSOLE_LOG_SOURCES = result

    return make


@pytest.fixture(autouse=True)
def _no_time_budget(settings: Any) -> None:
    """Scans stop on bytes, never on the clock, so no test depends on the machine's speed."""
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 3600
