"""A guard against requests that would block forever (a FIFO opened, a regex stuck)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def hang_guard(seconds: int = 20) -> Iterator[None]:
    """Turn a request blocked forever (e.g. opening a FIFO) into a failure, not a stuck run."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the request was still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
