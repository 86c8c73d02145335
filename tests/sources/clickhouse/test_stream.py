"""The pushed live tail of a ClickHouse source: the hub polls the store, once per filter.

The store has nothing to watch, so the stream hub reads it every ``TAIL_POLL_SECONDS``, one
query per filter and position for all the tabs following it, and sends every tab of a
filter the same rendered bytes. This lives beside the other ClickHouse tests because
their chdb engine (``conftest.py``) can be opened once per process.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

import pytest

from auditconsole.sources.clickhouse import ClickHouseSource
from auditconsole.sources.query import Query
from auditconsole.streams import hub as hubs
from auditconsole.streams.hub import Hub, Subscriber
from tests.streams.test_hub import until

LINE = re.compile(rb"line (\d+)<")
TABS = 20


def shown(payloads: list[bytes | str]) -> list[int]:
    return [
        int(n) for payload in payloads if isinstance(payload, bytes) for n in LINE.findall(payload)
    ]


def test_the_hub_polls_the_store_once_per_filter_for_every_tab(
    live: tuple[ClickHouseSource, Any],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.AUDITCONSOLE_TAIL_POLL_SECONDS = 0.05
    settings.AUDITCONSOLE_TAIL_STREAMS_PER_USER = 2 * TABS
    source, insert = live
    insert(1)
    start = source.tail(None, 1).cursor
    errors = Query(min_level=40)
    # The store's queries, counted per filter, and how many each pass over the tabs made.
    queries: Counter[Query] = Counter()
    passes: list[Counter[Query]] = []
    since = hubs.since

    def counted(source: Any, query: Query, state: Any) -> Any:
        queries[query] += 1
        return since(source, query, state)

    serve = hubs.Channel.serve

    async def serve_once(channel: hubs.Channel) -> None:
        before = queries.copy()
        await serve(channel)
        passes.append(queries - before)

    monkeypatch.setattr(hubs, "since", counted)
    monkeypatch.setattr(hubs.Channel, "serve", serve_once)

    async def scenario() -> None:
        hub = Hub()
        every = [Subscriber("u", "", Query(), start, "") for _ in range(TABS)]
        only_errors = [Subscriber("u", "level=ERROR", errors, start, "") for _ in range(TABS)]
        for tab in every + only_errors:
            hub.subscribe(source, tab)
        # Nothing to watch: the channel's own timer is what reads the store.
        assert source.watch_paths() == [] and hub.watcher.directories == {}
        await until(lambda: len(passes) >= 2)
        insert(2)
        insert(3, level="ERROR")
        received: dict[int, list[bytes | str]] = {id(tab): [] for tab in every + only_errors}

        def drained() -> bool:
            for tab in every + only_errors:
                while not tab.queue.empty():
                    received[id(tab)].append(tab.queue.get_nowait())
            return all(shown(received[id(tab)]) == [2, 3] for tab in every) and all(
                shown(received[id(tab)]) == [3] for tab in only_errors
            )

        await until(drained, timeout=20)
        # Every tab of a filter got the very same bytes: read and rendered once for all.
        for tabs in (every, only_errors):
            first = received[id(tabs[0])]
            assert all(
                all(mine is theirs for mine, theirs in zip(received[id(tab)], first, strict=True))
                for tab in tabs
            )
        hub.close()

    asyncio.run(scenario())
    # Each pass over the 40 tabs queried the store once per filter, never once per tab;
    # the rows came on passes after the one the tabs' subscribing woke: the poll's.
    assert len(passes) >= 3
    assert all(made == Counter({Query(): 1, errors: 1}) for made in passes)
