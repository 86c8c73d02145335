"""Fixtures of the export tests (defined in helpers, shared with tests/views/test_export.py)."""

from tests.export.helpers import _no_time_budget, audit_log

__all__ = ["_no_time_budget", "audit_log"]
