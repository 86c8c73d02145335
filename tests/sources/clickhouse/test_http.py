"""The HTTP transport (clickhouse-connect's HTTP client) against the real engine, through
the loopback endpoint in ``http.py``; and, opt-in, against a real server.

Path covered: ``http://`` DSNs. The rest of the suite covers ``chdb://``; both must give
the same records, facets and refusals.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from auditconsole.sources.clickhouse import ClickHouseSource, ddl, store
from auditconsole.sources.errors import SourceUnavailable
from auditconsole.sources.query import FieldFilter, Query
from tests.sources.clickhouse import data
from tests.sources.clickhouse.http import serving

#: ``http(s)://user:password@host:port/database`` of a real server the opt-in test may
#: create (and drop) a table in.
REAL_SERVER = "AUDITCONSOLE_TEST_CLICKHOUSE_DSN"


@pytest.fixture(scope="module")
def http_dsn(chdb_dsn: str) -> Iterator[str]:
    with serving(chdb_dsn.removeprefix("chdb://")) as port:
        dsn = f"http://reader:pa55word@127.0.0.1:{port}/default"
        yield dsn
        store.forget(dsn)


def both(chdb_dsn: str, http_dsn: str, table: str, schema: str) -> list[ClickHouseSource]:
    return [
        ClickHouseSource(key, data.config(dsn, table, schema))
        for key, dsn in (("over_chdb", chdb_dsn), ("over_http", http_dsn))
    ]


def test_http_and_chdb_give_the_same_page_facets_and_records(chdb_dsn, http_dsn):
    query = Query(min_level=30, fields=(FieldFilter.parse("host=host-03"),))
    pages = [
        source.page(query, None, 20) for source in both(chdb_dsn, http_dsn, "otel_logs", "otel")
    ]
    assert [r.raw for r in pages[0].records] == [r.raw for r in pages[1].records]
    assert len(pages[1].records) == 20
    over_chdb, over_http = both(chdb_dsn, http_dsn, "otel_logs", "otel")
    assert over_chdb.count_facets(query) == over_http.count_facets(query)
    assert pages[0].cursor == pages[1].cursor
    nxt = over_http.page(query, pages[1].cursor, 20)
    assert nxt.records[0].time <= pages[1].records[-1].time
    assert over_http.get(pages[1].records[3].ref).raw == pages[1].records[3].raw


def test_http_reads_the_activity_audit_schema(chdb_dsn, http_dsn):
    _, over_http = both(chdb_dsn, http_dsn, "activity_audit_logs", "activity_audit")
    page = over_http.page(Query(fields=(FieldFilter.parse("extra.ticket.priority=1"),)), None, 5)
    assert [r.lookup("extra.ticket.priority") for r in page.records] == [1] * 5


def test_http_queries_are_read_only_and_errors_hide_the_password(chdb_dsn, http_dsn):
    _, over_http = both(chdb_dsn, http_dsn, "otel_logs", "otel")
    with pytest.raises(SourceUnavailable) as caught:
        over_http.store.query("INSERT INTO otel_logs (Body) VALUES ('x')", {})
    assert "read-only" in str(caught.value)
    gone = ClickHouseSource("gone", data.config(http_dsn, "no_such_table", "otel"))
    with pytest.raises(SourceUnavailable, match="does not exist") as caught:
        gone.page(Query())
    assert "pa55word" not in str(caught.value)


@pytest.mark.skipif(not os.environ.get(REAL_SERVER), reason=f"set {REAL_SERVER} to run")
def test_a_real_server(settings: Any) -> None:
    """Opt-in: the OTel DDL, 1000 rows, a page, a filter and facets on a real server."""
    import clickhouse_connect

    dsn = os.environ[REAL_SERVER]
    table = f"auditconsole_test_{uuid.uuid4().hex[:8]}"
    client = clickhouse_connect.get_client(dsn=dsn)
    client.command(ddl.statement("otel").replace("otel_logs", table, 1))
    try:
        client.command(data.OTEL_FILL.replace("otel_logs", table).replace("100000", "1000"))
        source = ClickHouseSource("real", data.config(dsn, table, "otel"))
        page = source.page(Query(fields=(FieldFilter.parse("user_id=14"),)), None, 50)
        assert [r.data["user_id"] for r in page.records] == ["14"] * 20
        assert sum(count for _, count in source.count_facets(Query()).levels) == 1000
    finally:
        client.command(f"DROP TABLE IF EXISTS {table}")
        store.forget(dsn)
