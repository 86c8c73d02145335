"""Returning the allocator's free memory after streams connect: once per burst, off the loop."""

from __future__ import annotations

import asyncio
import platform
import threading
from pathlib import Path
from typing import Any

import pytest

from auditconsole.streams import memory
from auditconsole.streams.hub import Hub
from auditconsole.streams.memory import Trimmer
from tests.sources.helpers import app_line, source, write
from tests.streams.test_hub import subscriber, until


class Calls:
    """A stand-in for ``malloc_trim``: counts its calls and the threads they ran in."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def __call__(self) -> int:
        self.threads.append(threading.current_thread())
        return 1


def test_a_burst_of_streams_returns_the_memory_once_in_a_worker_thread() -> None:
    calls = Calls()

    async def scenario() -> None:
        trimmer = Trimmer(asyncio.get_running_loop(), calls, quiet=0, max_wait=60)
        for _ in range(500):
            trimmer.connected()
        await until(lambda: trimmer.trims == 1)
        await asyncio.sleep(0.05)
        assert len(calls.threads) == 1
        assert calls.threads[0] is not threading.current_thread()
        # The next stream to connect is another burst.
        trimmer.connected()
        await until(lambda: trimmer.trims == 2)
        trimmer.close()

    asyncio.run(scenario())


def test_streams_that_keep_connecting_still_get_their_memory_returned() -> None:
    calls = Calls()

    async def scenario() -> None:
        # Never quiet for long enough: the longest wait is what returns it.
        trimmer = Trimmer(asyncio.get_running_loop(), calls, quiet=3600, max_wait=0)
        trimmer.connected()
        await until(lambda: trimmer.trims == 1)
        trimmer.close()

    asyncio.run(scenario())


def test_nothing_is_scheduled_without_malloc_trim_or_once_closed() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        missing = Trimmer(loop, None, quiet=0)
        missing.connected()
        assert missing._handle is None
        calls = Calls()
        closed = Trimmer(loop, calls, quiet=0)
        closed.connected()
        closed.close()
        await asyncio.sleep(0.05)
        assert closed.trims == 0 and calls.threads == []

    asyncio.run(scenario())


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_glibc_malloc_trim_is_found_and_runs() -> None:
    assert memory.malloc_trim is not None
    assert memory.malloc_trim() in (0, 1)


def test_the_hub_returns_the_memory_after_streams_subscribe(tmp_path: Path, settings: Any) -> None:
    settings.AUDITCONSOLE_TAIL_STREAMS_PER_USER = 100
    app = source(write(tmp_path / "app.log", [app_line(i) for i in range(3)]))
    end = app.tail(None, 1).cursor
    calls = Calls()

    async def scenario() -> None:
        hub = Hub()
        hub.trimmer.trim, hub.trimmer.quiet = calls, 0
        for _ in range(50):
            hub.subscribe(app, subscriber(end))
        await until(lambda: hub.trimmer.trims == 1)
        assert len(calls.threads) == 1
        hub.close()

    asyncio.run(scenario())
