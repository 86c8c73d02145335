"""Give the C allocator's free memory back to the system after streams connect.

Django's ASGI handler runs each request's sync part (the middleware, the view's checks,
its database connection) in a thread of its own. When many tabs open their streams at
once (a thousand after a restart), as many threads run at once, and glibc gives threads
their own allocator arenas. That memory is freed when each stream's checks are done and
its thread let go (:mod:`auditconsole.views.tail_stream`), but glibc keeps free pages in
the middle of an arena and only returns the top: 100 to 200 KB per stream that
connected in the burst, resident for the process's life, though nothing uses it.
``malloc_trim(0)`` hands those pages back.

The :class:`Trimmer` calls it once streams have stopped connecting for a moment (or every
``MAX_WAIT_SECONDS`` while they keep coming), in a worker thread, so the event loop does
not wait for it. Without glibc (musl, macOS) there is nothing to call and it does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Seconds without a new stream before the free memory is returned.
QUIET_SECONDS = 1.0
#: While streams keep connecting, return it at least this often.
MAX_WAIT_SECONDS = 10.0

Trim = Callable[[], object]


def _malloc_trim() -> Trim | None:
    try:
        # The process's own symbols: the C library it runs on.
        function = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int

    def trim() -> object:
        return function(0)

    return trim


#: ``malloc_trim(0)``, or ``None`` where the C library has none.
malloc_trim = _malloc_trim()


class Trimmer:
    """Returns free allocator memory after streams connect; see the module's docstring."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        trim: Trim | None = malloc_trim,
        quiet: float = QUIET_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.loop = loop
        self.trim = trim
        self.quiet = quiet
        self.max_wait = max_wait
        #: How many times memory was returned (the tests read it).
        self.trims = 0
        self._first = self._last = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def connected(self) -> None:
        """A stream connected: return the memory its request used once the burst is over."""
        if self.trim is None:
            return
        self._last = self.loop.time()
        if self._handle is None:
            self._first = self._last
            self._handle = self.loop.call_at(self._due_at(), self._due)

    def _due_at(self) -> float:
        return min(self._last + self.quiet, self._first + self.max_wait)

    def _due(self) -> None:
        if self.loop.time() < self._due_at():
            # Streams connected since this was scheduled: wait for the burst to end.
            self._handle = self.loop.call_at(self._due_at(), self._due)
            return
        self._handle = None
        self.loop.run_in_executor(None, self._run)

    def _run(self) -> None:
        assert self.trim is not None
        try:
            self.trim()
        except Exception:  # pragma: no cover - memory not returned is no reason to fail
            logger.exception("Returning free memory to the system failed.")
        self.trims += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
