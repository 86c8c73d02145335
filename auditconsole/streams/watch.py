"""Which directories changed: inotify on the event loop, and a stat poll as the safety net.

One :class:`Watcher` per process watches each directory once, however many tabs follow
the files in it, and calls each callback registered for it when it changes. inotify's
file descriptor is read by the event loop itself (``loop.add_reader``): no thread, no
task per tab. Filesystems inotify cannot see (NFS, some container mounts) and machines
without it are covered by a poll every ``interval`` seconds of each directory's listing
(name, inode, size, modification time per entry), which wakes the callbacks when it
changed and inotify said nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

try:
    from inotify_simple import INotify, flags  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - a dependency; without it the stat poll serves
    INotify = None

Callback = Callable[[], None]
#: What a directory's listing looked like: ``None`` when it cannot be read.
Signature = frozenset[tuple[str, int, int, int]] | None


def signature(path: str) -> Signature:
    """Each entry's name, inode, size and modification time (a stat per entry)."""
    entries = set()
    try:
        with os.scandir(path) as scan:
            for entry in scan:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries.add((entry.name, st.st_ino, st.st_size, st.st_mtime_ns))
    except OSError:
        return None
    return frozenset(entries)


@dataclass(eq=False)
class _Directory:
    path: str
    callbacks: list[Callback] = field(default_factory=list)
    wd: int | None = None
    last: Signature = None
    #: inotify spoke since the last stat poll: the change is already being served.
    notified: bool = False

    def wake(self) -> None:
        for callback in list(self.callbacks):
            callback()


class Watcher:
    """Directories watched for one event loop; see the module's docstring."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, interval: float, *, inotify: bool = True
    ) -> None:
        self.loop = loop
        self.interval = interval
        self.directories: dict[str, _Directory] = {}
        self._by_wd: dict[int, _Directory] = {}
        self._poll_task: asyncio.Task[None] | None = None
        #: How many times each mechanism woke a directory (the benchmarks read these).
        self.inotify_wakes = 0
        self.stat_wakes = 0
        self._inotify = self._open_inotify() if inotify else None

    def _open_inotify(self) -> INotify | None:
        if INotify is None:  # pragma: no cover
            return None
        try:
            inotify = INotify(nonblocking=True)
        except OSError as exc:  # pragma: no cover - out of inotify instances
            logger.warning("inotify is unavailable (%s): the live tail polls its files.", exc)
            return None
        self.loop.add_reader(inotify.fileno(), self._read_events)
        return inotify

    @property
    def uses_inotify(self) -> bool:
        return self._inotify is not None

    def add(self, path: str, callback: Callback) -> None:
        """Call ``callback`` whenever something in the directory ``path`` changes."""
        directory = self.directories.get(path)
        if directory is None:
            directory = self.directories[path] = _Directory(path, last=signature(path))
            if self._inotify is not None:
                mask = (
                    flags.MODIFY
                    | flags.CLOSE_WRITE
                    | flags.CREATE
                    | flags.DELETE
                    | flags.MOVED_FROM
                    | flags.MOVED_TO
                    | flags.ATTRIB
                )
                try:
                    directory.wd = self._inotify.add_watch(path, mask)
                    self._by_wd[directory.wd] = directory
                except OSError as exc:
                    # Gone, unreadable or out of watches: the stat poll still covers it.
                    logger.info("Not watching %s with inotify: %s", path, exc)
        directory.callbacks.append(callback)
        if self._poll_task is None:
            self._poll_task = self.loop.create_task(self._poll())

    def discard(self, path: str, callback: Callback) -> None:
        directory = self.directories.get(path)
        if directory is None or callback not in directory.callbacks:
            return
        directory.callbacks.remove(callback)
        if directory.callbacks:
            return
        del self.directories[path]
        if directory.wd is not None and self._inotify is not None:
            self._by_wd.pop(directory.wd, None)
            with contextlib.suppress(OSError):  # already removed with its directory
                self._inotify.rm_watch(directory.wd)

    def close(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            self._poll_task = None
        if self._inotify is not None:
            self.loop.remove_reader(self._inotify.fileno())
            self._inotify.close()
            self._inotify = None
        self.directories.clear()
        self._by_wd.clear()

    def _read_events(self) -> None:
        if self._inotify is None:  # pragma: no cover - closed while the loop held a read
            return
        woken: dict[int, _Directory] = {}
        try:
            events = self._inotify.read(timeout=0)
        except OSError:  # pragma: no cover - nothing to read after all
            return
        for event in events:
            directory = self._by_wd.get(event.wd)
            if directory is None:
                continue
            if event.mask & flags.IGNORED:
                # The directory itself went away: its watch is gone, the poll remains.
                self._by_wd.pop(event.wd, None)
                directory.wd = None
            woken[id(directory)] = directory
        for directory in woken.values():
            directory.notified = True
            self.inotify_wakes += 1
            directory.wake()

    async def _poll(self) -> None:
        while self.directories:
            await asyncio.sleep(self.interval)
            for directory in list(self.directories.values()):
                now = await asyncio.to_thread(signature, directory.path)
                changed = now != directory.last
                directory.last = now
                if changed and not directory.notified:
                    self.stat_wakes += 1
                    directory.wake()
                directory.notified = False
        self._poll_task = None
