"""Limits and headers: a token over its rate answers 429 with Retry-After, counted over
every API process (two apps on one database stand for two processes behind a load
balancer); every page carries the security headers (a body over the limit:
tests/api/test_bad_inputs.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from structlog.testing import CapturingLogger

from ledger.api.app import create_app
from ledger.api.keys import LIMITER
from ledger.infra import ratelimits
from ledger.infra.database import create_pool
from ledger.infra.ratelimits import SharedWindows
from ledger.infra.settings import Settings
from tests.conftest import Issue, bearer

Client = TestClient[Any, Any]
MakeClient = Callable[..., Awaitable[Client]]
# The middle of a minute to come: the test's requests all fall in one minute, 30 s before
# the next.
AT = (time.time() // 60 + 10) * 60 + 30.0
MINUTE = int(AT // 60)


def windows(client: Client) -> SharedWindows:
    shared: SharedWindows = client.app[LIMITER].shared
    return shared


async def synced(*clients: Client) -> None:
    """Wait until every process has written its counts, then until every process has read
    the totals after that (a flush begun after each mark, twice)."""
    for _ in range(2):
        marks = [windows(c).flushes + 2 for c in clients]
        for _ in range(1000):
            if all(windows(c).flushes >= mark for c, mark in zip(clients, marks, strict=True)):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the processes stopped flushing")


async def test_a_token_over_its_rate_answers_429_with_retry_after(
    settings: Settings, issue: Issue, aiohttp_client: MakeClient
) -> None:
    tight = settings.model_copy(update={"rate_limit": 60, "rate_burst": 3})
    client = await aiohttp_client(create_app(tight))
    busy, other = bearer(issue("inspector", subject="busy")), bearer(issue("inspector"))
    statuses = [(await client.get("/v1/units", headers=busy)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await client.get("/v1/units", headers=busy)
    assert refused.status == 429 and refused.content_type == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert "60 requests a minute" in (await refused.json())["detail"]
    assert (await client.get("/v1/units", headers=other)).status == 200  # per token
    assert (await client.get("/healthz")).status == 200  # the open routes are not counted


async def test_pages_carry_security_headers(client: TestClient[Any, Any]) -> None:
    page = await client.get("/docs")
    assert page.status == 200 and page.content_type == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    answer = await client.get("/v1/units")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"


async def test_two_processes_let_a_token_through_its_limit_once_not_twice(
    settings: Settings, issue: Issue, aiohttp_client: MakeClient
) -> None:
    """Requests alternating between two processes: 60 a minute in all, not 60 each; a token
    refused by one is refused by the other, even by one that never saw it."""
    shared = settings.model_copy(
        update={
            "rate_limit": 60,
            "rate_burst": 1000,  # the shared minute limits, not the bucket
            "rate_sync_interval": 0.05,
            "project_in_process": False,
        }
    )
    one, two = [await aiohttp_client(create_app(shared)) for _ in range(2)]
    for client in (one, two):
        windows(client).clock = lambda: AT
    busy = bearer(issue("inspector", subject="busy"))
    allowed = 0
    for turn in range(16):  # 80 requests, 5 at a time on one process then on the other
        client = (one, two)[turn % 2]
        statuses = [(await client.get("/v1/vocabularies", headers=busy)).status for _ in range(5)]
        assert set(statuses) <= {200, 429}
        allowed += statuses.count(200)
        await synced(one, two)
    assert allowed == 60
    for client in (one, two):  # the retry lands on either: refused until the next minute
        refused = await client.get("/v1/vocabularies", headers=busy)
        assert refused.status == 429 and refused.content_type == "application/problem+json"
        assert refused.headers["Retry-After"] == "30"
        problem = await refused.json()
        assert problem["title"] == "Too many requests"
        assert "60 requests a minute across all API processes" in problem["detail"]

    fresh = bearer(issue("inspector", subject="fresh"))
    statuses = [(await one.get("/v1/vocabularies", headers=fresh)).status for _ in range(61)]
    assert statuses.count(200) == 60 and statuses[-1] == 429
    await synced(one, two)
    assert (await two.get("/v1/vocabularies", headers=fresh)).status == 429  # never saw it


async def test_a_process_writes_its_counts_when_it_stops(
    settings: Settings, issue: Issue, aiohttp_client: MakeClient, pool: asyncpg.Pool
) -> None:
    slow = settings.model_copy(update={"rate_limit": 60, "rate_sync_interval": 60})
    client = await aiohttp_client(create_app(slow))
    token = bearer(issue("inspector", subject="leaving"))
    for _ in range(3):
        assert (await client.get("/v1/vocabularies", headers=token)).status == 200
    await client.close()
    assert await pool.fetchval("SELECT sum(used) FROM rate_windows") == 3


async def test_no_rate_limit_counts_nothing_and_flushes_nothing(
    settings: Settings, issue: Issue, aiohttp_client: MakeClient
) -> None:
    free = settings.model_copy(update={"rate_limit": 0, "rate_sync_interval": 0.01})
    client = await aiohttp_client(create_app(free))
    token = bearer(issue("inspector"))
    statuses = [(await client.get("/v1/vocabularies", headers=token)).status for _ in range(5)]
    assert statuses == [200] * 5
    await asyncio.sleep(0.1)
    assert windows(client).flushes == 0 and windows(client).pending == {}


async def test_a_flush_that_cannot_reach_the_database_keeps_its_counts(
    database_url: str, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counts wait for the next flush; requests go on; one warning per outage."""
    logged = CapturingLogger()
    monkeypatch.setattr(ratelimits, "log", logged)
    shared = SharedWindows(5, clock=lambda: AT)
    assert [shared.take("t") for _ in range(3)] == [0, 0, 0]
    closed = await create_pool(database_url, 1, 1)
    await closed.close()
    assert await shared.flush(closed) is False
    assert shared.pending == {(MINUTE, "t"): 3}
    stop = asyncio.Event()
    flushing = asyncio.create_task(shared.run(closed, 0.01, stop))
    await asyncio.sleep(0.1)
    assert shared.take("t") == 0  # a request meanwhile: allowed, counted
    stop.set()
    await flushing  # never raised
    assert shared.pending == {(MINUTE, "t"): 4}
    assert [call.method_name for call in logged.calls] == ["warning"]
    assert await shared.flush(pool) is True  # the database back: everything written
    assert shared.pending == {} and shared.known == {"t": 4}
    assert await pool.fetchval("SELECT used FROM rate_windows WHERE token_id = 't'") == 4
    assert [call.method_name for call in logged.calls] == ["warning", "info"]


async def test_a_window_ends_with_its_minute(pool: asyncpg.Pool) -> None:
    now = AT
    shared = SharedWindows(2, clock=lambda: now)
    assert [shared.take("t") for _ in range(2)] == [0, 0]
    assert shared.take("t") == 30  # the seconds to the next minute
    now = AT + 25
    assert shared.take("t") == pytest.approx(5)
    now = AT + 30  # the next minute: a new window
    assert shared.take("t") == 0
    assert shared.pending == {(MINUTE, "t"): 2, (MINUTE + 1, "t"): 1}  # the last still to write
    assert await shared.flush(pool)
    assert shared.known == {"t": 1}
    rows = await pool.fetch("SELECT minute, used FROM rate_windows ORDER BY minute")
    assert [(row["minute"], row["used"]) for row in rows] == [(MINUTE, 2), (MINUTE + 1, 1)]
    assert shared.take("u") == 0
    now = AT + 150  # two minutes on: unwritten counts of before the last minute are dropped
    assert shared.take("t") == 0
    assert shared.pending == {(MINUTE + 3, "t"): 1} and shared.known == {}
    assert await shared.flush(pool)  # and the windows before the last minute deleted
    rows = await pool.fetch("SELECT minute, used FROM rate_windows ORDER BY minute")
    assert [(row["minute"], row["used"]) for row in rows] == [(MINUTE + 3, 1)]


def test_the_tokens_counted_at_once_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full, it forgets the totals of tokens idle and under the limit (the database keeps
    them); still full, a new token goes uncounted here (its bucket still limits it)."""
    monkeypatch.setattr(ratelimits, "MAX_TOKENS", 4)
    shared = SharedWindows(5, clock=lambda: AT)
    shared.known = {"idle": 1, "spent": 5, "busy": 2}
    assert shared.take("busy") == 0
    assert shared.take("new") == 0
    assert shared.known == {"spent": 5, "busy": 2}
    assert shared.pending == {(MINUTE, "busy"): 1, (MINUTE, "new"): 1}
    assert shared.take("another") == 0
    assert (MINUTE, "another") not in shared.pending
    assert len(shared.known) + len(shared.pending) == 4
    assert shared.take("spent") == 30  # a token at the limit is still refused
