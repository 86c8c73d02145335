"""The ClickHouse backend: logs from every host, read from the store a team already runs.

Configured as ``"BACKEND": "auditconsole.sources.clickhouse.ClickHouseSource"``. It speaks
to a server over HTTP through clickhouse-connect (``pip install
django-auditconsole[clickhouse]``), or to the same engine in-process through chdb
(``chdb:///path``: tests, demos, one machine). Nothing here is imported by the rest of
the app, and clickhouse-connect is imported only when a source first queries, so the app
runs without the extra installed. See ``docs/clickhouse.md``.
"""

from __future__ import annotations

from auditconsole.sources.clickhouse.source import ClickHouseSource

__all__ = ["ClickHouseSource"]
