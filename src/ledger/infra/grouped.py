"""Group commit: items written together, each caller answered on its own.

While one write is in flight, the items that arrive queue up and go together in the next
(up to ``most`` a write: one round trip, one commit). A lone item is written at once, so
nothing waits for company. The event store's appends and the access log's entries both go
this way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# One write of a batch: each item's answer in order, or the exception that item alone
# raises; an exception the write raises fails every item of the batch.
Write = Callable[[list[T]], Awaitable[Sequence[R | Exception]]]


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Write[T, R], most: int) -> None:
        self.write = write
        self.most = most
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queue())
        return await answer

    async def _write_queue(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.most], self._queue[self.most :]
            try:
                answers = await self.write([item for item, _ in batch])
            except Exception as error:  # the whole batch failed: every caller hears why
                for _, waiting in batch:
                    if not waiting.done():
                        waiting.set_exception(error)
                continue
            for (_, waiting), answer in zip(batch, answers, strict=True):
                if waiting.done():  # its caller was cancelled
                    continue
                if isinstance(answer, Exception):
                    waiting.set_exception(answer)
                else:
                    waiting.set_result(answer)
