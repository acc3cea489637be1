"""A list read to its end: ``every`` follows the ``next_cursor`` of each page::

    async for unit in every(lambda cursor: ledger.units(under=city, cursor=cursor)):
        ...

Each page is read when the one before is used up, so a long list is never held whole; the
pages are as the ledger stood at each read (pass ``known_at`` to read one moment
throughout, where the list takes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Page(Protocol[T_co]):
    @property
    def items(self) -> Sequence[T_co]: ...

    @property
    def next_cursor(self) -> str | None: ...


async def every(read: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Each item of the pages ``read(cursor)`` answers, from the first (cursor None) to the
    last (no ``next_cursor``)."""
    cursor: str | None = None
    while True:
        page = await read(cursor)
        for item in page.items:
            yield item
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
