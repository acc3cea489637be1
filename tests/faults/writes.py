"""Writes under a fault, and what the database holds after: the requests sent (each with
its Idempotency-Key), sent again, and the log's own account of them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg

from ledger.domain.clue import clue_id
from ledger.domain.vocab import ClueSource
from tests.conftest import bearer

REQUEST_TIMEOUT = 10.0  # an answer slower than this fails the test
SUBJECT = "faults-integration"  # the actor of every clue, and the owner of the keys


@dataclass
class Sent:
    """One request: its key and body, and its 2xx answer once it arrived."""

    key: str
    body: dict[str, Any]
    answer: dict[str, Any] | None = None

    @property
    def clue_id(self) -> UUID:
        return clue_id(ClueSource(self.body["source"]), self.body["external_id"])


@asynccontextmanager
async def http(token: str, clients: int) -> AsyncIterator[aiohttp.ClientSession]:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=2 * clients)
    async with aiohttp.ClientSession(
        headers=bearer(token), timeout=timeout, connector=connector
    ) as session:
        yield session


async def send_again(
    session: aiohttp.ClientSession, url: str, request: Sent, limit: asyncio.Semaphore
) -> tuple[int, bool, dict[str, Any]]:
    """The same request, the same key: its status, whether replayed, its answer."""
    async with (
        limit,
        session.post(
            f"{url}/v1/clues", json=request.body, headers={"Idempotency-Key": request.key}
        ) as answer,
    ):
        replayed = answer.headers.get("Idempotent-Replayed") == "true"
        return answer.status, replayed, dict(await answer.json(content_type=None))


async def clue_events(conn: asyncpg.Connection, ids: list[UUID]) -> dict[UUID, list[int]]:
    """The positions of the events of each clue stream among ``ids``, by version."""
    rows = await conn.fetch(
        "SELECT stream_id, stream_version, position FROM ledger_events"
        " WHERE stream_id = any($1::uuid[]) ORDER BY stream_id, stream_version",
        ids,
    )
    streams: dict[UUID, list[int]] = {}
    for row in rows:
        positions = streams.setdefault(row["stream_id"], [])
        assert row["stream_version"] == len(positions) + 1, f"a gap in {row['stream_id']}"
        positions.append(row["position"])
    return streams


async def keys_held(conn: asyncpg.Connection) -> dict[str, dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT key, result::text AS result, position FROM ledger_idempotency WHERE actor = $1",
        SUBJECT,
    )
    return {row["key"]: json.loads(row["result"]) | {"held_at": row["position"]} for row in rows}


async def assert_sealed_and_gapless(conn: asyncpg.Connection) -> int:
    """Every event has its seal, positions run 1..head without a gap; the head."""
    head = await conn.fetchval("SELECT position FROM ledger_head")
    count, highest, unsealed = await conn.fetchrow(
        "SELECT count(*), coalesce(max(e.position), 0), count(*) FILTER"
        " (WHERE s.position IS NULL) FROM ledger_events e LEFT JOIN ledger_seal s USING (position)"
    )
    assert unsealed == 0
    assert count == highest == head
    return int(head)
