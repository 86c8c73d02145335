"""Sampling plausible moments of activity."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from project.demo.timeline import Clock

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def test_weekday_office_hours_are_busiest(settings) -> None:
    clock = Clock(random.Random(1))
    assert clock.weight(MONDAY.replace(hour=10)) == 1.0
    assert clock.weight(MONDAY.replace(hour=3)) < 0.05
    assert clock.weight(MONDAY.replace(hour=10) + timedelta(days=6)) < 0.2


def test_floor_keeps_nights_alive() -> None:
    assert Clock(random.Random(1), floor=0.15).weight(MONDAY.replace(hour=3)) == 0.15


def test_samples_follow_the_weights() -> None:
    clock = Clock(random.Random(2))
    moments = [clock.between(MONDAY, MONDAY + timedelta(days=7)) for _ in range(2000)]
    assert all(MONDAY <= m <= MONDAY + timedelta(days=7) for m in moments)
    office = sum(1 for m in moments if m.weekday() < 5 and 8 <= m.hour < 18)
    assert office > 0.7 * len(moments)


def test_empty_range_and_quiet_range() -> None:
    clock = Clock(random.Random(3))
    assert clock.between(MONDAY, MONDAY) == MONDAY
    # A Sunday night is nearly never accepted; a moment inside the range is still returned.
    night = MONDAY - timedelta(hours=22)
    moment = clock.between(night, night + timedelta(minutes=10))
    assert night <= moment <= night + timedelta(minutes=10)


def test_after_stays_ordered_and_in_the_past() -> None:
    clock = Clock(random.Random(4))
    now = MONDAY + timedelta(days=3)
    later = clock.after(MONDAY, timedelta(days=1), now)
    assert later is not None and MONDAY < later <= MONDAY + timedelta(days=1)
    assert clock.after(now - timedelta(minutes=1), timedelta(days=1), now) is None
    sorted_moments = clock.sorted_between(MONDAY, now, 20)
    assert sorted_moments == sorted(sorted_moments) and len(sorted_moments) == 20
