"""When things happen at a support desk: mostly on weekdays, mostly in office hours.

Uniform random timestamps make every chart in the console look like noise; a real audit
trail has a weekly rhythm and quiet nights. :class:`Clock` samples moments with that shape
in the project's time zone, reproducibly from a seeded ``random.Random``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

#: Relative activity by hour of day (local time); 1.0 is the busiest hour.
HOUR_WEIGHTS: tuple[float, ...] = (
    0.03,
    0.02,
    0.02,
    0.02,
    0.02,
    0.04,
    0.1,
    0.3,  # 00-07
    0.7,
    1.0,
    1.0,
    0.95,
    0.6,
    0.9,
    1.0,
    0.95,  # 08-15
    0.8,
    0.55,
    0.3,
    0.2,
    0.12,
    0.08,
    0.05,
    0.04,  # 16-23
)
#: Relative activity by weekday, Monday first.
DAY_WEIGHTS: tuple[float, ...] = (1.0, 1.0, 0.95, 0.95, 0.85, 0.2, 0.12)

# Rejection sampling gives up after this many draws and takes a uniform moment instead,
# so a short range that falls entirely in a quiet night still yields a time.
MAX_DRAWS = 60


class Clock:
    """Samples plausible moments of activity between two aware datetimes."""

    def __init__(self, rng: random.Random, *, floor: float = 0.0) -> None:
        self.rng = rng
        # Looked up once: timezone.localtime() per draw costs more than the whole draw.
        self.tz = timezone.get_current_timezone()
        # A floor keeps machines busy at night: cron jobs and API clients do not sleep.
        self.floor = floor

    def weight(self, moment: datetime) -> float:
        local = moment.astimezone(self.tz)
        human = HOUR_WEIGHTS[local.hour] * DAY_WEIGHTS[local.weekday()]
        return max(human, self.floor)

    def between(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        if span <= 0:
            return start
        candidate = start
        for _ in range(MAX_DRAWS):
            candidate = start + timedelta(seconds=self.rng.uniform(0, span))
            if self.rng.random() < self.weight(candidate):
                return candidate
        return candidate

    def sorted_between(self, start: datetime, end: datetime, count: int) -> list[datetime]:
        return sorted(self.between(start, end) for _ in range(count))

    def after(self, moment: datetime, within: timedelta, now: datetime) -> datetime | None:
        """A moment a little after ``moment`` (at most ``within``), or None if that is the future.

        Events of one object are generated with this, so each object's history stays in
        order: added, then changed, then deleted.
        """
        start = moment + timedelta(minutes=2)
        if start >= now:
            return None
        return self.between(start, min(moment + within, now))
