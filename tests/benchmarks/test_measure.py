"""Alternation and summaries (with a fake clock: nothing here is timed)."""

from __future__ import annotations

import shutil
import sys

import pytest

from benchmarks.measure import (
    TIME,
    alternate,
    command_peak_rss_mb,
    median,
    peak_rss_mb,
    percentile,
)


class FakeClock:
    """Advances by one second per reading: each call "takes" 1000 ms."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_alternate_warms_up_then_interleaves_the_subjects() -> None:
    calls: list[str] = []
    samples = alternate(
        [lambda: calls.append("ours"), lambda: calls.append("anchor")],
        3,
        warmup=2,
        clock=FakeClock(),
    )
    assert calls == ["ours", "anchor"] * 5
    assert samples == [[1000.0] * 3, [1000.0] * 3]


def test_alternate_without_warmup() -> None:
    calls: list[int] = []
    samples = alternate([lambda: calls.append(1)], 2, warmup=0, clock=FakeClock())
    assert calls == [1, 1]
    assert len(samples) == 1 and len(samples[0]) == 2


def test_a_failing_subject_stops_the_measurement() -> None:
    def broken() -> None:
        raise RuntimeError("HTTP 500")

    with pytest.raises(RuntimeError, match="HTTP 500"):
        alternate([broken], 3)


def test_median_and_percentile() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([]) is None
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) is None


def test_peak_rss_of_this_process_and_of_a_command() -> None:
    assert peak_rss_mb() > 1
    if shutil.which(TIME) is None:
        assert command_peak_rss_mb(["true"]) is None
        return
    small = command_peak_rss_mb(["true"])
    python = command_peak_rss_mb([sys.executable, "-c", "x = bytearray(64 * 1024 * 1024)"])
    assert small is not None and python is not None
    # The command's own peak, not this process's: a 64 MB buffer shows, `true` is tiny.
    assert small < 20 < 64 < python
