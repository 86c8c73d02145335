"""A property of the pushed tail: whatever is written, rotated, truncated, and however the
tab's connection drops, what the tab shows is the file's records, in order, each once.

Each example drives a real :class:`~auditconsole.streams.hub.Channel` over real files
(``RotatingFileHandler``-style rotation, logrotate's ``copytruncate``, truncation in place)
with two tabs: one stays connected, the other drops its stream now and then and resumes
from the signed id of the last event it received, as the browser does with
``Last-Event-ID``. The channel is served after each rotation or truncation, as the
watcher would wake it; writes may pile up between reads, and a dropped tab misses a write
and a rotation before it comes back.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditconsole.sources import cursor as cursors
from auditconsole.sources.query import Query
from auditconsole.streams.hub import Channel, Hub, Subscriber
from tests.sources.helpers import app_line, append, source, write

SEQ = re.compile(rb"event (\d+)<")
BACKUPS = 4

Op = tuple[str, int]
OPS = st.one_of(
    st.tuples(st.just("write"), st.integers(1, 4)),
    st.tuples(st.just("serve"), st.just(0)),
    st.tuples(st.just("rotate"), st.just(0)),
    st.tuples(st.just("copytruncate"), st.just(0)),
    st.tuples(st.just("truncate"), st.just(0)),
    st.tuples(st.just("drop"), st.integers(1, 3)),
)


class Files:
    def __init__(self, directory: Path) -> None:
        self.live = directory / "app.log"
        self.next = 0

    def write(self, count: int) -> list[int]:
        numbers = list(range(self.next, self.next + count))
        append(self.live, *(app_line(n) for n in numbers))
        self.next += count
        return numbers

    def _shift(self) -> None:
        for index in range(BACKUPS - 1, 0, -1):
            older = self.live.with_name(f"app.log.{index}")
            if older.exists():
                os.replace(older, self.live.with_name(f"app.log.{index + 1}"))

    def rotate(self) -> None:
        self._shift()
        os.replace(self.live, self.live.with_name("app.log.1"))
        self.live.touch()

    def copytruncate(self) -> None:
        self._shift()
        shutil.copyfile(self.live, self.live.with_name("app.log.1"))
        with self.live.open("r+b") as handle:
            handle.truncate(0)

    def truncate(self) -> None:
        with self.live.open("r+b") as handle:
            handle.truncate(0)


class Tab:
    def __init__(self, channel: Channel, token: str) -> None:
        self.channel = channel
        self.shown: list[int] = []
        self.subscriber = self._subscribe(token)

    def _subscribe(self, token: str) -> Subscriber:
        # The position comes back only as the browser keeps it: the signed id.
        state = cursors.loads(cursors.TAIL, "app", token)
        subscriber = Subscriber(user=1, key="", query=Query(), state=state, token=token)
        self.channel.subscribers.append(subscriber)
        return subscriber

    def at_start(self) -> bool:
        position = self.subscriber.state
        assert isinstance(position, dict)
        stream = position.get("app.log")
        return not isinstance(stream, dict) or stream.get("o", 0) == 0

    def drop(self) -> None:
        self.channel.subscribers.remove(self.subscriber)

    def resume(self) -> None:
        self.drain()
        self.subscriber = self._subscribe(self.subscriber.token)

    def drain(self) -> None:
        queue = self.subscriber.queue
        while not queue.empty():
            payload = queue.get_nowait()
            assert isinstance(payload, bytes), payload
            self.shown.extend(int(n) for n in SEQ.findall(payload))


async def scenario(directory: Path, ops: list[Op]) -> None:
    files = Files(directory)
    write(files.live, [])
    app = source(files.live)
    hub = Hub()
    channel = Channel(hub, "app", app)
    start = cursors.dumps(cursors.TAIL, "app", app.tail(None, 1).cursor)
    steady, dropping = Tab(channel, start), Tab(channel, start)
    written: list[int] = []

    async def serve() -> None:
        await channel.serve()
        for tab in (steady, dropping):
            tab.drain()

    for name, arg in ops:
        if name == "write":
            written += files.write(arg)
        elif name == "serve":
            await serve()
        elif name == "truncate":
            await serve()  # in place, with nothing unread: no copy keeps what was not read
            files.truncate()
            await serve()
        elif name == "drop":
            dropping.drop()
            written += files.write(arg)
            files.rotate()
            await serve()  # the other tab goes on
            written += files.write(arg)
            dropping.resume()
            await serve()
        elif name == "copytruncate":
            if any(tab.at_start() for tab in (steady, dropping)):
                # The known limit (docs/tail.md): a position at offset 0 has no bytes to
                # recognise a copy by, so lines written since and copied away are lost.
                # The watcher reads them long before logrotate copies the file.
                await serve()
            files.copytruncate()
            await serve()
        else:
            files.rotate()
            await serve()
    await serve()
    hub.close()
    assert steady.shown == written
    assert dropping.shown == written


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(OPS, max_size=25))
def test_the_tab_shows_the_files_records_in_order_once(ops: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(scenario(Path(directory), ops))
