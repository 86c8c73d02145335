"""The watcher: inotify on the event loop, and the stat poll where inotify is not used."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from auditconsole.streams.watch import Watcher, signature
from tests.sources.helpers import app_line, append, write


async def _woken(event: asyncio.Event, timeout: float = 5) -> bool:
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    event.clear()
    return True


def test_inotify_wakes_the_callbacks_of_a_directory_once_for_many_tabs(tmp_path: Path) -> None:
    log = write(tmp_path / "app.log", [app_line(0)])

    async def scenario() -> None:
        watcher = Watcher(asyncio.get_running_loop(), interval=3600)
        assert watcher.uses_inotify
        first, second = asyncio.Event(), asyncio.Event()
        watcher.add(str(tmp_path), first.set)
        watcher.add(str(tmp_path), second.set)
        assert len(watcher.directories) == 1, "one watch per directory"
        append(log, app_line(1))
        assert await _woken(first) and await _woken(second)
        assert watcher.inotify_wakes >= 1 and watcher.stat_wakes == 0
        # A rotation (rename, then a new file) wakes it too.
        os.rename(log, tmp_path / "app.log.1")
        assert await _woken(first)
        watcher.discard(str(tmp_path), first.set)
        watcher.discard(str(tmp_path), first.set)  # twice: no error
        append(log, app_line(2))
        assert await _woken(second)
        assert not first.is_set()
        watcher.discard(str(tmp_path), second.set)
        assert watcher.directories == {}
        watcher.close()

    asyncio.run(scenario())


def test_the_stat_poll_wakes_when_inotify_sees_nothing(tmp_path: Path) -> None:
    log = write(tmp_path / "app.log", [app_line(0)])

    async def scenario() -> None:
        watcher = Watcher(asyncio.get_running_loop(), interval=0.05, inotify=False)
        assert not watcher.uses_inotify
        woken = asyncio.Event()
        watcher.add(str(tmp_path), woken.set)
        await asyncio.sleep(0.15)
        assert not woken.is_set(), "nothing changed"
        append(log, app_line(1))
        assert await _woken(woken)
        assert watcher.stat_wakes == 1
        watcher.close()

    asyncio.run(scenario())


def test_a_directory_that_goes_away_is_still_polled(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()

    async def scenario() -> None:
        watcher = Watcher(asyncio.get_running_loop(), interval=0.05)
        woken = asyncio.Event()
        watcher.add(str(gone), woken.set)
        gone.rmdir()
        assert await _woken(woken)
        assert signature(str(gone)) is None
        missing = asyncio.Event()
        watcher.add(str(tmp_path / "never"), missing.set)  # inotify refuses: polled only
        assert watcher.directories[str(tmp_path / "never")].wd is None
        watcher.close()

    asyncio.run(scenario())
