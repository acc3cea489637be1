"""Following the ledger: the event feed a page at a time, and the live stream (Server-Sent
Events) resumed where it left off with ``Last-Event-ID``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from uuid import UUID

import aiohttp

from ledger.client import operations as ops
from ledger.client.answers import FeedPage, PublicEvent
from ledger.client.errors import ProblemError
from ledger.client.transport import Transport, raise_for_problem

# What ends a live stream without the service refusing it: the server stopped or restarted,
# the network broke. ``follow`` reconnects after these.
DISCONNECTS = (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, asyncio.TimeoutError)


def _filters(types: Sequence[str] | None, unit_id: UUID | None) -> dict[str, object]:
    return {"types": list(types) if types else None, "unit_id": unit_id}


class Feed(Transport):
    async def events(
        self,
        after: int = 0,
        *,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        unit_id: UUID | None = None,
    ) -> FeedPage:
        """One page of events after ``after``, in ledger order; ``next_cursor`` is the
        ``after`` of the next page (null: the page ended the log for now)."""
        query = {"after": after, "limit": limit, **_filters(types, unit_id)}
        return await self.read(ops.EVENTS, FeedPage, query=query)

    async def all_events(
        self,
        after: int = 0,
        *,
        types: Sequence[str] | None = None,
        unit_id: UUID | None = None,
        limit: int = 500,
    ) -> AsyncIterator[PublicEvent]:
        """Every event after ``after`` up to the end of the log as it is now, page by page."""
        while True:
            page = await self.events(after, limit=limit, types=types, unit_id=unit_id)
            for event in page.items:
                yield event
            if page.next_cursor is None:
                return
            after = page.next_cursor

    async def stream(
        self,
        after: int = 0,
        *,
        last_event_id: int | None = None,
        types: Sequence[str] | None = None,
        unit_id: UUID | None = None,
    ) -> AsyncIterator[PublicEvent]:
        """The live stream, one event per message, until the server ends it. Resume with
        ``last_event_id`` (the last ``position`` handled): the service starts after it.
        Close a stream left early with ``contextlib.aclosing``."""
        headers = {} if last_event_id is None else {"Last-Event-ID": str(last_event_id)}
        url, params, sent = self.prepare(
            ops.STREAM, {}, {"after": after, **_filters(types, unit_id)}, headers
        )
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with self.session.get(url, params=params, headers=sent, timeout=timeout) as answer:
            await raise_for_problem(answer)
            data: list[str] = []
            async for raw in answer.content:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:
                    yield PublicEvent.model_validate(json.loads("\n".join(data)))
                    data = []

    async def follow(
        self,
        after: int = 0,
        *,
        types: Sequence[str] | None = None,
        unit_id: UUID | None = None,
        retry_seconds: float = 1.0,
    ) -> AsyncIterator[PublicEvent]:
        """The live stream for good: when it ends or breaks, reconnect after
        ``retry_seconds`` with ``Last-Event-ID`` = the last position yielded, so no event is
        missed or repeated. A refusal (``ProblemError``) is raised, not retried, unless it
        is a 503 or 504 that says when to try again."""
        last = after
        while True:
            try:
                async for event in self.stream(
                    last, last_event_id=last, types=types, unit_id=unit_id
                ):
                    last = event.position
                    yield event
            except DISCONNECTS:
                pass
            except ProblemError as error:
                if error.status not in (503, 504) or error.retry_after is None:
                    raise
                await asyncio.sleep(error.retry_after)
                continue
            await asyncio.sleep(retry_seconds)
