from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from auditconsole.sources.files.timestamps import from_epoch, parse_timestamp

PARIS = ZoneInfo("Europe/Paris")
UTC_1234 = datetime(2026, 4, 4, 12, 34, 56, 789000, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-04T12:34:56.789Z",  # structlog TimeStamper(fmt="iso", utc=True)
        "2026-04-04T12:34:56.789+00:00",  # isoformat()
        "2026-04-04T12:34:56.789+0000",  # %z
        "2026-04-04 12:34:56.789Z",
        "2026-04-04T14:34:56.789+02:00",  # @timestamp with an offset
        "2026-04-04T12:34:56.789000Z",
    ],
)
def test_aware_forms(text: str) -> None:
    assert parse_timestamp(text, PARIS) == UTC_1234


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-04 12:34:56,789",  # logging's asctime
        "2026-04-04 12:34:56.789",  # django-activity-audit
        "2026-04-04T12:34:56.789",
    ],
)
def test_naive_forms_are_read_in_the_configured_zone(text: str) -> None:
    parsed = parse_timestamp(text, PARIS)
    assert parsed == datetime(2026, 4, 4, 12, 34, 56, 789000, tzinfo=PARIS)
    assert parsed.utcoffset() == timedelta(hours=2)  # summer time in April
    assert parse_timestamp(text, UTC) == UTC_1234


def test_seconds_only_and_fixed_offset_zone() -> None:
    zone = timezone(timedelta(hours=-5))
    assert parse_timestamp("2026-03-04 14:23:01", zone) == datetime(
        2026, 3, 4, 14, 23, 1, tzinfo=zone
    )


@pytest.mark.parametrize("value", [1775306096.789, "1775306096.789", 1775306096789])
def test_epoch_seconds_and_milliseconds(value) -> None:
    parsed = parse_timestamp(value, PARIS)
    assert parsed is not None
    assert parsed.tzinfo is UTC
    assert abs(parsed.timestamp() - 1775306096.789) < 0.001


def test_runserver_and_common_log_formats() -> None:
    assert parse_timestamp("04/Apr/2026 12:34:56", UTC) == datetime(
        2026, 4, 4, 12, 34, 56, tzinfo=UTC
    )
    assert parse_timestamp("04/Apr/2026:12:34:56 +0200", UTC) == datetime(
        2026, 4, 4, 10, 34, 56, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        "",
        "yesterday",
        "2026-13-45 99:99:99",
        {"t": 1},
        -5,
        float("nan"),
        "x" * 100,
        1e300,
    ],
)
def test_not_a_time(value) -> None:
    assert parse_timestamp(value, UTC) is None


def test_from_epoch_rejects_overflow() -> None:
    assert from_epoch(1e18) is None
