"""The import-export resources: columns, rendering, and the streaming renderer's equivalence."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from hypothesis import given, settings
from hypothesis import strategies as st
from import_export import fields

from auditconsole.export.formulas import FORMULA_PREFIXES
from auditconsole.export.resources import LogEntryResource, LogRecordResource, secret_hint
from auditconsole.redaction import Redactor
from auditconsole.sources.records import Record
from project.demo.models import Customer, Ticket
from tests.activity.entries import auditconsole_message, log

WHEN = datetime.datetime(2026, 11, 22, 10, 30, 15, 250000, tzinfo=datetime.UTC)


def csv_line(cells: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


@pytest.fixture
def entries(support_user):
    return [
        log(support_user, Customer, 7, ADDITION, when=WHEN, name="Acme", message=[{"added": {}}]),
        log(
            support_user,
            Ticket,
            "=1+1",
            CHANGE,
            when=WHEN,
            name="@SUM(A1)",
            message=auditconsole_message(
                [{"field": "status", "label": "Status", "old": "open", "new": "closed"}]
            ),
        ),
        log(support_user, None, None, DELETION, when=WHEN, name="-gone", message="+1 deleted"),
    ]


def test_columns():
    assert LogEntryResource().get_export_headers() == [
        "id",
        "time",
        "user",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "change",
        "change_message",
    ]


def test_rows_render_as_documented(entries):
    resource = LogEntryResource()
    rows = list(resource.rows(LogEntry.objects.order_by("id")))
    render = resource.row_renderer()
    first, second, third = (render(row) for row in rows)
    assert first == [
        entries[0].pk,
        "2026-11-22T10:30:15Z",
        "agent",
        "addition",
        "demo.customer",
        "7",
        "Acme",
        "Added.",
        '[{"added": {}}]',
    ]
    assert second[3:8] == [
        "change",
        "demo.ticket",
        "'=1+1",
        "'@SUM(A1)",
        "Changed Status. — Status: open → closed",
    ]
    assert third[3:9] == ["deletion", "", None, "'-gone", "'+1 deleted", "'+1 deleted"]


def test_renderer_writes_the_same_csv_as_export_resource(entries):
    resource = LogEntryResource()
    render = resource.row_renderer()
    for row in resource.rows(LogEntry.objects.all()):
        assert csv_line(render(row)) == csv_line(resource.export_resource(row))


def test_import_exports_own_export_is_escaped_too(entries):
    resource = LogEntryResource()
    dataset = resource.export(resource.values(LogEntry.objects.order_by("id")))
    rows = list(csv.reader(io.StringIO(dataset.csv)))
    assert rows[0] == resource.get_export_headers()
    assert rows[2][5:7] == ["'=1+1", "'@SUM(A1)"]


def test_one_query_whatever_the_row_count(entries, django_assert_num_queries):
    resource = LogEntryResource()
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_model(Customer)
    ContentType.objects.get_for_model(Ticket)
    with django_assert_num_queries(1):
        rows = list(map(resource.row_renderer(), resource.rows(LogEntry.objects.all())))
    assert len(rows) == 3


def test_username_follows_the_user_model(entries):
    User.objects.filter(pk=entries[0].user_id).update(username="renamed")
    row = next(LogEntryResource().rows(LogEntry.objects.all()))
    assert row.username == "renamed"


def test_unknown_action_flags_are_written_as_numbers(support_user):
    entry = log(support_user, Ticket, 1, 9)
    resource = LogEntryResource()
    (row,) = resource.rows(LogEntry.objects.filter(pk=entry.pk))
    assert resource.row_renderer()(row)[3] == "9"


def test_time_falls_back_to_the_widget_for_datetimes():
    class Row:
        time = WHEN

    assert LogEntryResource().dehydrate_time(Row()) == "2026-11-22T10:30:15Z"


def test_secrets_in_object_names_are_masked(support_user):
    entry = log(support_user, Customer, 1, name="Acme api_key=abc123 account")
    resource = LogEntryResource()
    (row,) = resource.rows(LogEntry.objects.filter(pk=entry.pk))
    assert resource.row_renderer()(row)[6] == "Acme api_key=******** account"


@settings(max_examples=200)
@given(st.text())
def test_secret_hint_never_misses_what_redaction_would_mask(text):
    redactor = Redactor()
    if redactor.redact_text(text) != text:
        assert secret_hint(redactor)(text)


def test_secret_hint_without_keys_matches_nothing():
    assert not secret_hint(Redactor(keys=()))("password=x")
    assert secret_hint(Redactor())("X-Api-Key: 1")


def record(**overrides) -> Record:
    values = {
        "time": WHEN,
        "level": "ERROR",
        "levelno": 40,
        "logger": "apps.billing",
        "message": "=cmd|' /C calc'!A0",
        "fields": {},
        "raw": "",
        "source": "app",
        "file": "app.log.1",
        "data": {"module": "views", "request": {"method": "-POST"}, "n": -5},
    }
    values.update(overrides)
    return Record(**values)


def test_record_columns_include_the_source_columns():
    resource = LogRecordResource(columns=["module", "request.method", "n", "level", "module"])
    assert resource.get_export_headers() == [
        "time",
        "level",
        "logger",
        "message",
        "source",
        "file",
        "module",
        "request.method",
        "n",
        "field:level",
    ]
    cells = resource.row_renderer()(record())
    assert cells == [
        "2026-11-22T10:30:15.250Z",
        "ERROR",
        "apps.billing",
        "'=cmd|' /C calc'!A0",
        "app",
        "app.log.1",
        "views",
        "'-POST",
        "'-5",
        "",
    ]
    assert csv_line(cells) == csv_line(resource.export_resource(record()))


def test_records_without_time_have_an_empty_cell():
    assert LogRecordResource().row_renderer()(record(time=None))[0] == ""


def test_fields_with_other_widgets_go_through_import_export():
    class WithWidget(LogRecordResource):
        levelno = fields.Field(
            attribute="levelno", column_name="levelno", widget=fields.widgets.IntegerWidget()
        )

    cells = WithWidget().row_renderer()(record())
    assert cells[-1] == "40"


@given(st.sampled_from(FORMULA_PREFIXES), st.text())
def test_no_text_cell_of_a_record_starts_a_formula(prefix, text):
    resource = LogRecordResource(columns=["module"])
    cells = resource.row_renderer()(
        record(
            level=prefix + text,
            logger=prefix,
            message=prefix + text,
            file=prefix,
            source=prefix,
            data={"module": prefix + text},
        )
    )
    for cell in cells[1:]:
        assert cell[0] == "'"


def test_plain_attributes_of_other_types_are_escaped_as_text():
    class WithNumber(LogRecordResource):
        levelno = fields.Field(attribute="levelno", column_name="levelno")

    render = WithNumber().row_renderer()
    assert render(record())[-1] == "40"
    assert render(record(levelno=-40))[-1] == "'-40"
