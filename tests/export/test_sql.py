"""The database writes the same ISO 8601 UTC text as the widget, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditconsole.export.sql import UTCTimestamp
from auditconsole.export.widgets import UTCDateTimeWidget
from project.demo.models import Ticket
from tests.activity.entries import log

MOMENTS = [
    datetime.datetime(2026, 11, 22, 10, 30, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(
        1999, 1, 1, 0, 0, 0, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
    ),
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_database_formatting_matches_the_widget(support_user, moment):
    entry = log(support_user, Ticket, 1, when=moment)
    text = (
        LogEntry.objects.annotate(t=UTCTimestamp("action_time"))
        .values_list("t", flat=True)
        .get(pk=entry.pk)
    )
    assert text == UTCDateTimeWidget().render(moment)


def test_other_databases_get_the_column_for_the_widget(db):
    # A backend without its own as_<vendor>() compiles to the bare column.
    query = LogEntry.objects.annotate(t=UTCTimestamp("action_time")).query
    compiler = query.get_compiler(connection=connection)
    sql, params = UTCTimestamp("action_time").resolve_expression(query).as_sql(compiler, connection)
    assert sql.endswith('"action_time"')
    assert not params


def test_debug_sql_logging_survives_the_formatted_time(support_user):
    # With DEBUG on, Django logs every query through ``last_executed_query``, which applies
    # ``%`` formatting to the SQL once more: a format inlined in the SQL text raised
    # ``ValueError: unsupported format character 'Y'`` and every export under ``make run``
    # answered 500. CaptureQueriesContext turns on the same debug cursor.
    moment = MOMENTS[0]
    entry = log(support_user, Ticket, 1, when=moment)
    queryset = LogEntry.objects.annotate(t=UTCTimestamp("action_time")).filter(pk=entry.pk)
    with CaptureQueriesContext(connection) as queries:
        text = queryset.values_list("t", flat=True).get()
    assert text == UTCDateTimeWidget().render(moment)
    assert len(queries.captured_queries) == 1


def test_the_format_travels_as_a_parameter(db):
    query = LogEntry.objects.annotate(t=UTCTimestamp("action_time")).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    if connection.vendor in {"sqlite", "postgresql"}:
        assert any("%" in str(p) or "YYYY" in str(p) for p in params)
    # No literal percent sign is left in the SQL text beside the placeholders.
    assert "%" not in sql.replace("%s", "")
