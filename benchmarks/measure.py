"""Taking a pair of measurements fairly: warm both up, then alternate them.

Timing ours for a minute and then the anchor for a minute would credit whichever side ran
while the (shared) machine was quieter. Alternating, ours, anchor, ours, anchor..., spreads
any disturbance over both, and the medians ignore the odd outlier.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence

TIME = "/usr/bin/time"

Clock = Callable[[], float]


class BenchmarkError(RuntimeError):
    """A subject did not do what it is timed for (an error page is not a fast page)."""


def alternate(
    subjects: Sequence[Callable[[], object]],
    repeat: int,
    *,
    warmup: int = 2,
    clock: Clock = time.perf_counter,
) -> list[list[float]]:
    """Milliseconds per call: ``warmup`` untimed rounds, then ``repeat`` timed rounds.

    Each round calls every subject once, in order; the result holds one list of
    ``repeat`` timings per subject.
    """
    for _ in range(warmup):
        for subject in subjects:
            subject()
    samples: list[list[float]] = [[] for _ in subjects]
    for _ in range(repeat):
        for timings, subject in zip(samples, subjects, strict=True):
            started = clock()
            subject()
            timings.append((clock() - started) * 1000)
    return samples


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` 0.95 for p95): a value that occurred."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(who).ru_maxrss / 1024


def command_peak_rss_mb(argv: list[str]) -> float | None:
    """Peak RSS of a command, in MB, from GNU ``/usr/bin/time`` (``None`` without it).

    ``getrusage(RUSAGE_CHILDREN)`` cannot tell: a child forked from this process is
    charged this process's memory before it execs, so every child looks as big as us.
    ``time`` is small, and reports its own child's peak.
    """
    if shutil.which(TIME) is None:
        return None
    result = subprocess.run([TIME, "-f", "%M", *argv], capture_output=True, check=False)
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None
