"""One chdb engine per test process, filled once, shared by every ClickHouse test.

chdb lets one process open one data directory, and one directory be open in one process:
the directory comes from ``tmp_path_factory``, which is per process (and per xdist
worker), so parallel runs never share one. Tests that write (the tail, paging while rows
arrive) write to tables of their own, so the shared tables stay as ``data`` made them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from auditconsole.sources.clickhouse import ClickHouseSource, ddl
from auditconsole.sources.registry import get_source
from tests.sources.clickhouse import data

clickhouse_connect = pytest.importorskip("clickhouse_connect")
pytest.importorskip("chdb")


@pytest.fixture(scope="session")
def chdb_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("chdb")
    dsn = f"chdb://{directory}"
    client = clickhouse_connect.get_client(dsn=dsn)
    data.create(client)
    yield dsn
    client.close()


@pytest.fixture(scope="session")
def writer(chdb_dsn: str) -> Any:
    """A client that may write (the source's own queries are read-only)."""
    return clickhouse_connect.get_client(dsn=chdb_dsn)


@pytest.fixture
def ch_sources(settings: Any, chdb_dsn: str) -> Callable[..., dict[str, Any]]:
    """``ch_sources(extra=config)``: the two ClickHouse sources, plus any given."""

    def make(**extra: dict[str, Any]) -> dict[str, Any]:
        sources = {
            "cluster": data.config(chdb_dsn, "otel_logs", "otel", label="All hosts"),
            "audit": data.config(
                chdb_dsn, "activity_audit_logs", "activity_audit", label="Audit store"
            ),
            **extra,
        }
        settings.AUDITCONSOLE_LOG_SOURCES = sources
        return sources

    return make


@pytest.fixture
def cluster(ch_sources: Callable[..., dict[str, Any]]) -> ClickHouseSource:
    """The OTel source (``ch_sources()`` configured)."""
    ch_sources()
    source = get_source("cluster")
    assert isinstance(source, ClickHouseSource)
    return source


@pytest.fixture(autouse=True)
def _no_time_budget(settings: Any) -> None:
    settings.AUDITCONSOLE_SCAN_BUDGET_SECONDS = 3600


_tables = itertools.count()


@pytest.fixture
def live(writer: Any, ch_sources, chdb_dsn: str) -> tuple[ClickHouseSource, Any]:
    """An empty OTel table of this test's own, as the source ``live``, and its insert().

    Used by the tail's tests and the stream hub's (``test_tail.py``, ``test_stream.py``).
    """
    table = f"otel_live_{next(_tables)}"
    writer.command(ddl.statement("otel").replace("otel_logs", table, 1))
    ch_sources(live=data.config(chdb_dsn, table, "otel", options={"lag": 30}))
    source = get_source("live")
    assert isinstance(source, ClickHouseSource)

    def insert(*seqs: int, ago: float = 0.0, level: str = "INFO") -> None:
        rows = ", ".join(
            f"(now64(9) - toIntervalMillisecond({int(ago * 1000)}), '{level}', 'svc', "
            f"'line {seq}', map('host.name', 'h1'), 'apps.live', map('seq', '{seq}'))"
            for seq in seqs
        )
        writer.command(
            f"INSERT INTO {table} (Timestamp, SeverityText, ServiceName, Body, "
            f"ResourceAttributes, ScopeName, LogAttributes) VALUES {rows}"
        )

    return source, insert
