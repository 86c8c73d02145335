"""Fixtures of the export tests (defined in helpers, shared with tests/views/test_export.py)."""
from __future__ import annotations

from tests.export.helpers import _no_time_budget, add_exports_handler, audit_log, exports_logger

__all__ = ["_no_time_budget", "add_exports_handler", "audit_log", "exports_logger"]
