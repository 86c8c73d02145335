"""The hub: each source followed once, each batch read and rendered once for every tab at
that position with that filter, the caps, and what ends a stream."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from auditconsole.sources import cursor as cursors
from auditconsole.sources.base import LogSource
from auditconsole.sources.cursor import State
from auditconsole.sources.files import FileSource
from auditconsole.sources.query import Query, TailFilterForm
from auditconsole.sources.tails import TailResult
from auditconsole.streams import hub as hubs
from auditconsole.streams.hub import HANDOVER, RECONNECT, Hub, Refused, Subscriber, get_hub
from tests.sources.helpers import app_line, append, source, write

SEQ = re.compile(rb"event (\d+)<")


def shown(payload: bytes | str) -> list[int]:
    assert isinstance(payload, bytes), payload
    return [int(n) for n in SEQ.findall(payload)]


def errors_only() -> Query:
    form = TailFilterForm(data={"level": "ERROR"})
    assert form.is_valid()
    return form.to_query()


def subscriber(
    state: State, user: object = "u", key: str = "", query: Query | None = None
) -> Subscriber:
    return Subscriber(user=user, key=key, query=query or Query(), state=state, token="")


async def until(condition: Any, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return write(tmp_path / "app.log", [app_line(i) for i in range(3)])


def test_one_read_and_one_render_for_every_tab_at_the_same_position(
    settings: Any, log: Path
) -> None:
    settings.AUDITCONSOLE_TAIL_STREAMS_PER_USER = 100
    app = source(log)
    end = app.tail(None, 1).cursor

    async def scenario() -> None:
        hub = Hub()
        tabs = [subscriber(end, user=i % 7) for i in range(200)]
        for tab in tabs:
            hub.subscribe(app, tab)
        assert len(hub.channels) == 1 and hub.open == 200
        await until(lambda: hub.reads >= 1)
        await asyncio.sleep(0.05)
        reads, renders = hub.reads, hub.renders
        append(log, app_line(3), app_line(4))
        await until(lambda: all(not tab.queue.empty() for tab in tabs))
        payloads = [tab.queue.get_nowait() for tab in tabs]
        assert all(payload is payloads[0] for payload in payloads), "the same bytes for all"
        assert shown(payloads[0]) == [3, 4]
        assert hub.renders - renders == 1
        assert hub.reads - reads <= 2  # one per wake: inotify may report the write twice
        # Each tab knows where it is, signed for the source, as the event's id says.
        assert all(tab.state == tabs[0].state != end for tab in tabs)
        assert cursors.loads(cursors.TAIL, "app", tabs[0].token) == tabs[0].state
        assert f"id: {tabs[0].token}".encode() in payloads[0]
        hub.close()

    asyncio.run(scenario())


def test_tabs_at_other_positions_or_filters_read_apart_then_converge(log: Path) -> None:
    app = source(log)
    start = app.tail(None, 1).cursor

    async def scenario() -> None:
        hub = Hub()
        behind = subscriber(start)
        hub.subscribe(app, behind)
        await until(lambda: hub.reads >= 1)
        append(log, app_line(3))
        assert shown(await asyncio.wait_for(behind.queue.get(), 5)) == [3]
        ahead = subscriber(behind.state)
        early = subscriber(start)
        errors = subscriber(start, key="level=ERROR", query=errors_only())
        for tab in (ahead, early, errors):
            hub.subscribe(app, tab)
        assert shown(await asyncio.wait_for(early.queue.get(), 5)) == [3]
        # Line 3 is a DEBUG line: the filtered tab moves on without a line shown.
        assert shown(await asyncio.wait_for(errors.queue.get(), 5)) == []
        append(log, app_line(4), app_line(6))
        for tab in (behind, ahead, early):
            assert shown(await asyncio.wait_for(tab.queue.get(), 5)) == [4, 6]
        assert shown(await asyncio.wait_for(errors.queue.get(), 5)) == [6]
        assert behind.state == ahead.state == early.state == errors.state
        hub.close()

    asyncio.run(scenario())


def test_the_caps(settings: Any, log: Path) -> None:
    settings.AUDITCONSOLE_TAIL_STREAMS_PER_USER = 2
    settings.AUDITCONSOLE_TAIL_STREAMS_PER_PROCESS = 3
    app = source(log)

    async def scenario() -> None:
        hub = Hub()
        first, second = subscriber(None, user=1), subscriber(None, user=1)
        channel = hub.subscribe(app, first)
        hub.subscribe(app, second)
        with pytest.raises(Refused):
            hub.subscribe(app, subscriber(None, user=1))
        hub.subscribe(app, subscriber(None, user=2))
        with pytest.raises(Refused):
            hub.subscribe(app, subscriber(None, user=3))
        hub.unsubscribe(channel, first)
        hub.unsubscribe(channel, first)  # twice: counted once
        assert hub.open == 2 and hub.per_user[1] == 1
        hub.subscribe(app, subscriber(None, user=1))
        for tab in list(channel.subscribers):
            hub.unsubscribe(channel, tab)
        assert hub.channels == {} and hub.open == 0 and not hub.per_user
        hub.close()

    asyncio.run(scenario())


def test_a_position_the_source_refuses_hands_the_tab_over_to_the_poller(log: Path) -> None:
    async def scenario() -> None:
        hub = Hub()
        tab = subscriber("not a tail position")
        hub.subscribe(source(log), tab)
        assert await asyncio.wait_for(tab.queue.get(), 5) == HANDOVER
        hub.close()

    asyncio.run(scenario())


class Broken(FileSource):
    def tail(self, cursor: State = None, limit: int | None = None) -> TailResult:
        raise RuntimeError("the store is down")


def test_a_source_that_breaks_hands_every_tab_over(log: Path) -> None:
    broken = Broken("app", {"OPTIONS": {"path": str(log)}})

    async def scenario() -> None:
        hub = Hub()
        tabs = [subscriber(None), subscriber({"x": 1})]
        for tab in tabs:
            hub.subscribe(broken, tab)
        for tab in tabs:
            assert await asyncio.wait_for(tab.queue.get(), 5) == HANDOVER
        hub.close()

    asyncio.run(scenario())


class Remote(FileSource):
    """Stands for a store with nothing to watch (a database): the hub polls it."""

    def watch_paths(self) -> list[str]:
        return []


def test_a_source_with_nothing_to_watch_is_polled_once_for_all_its_tabs(
    settings: Any, log: Path
) -> None:
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.05
    remote: LogSource = Remote("app", {"OPTIONS": {"path": str(log)}})
    end = remote.tail(None, 1).cursor

    async def scenario() -> None:
        hub = Hub()
        tabs = [subscriber(end) for _ in range(20)]
        for tab in tabs:
            hub.subscribe(remote, tab)
        assert hub.watcher.directories == {}
        append(log, app_line(3))
        await until(lambda: all(not tab.queue.empty() for tab in tabs))
        assert {shown(tab.queue.get_nowait())[0] for tab in tabs} == {3}
        assert hub.renders == 1
        hub.close()

    asyncio.run(scenario())


def test_a_tab_too_far_behind_is_told_to_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hubs, "MAX_PENDING", 2)

    async def scenario() -> None:
        tab = subscriber(None)
        for _ in range(3):
            tab.send(b"event")
        tab.send(HANDOVER)
        items = [tab.queue.get_nowait() for _ in range(4)]
        assert items == [b"event", b"event", RECONNECT, HANDOVER]

    asyncio.run(scenario())


def test_one_hub_per_event_loop() -> None:
    async def twice() -> tuple[Hub, Hub]:
        return get_hub(), get_hub()

    first, again = asyncio.run(twice())
    assert first is again
    other, _ = asyncio.run(twice())
    assert other is not first
    first.close()
    other.close()
