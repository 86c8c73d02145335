"""Epoch minutes: the unit a file's tallies count in and a histogram's buckets are made of.

Its own module so that the line parser (:mod:`.files.parsing`) and the tallies share it
without depending on :mod:`~auditconsole.sources.histogram`, which draws the chart.
"""

from __future__ import annotations

import math
from datetime import datetime


def minute_of(when: datetime) -> int:
    """The minute of an aware time, counted from the epoch (UTC)."""
    return math.floor(when.timestamp() / 60)
