"""One process's open streams: each source followed once, each batch read and rendered once.

A :class:`Subscriber` is one open stream: a filter (:class:`~auditconsole.sources.query.Query`
and the key it is known by), a position, and a queue of events for the view to send. A
:class:`Channel` holds every subscriber of one source (or merged set). When the source
changes (the :class:`~auditconsole.streams.watch.Watcher` calls :meth:`Channel.wake`, or
``TAIL_POLL_SECONDS`` pass for a source with nothing to watch), the channel groups its
subscribers by filter and position, and for each group calls
:func:`~auditconsole.sources.follow.since` once and :func:`.batches.render` once, in a
worker thread, and queues the same bytes for every member. Tabs that opened at different
positions converge after their first batch and share from then on.

The caps are counted here: :meth:`Hub.subscribe` raises :class:`Refused` past
``TAIL_STREAMS_PER_PROCESS`` open streams, or ``TAIL_STREAMS_PER_USER`` for one user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Literal

from auditconsole.conf import conf
from auditconsole.sources.base import LogSource
from auditconsole.sources.cursor import State
from auditconsole.sources.follow import since
from auditconsole.sources.query import Query
from auditconsole.sources.tails import TailResult
from auditconsole.streams import batches
from auditconsole.streams.mailbox import Mailbox
from auditconsole.streams.memory import Trimmer
from auditconsole.streams.watch import Watcher

logger = logging.getLogger(__name__)

#: Renders a batch: the signed position after it, and the event's bytes.
Render = Callable[[LogSource, TailResult], tuple[str, bytes]]

#: What a subscriber's queue may also hold instead of an event: the stream must end and
#: the page poll instead (its position is refused by the source), or the stream must end
#: so the browser reconnects (it fell too far behind).
Signal = Literal["handover", "reconnect"]
HANDOVER: Signal = "handover"
RECONNECT: Signal = "reconnect"

#: Batches waiting for one tab before it is dropped (it resumes by id when it reconnects).
MAX_PENDING = 200


class Refused(Exception):
    """Over a cap: the page polls instead."""


@dataclass(eq=False, slots=True)
class Subscriber:
    """One open stream."""

    user: Hashable
    #: What the shared render depends on besides the position: the normalised filters.
    key: Hashable
    query: Query
    state: State
    #: The signed position of ``state``, for the page's poller if the stream hands over.
    token: str
    queue: Mailbox[bytes | Signal] = field(default_factory=Mailbox)

    def send(self, item: bytes | Signal) -> None:
        if self.queue.qsize() >= MAX_PENDING and item != HANDOVER:
            item = RECONNECT
        self.queue.put_nowait(item)


def _frozen(state: State) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


class Channel:
    """The subscribers of one source, and the task that serves them."""

    def __init__(self, hub: Hub, scope: str, source: LogSource) -> None:
        self.hub = hub
        self.scope = scope
        self.source = source
        self.subscribers: list[Subscriber] = []
        self.paths = source.watch_paths()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        for path in self.paths:
            self.hub.watcher.add(path, self.wake)
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        for path in self.paths:
            self.hub.watcher.discard(path, self.wake)
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        # Watched: changes say when to read. Nothing to watch: read every poll interval.
        timeout = None if self.paths else conf.TAIL_POLL_SECONDS
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            try:
                await self.serve()
            except Exception:
                # A broken source must not end every tab's stream silently: hand them over
                # to the poller, whose request shows the error the way a page does.
                logger.exception("The live tail of %s failed; its pages poll instead.", self.scope)
                for subscriber in self.subscribers:
                    subscriber.send(HANDOVER)

    async def serve(self) -> None:
        """Read and render once per filter and position; queue the batch for each tab."""
        groups: dict[tuple[Hashable, str], list[Subscriber]] = {}
        for subscriber in self.subscribers:
            groups.setdefault((subscriber.key, _frozen(subscriber.state)), []).append(subscriber)
        for members in groups.values():
            query, state = members[0].query, members[0].state
            while True:
                try:
                    result = await asyncio.to_thread(since, self.source, query, state)
                except ValueError:
                    for member in members:
                        member.send(HANDOVER)
                    break
                self.hub.reads += 1
                if result.cursor == state and not result.records:
                    break
                token, payload = await asyncio.to_thread(self.hub.render, self.source, result)
                self.hub.renders += 1
                for member in members:
                    member.state, member.token = result.cursor, token
                    member.send(payload)
                state = result.cursor
                if not result.more:
                    break


class Hub:
    """The open streams of one process (one event loop)."""

    def __init__(self, render: Render = batches.render, interval: float | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.render = render
        self.watcher = Watcher(self.loop, conf.TAIL_POLL_SECONDS if interval is None else interval)
        #: Returns what each stream's connecting request left with the allocator.
        self.trimmer = Trimmer(self.loop)
        self.channels: dict[str, Channel] = {}
        self.per_user: Counter[Hashable] = Counter()
        self.open = 0
        #: Reads (``since`` calls) and renders done, for the benchmarks and tests.
        self.reads = 0
        self.renders = 0

    def subscribe(self, source: LogSource, subscriber: Subscriber) -> Channel:
        """Add ``subscriber`` to its source's channel, or raise :class:`Refused`."""
        if self.open >= conf.TAIL_STREAMS_PER_PROCESS:
            raise Refused("This server holds as many live streams as it may.")
        if self.per_user[subscriber.user] >= conf.TAIL_STREAMS_PER_USER:
            raise Refused("You have as many live streams open as you may.")
        channel = self.channels.get(source.scope)
        if channel is None:
            channel = self.channels[source.scope] = Channel(self, source.scope, source)
            channel.start()
        channel.subscribers.append(subscriber)
        self.open += 1
        self.per_user[subscriber.user] += 1
        # Whatever was written since the page's position is read at once.
        channel.wake()
        self.trimmer.connected()
        return channel

    def unsubscribe(self, channel: Channel, subscriber: Subscriber) -> None:
        if subscriber not in channel.subscribers:
            return
        channel.subscribers.remove(subscriber)
        self.open -= 1
        self.per_user[subscriber.user] -= 1
        if not self.per_user[subscriber.user]:
            del self.per_user[subscriber.user]
        if not channel.subscribers:
            channel.stop()
            del self.channels[channel.scope]

    def close(self) -> None:
        for channel in list(self.channels.values()):
            channel.stop()
        self.channels.clear()
        self.watcher.close()
        self.trimmer.close()


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def get_hub() -> Hub:
    """This process's hub, on the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        # A closed loop (a test's) leaves its hub behind: forget those.
        for old in [old for old in _hubs if old.is_closed()]:
            del _hubs[old]
        hub = _hubs[loop] = Hub()
    return hub
