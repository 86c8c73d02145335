"""Nothing a request carries becomes SQL: injection attempts through every parameter
(field names and values, logger, text, regex, levels, cursors) change nothing and show
nothing they should not; the source's queries are read-only; DSN secrets stay hidden.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core.signing import dumps

from auditconsole.sources import cursor as cursors
from auditconsole.sources.clickhouse import ClickHouseSource, dsn, store
from auditconsole.sources.clickhouse.sql import Bound, Layout
from auditconsole.sources.errors import SourceUnavailable
from auditconsole.sources.query import FieldFilter, Query
from tests.export.helpers import audit_log
from tests.sources.clickhouse import data

__all__ = ["audit_log"]

ATTACKS: tuple[str, ...] = (
    "' OR 1=1 --",
    "x'); DROP TABLE otel_logs; --",
    "}{p0:String}",
    "\\' OR ''='",
    "`Body` != '",
    "1 UNION SELECT name, name FROM system.users --",
)


def row_count(writer: Any) -> int:
    return int(writer.query("SELECT count() FROM otel_logs").result_rows[0][0])


@pytest.mark.parametrize("attack", ATTACKS)
def test_values_are_parameters_never_sql(cluster, writer, attack):
    before = row_count(writer)
    for query in (
        Query(text=attack),
        Query(logger=attack),
        Query(fields=(FieldFilter(("user_id",), attack),)),
        Query(fields=(FieldFilter(("seq",), attack, negate=True),)),
        Query(fields=(FieldFilter((attack,), "1"),)),  # a name no form lets through
        Query(fields=(FieldFilter(("ResourceAttributes", attack), "1"),)),
    ):
        page = cluster.page(query, limit=3)
        expected = 3 if query.fields and query.fields[0].negate else 0
        assert len(page.records) == expected, query
    assert row_count(writer) == before


def test_the_sql_text_holds_no_request_text(cluster):
    layout = cluster.layout()
    bound = Bound()
    attack = ATTACKS[1]
    query = Query(
        text=attack,
        logger=attack,
        fields=(FieldFilter((attack,), attack), FieldFilter(("LogAttributes", attack), attack)),
    )
    for sql in (
        layout.window(query, bound, 10, (1, 2)),
        layout.older(query, bound, 10, (1, 2), 0, 1),
    ):
        assert "DROP" not in sql and "'); " not in sql
    assert attack in bound.params.values()


def test_identifiers_come_only_from_checked_settings():
    with pytest.raises(ValueError):
        Layout(data_schema(), "otel_logs", {"Body`; DROP": "String"})


def data_schema() -> Any:
    from auditconsole.sources.clickhouse.schema import OTEL

    return OTEL


def test_a_forged_cursor_state_is_refused_not_spliced(cluster, client_for, superuser):
    client = client_for(superuser)
    for state in (["1; DROP TABLE otel_logs", 1, 1], [1, "1 OR 1=1", 0], {"x": "y"}):
        token = cursors.dumps(cursors.PAGE, "cluster", state)
        page = client.get(f"/audit/logs/cluster/?cursor={token}")
        assert page.status_code == 200
        assert "no longer matches" in page.content.decode()
    unsigned = dumps(["cluster", [1, 1, 1]], salt="other")
    assert client.get(f"/audit/logs/cluster/?cursor={unsigned}").status_code == 200


@pytest.mark.parametrize("level", ["ERROR' OR '1'='1", "99", "../"])
def test_a_level_outside_the_choices_is_a_form_error(cluster, client_for, superuser, level):
    page = client_for(superuser).get("/audit/logs/cluster/", {"level": level})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_queries_run_read_only(cluster):
    with pytest.raises(SourceUnavailable) as caught:
        cluster.store.query("INSERT INTO otel_logs (Body) VALUES ('x')", {})
    assert "read-only" in str(caught.value)


def test_dsn_secrets_never_reach_messages_or_logs(caplog):
    secret = "https://reader:pa55word@127.0.0.1:9/logs?password=pa55word"
    assert dsn.masked(secret) == "https://reader:********@127.0.0.1:9/logs?********"
    source = ClickHouseSource("down", data.config(secret, "otel_logs", "otel"))
    with caplog.at_level(logging.WARNING), pytest.raises(SourceUnavailable) as caught:
        source.page(Query())
    assert "pa55word" not in str(caught.value) and "pa55word" not in caplog.text
    assert "pa55word" not in repr(source)
    store.forget(secret)


def table_digest(writer: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(writer.query(f"SELECT count(), sum(cityHash64(*)) FROM {table}").result_rows[0])
        for table in ("otel_logs", "activity_audit_logs")
    ]


def test_walking_every_page_leaves_the_store_as_it_was(
    ch_sources, writer, client_for, superuser, audit_log, settings
):
    """The read-only guarantee, for the store: every page of a source, then a digest."""
    settings.AUDITCONSOLE_LOG_SOURCES = {**settings.AUDITCONSOLE_LOG_SOURCES, **ch_sources()}
    before = table_digest(writer)
    client = client_for(superuser)
    page = client.get("/audit/logs/audit/?level=ERROR")
    record = re.search(r'href="(/audit/logs/audit/record/[^"]+/)"', page.content.decode())
    assert record is not None
    for url in (
        record.group(1),
        "/audit/logs/audit/?field=host%3Dweb-1&q=audit",
        "/audit/tail/audit/",
        "/audit/logs/audit/export/",
        "/audit/logs/audit/export.csv?q=audit%2019999",
        "/audit/logs/merged/?sources=cluster&sources=audit",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    assert table_digest(writer) == before
