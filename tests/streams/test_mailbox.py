"""A subscriber's mailbox: first in, first out; a waiting reader is woken; cancellable."""

from __future__ import annotations

import asyncio

import pytest

from auditconsole.streams.mailbox import Mailbox


def test_items_come_out_in_order_and_an_empty_box_says_so() -> None:
    box: Mailbox[bytes] = Mailbox()
    assert box.empty() and box.qsize() == 0
    with pytest.raises(asyncio.QueueEmpty):
        box.get_nowait()
    box.put_nowait(b"one")
    box.put_nowait(b"two")
    assert box.qsize() == 2 and not box.empty()
    assert [box.get_nowait(), box.get_nowait()] == [b"one", b"two"]


def test_a_waiting_reader_gets_the_next_item() -> None:
    async def scenario() -> None:
        box: Mailbox[str] = Mailbox()
        reader = asyncio.create_task(box.get())
        await asyncio.sleep(0)
        assert not reader.done()
        box.put_nowait("event")
        box.put_nowait("after")
        assert await asyncio.wait_for(reader, 5) == "event"
        assert await box.get() == "after"

    asyncio.run(scenario())


def test_a_reader_that_gives_up_leaves_the_box_usable() -> None:
    async def scenario() -> None:
        box: Mailbox[str] = Mailbox()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await box.get()
        assert box._waiter is None
        box.put_nowait("later")
        assert await asyncio.wait_for(box.get(), 5) == "later"

    asyncio.run(scenario())
