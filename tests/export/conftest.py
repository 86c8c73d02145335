"""Fixtures of the export tests (defined in helpers, shared with tests/views/test_export.py)."""

from __future__ import annotations

import pytest

from tests.export.helpers import _no_time_budget, add_exports_handler, audit_log, exports_logger

__all__ = ["_database", "_no_time_budget", "add_exports_handler", "audit_log", "exports_logger"]


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """Every export record extends the manifests' chain, whose head is in the database."""
