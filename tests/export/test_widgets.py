from __future__ import annotations

import datetime
import zoneinfo

from auditconsole.export.widgets import UTCDateTimeWidget

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_aware_times_are_written_in_utc_with_z():
    moment = datetime.datetime(2026, 11, 22, 11, 30, 5, 123456, tzinfo=PARIS)
    assert UTCDateTimeWidget().render(moment) == "2026-11-22T10:30:05Z"
    assert UTCDateTimeWidget("milliseconds").render(moment) == "2026-11-22T10:30:05.123Z"


def test_naive_times_are_taken_as_utc():
    assert (
        UTCDateTimeWidget().render(datetime.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"
    )


def test_text_is_already_formatted():
    assert UTCDateTimeWidget().render("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05Z"


def test_anything_else_is_an_empty_cell():
    assert UTCDateTimeWidget().render(None) == ""
    assert UTCDateTimeWidget().render(datetime.date(2026, 1, 2)) == ""
