"""A subscriber's pending events: what it needs of ``asyncio.Queue``, for one reader.

A thousand idle streams per worker each hold one. An ``asyncio.Queue`` is four deques and
an ``Event`` (about 3.3 KB); this is one deque, and a future only while its stream waits.
There is one reader (the stream's view) and no bound (the hub drops a tab that falls
``MAX_PENDING`` events behind), so getters and putters need no queues of their own.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

_T = TypeVar("_T")


class Mailbox(Generic[_T]):
    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[_T] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: _T) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def get_nowait(self) -> _T:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    async def get(self) -> _T:
        """The next item, once there is one (cancellable, like ``Queue.get``)."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()
