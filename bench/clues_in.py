"""Clues in at volume: the same clues delivered through `POST /v1/clues/batch` (1,000 a
request) and one by one through `POST /v1/clues` (the baseline), over HTTP to the real app,
with the events appended counted against the appends (transactions) that wrote them.

- C-one:   POST /v1/clues, one clue a request, 8 clients at once (the baseline);
- C-batch: POST /v1/clues/batch, 1,000 clues a request, one client;
- C-tx:    the appends a batch of 1,000 took (distinct recorded times of its events: one
           transaction writes one).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer
from figures import Figure

from ledger.api.app import create_app
from ledger.domain.access import Role
from ledger.infra.settings import Settings
from ledger.infra.tokens import issue_token, load_token_key

BATCH = 1000
CLIENTS = 8


def _clue(run: str, n: int) -> dict[str, Any]:
    return {
        "source": "hotline_12345",
        "external_id": f"{run}-{n:07d}",
        "summary": f"市民来电反映第{n}号：窗口办事推诿，要求督促整改",
        "received_at": "2025-03-02T09:00:00+08:00",
    }


async def clues_in(url: str, pool: asyncpg.Pool, scale: float, reps: int) -> list[Figure]:
    count = max(BATCH, round(10_000 * scale) // BATCH * BATCH)
    with tempfile.TemporaryDirectory(prefix="ledger-bench-clues-") as folder:
        settings = Settings(
            database_url=url, data_dir=Path(folder), rate_limit=0, log_level="warning"
        )
        server = TestServer(create_app(settings))
        await server.start_server()
        try:
            key, _ = load_token_key(settings)
            token, _ = issue_token(key, settings, subject="bench-hotline", role=Role.INTEGRATION)
            headers = {"Authorization": f"Bearer {token}"}
            figures = [
                Figure("C-one", "POST /v1/clues, one a request, 8 clients (baseline)", "clues/s"),
                Figure(
                    "C-batch", f"POST /v1/clues/batch, {BATCH} a request", "clues/s", ref="C-one"
                ),
                Figure(
                    "C-tx", f"appends (transactions) per batch of {BATCH}", "appends", ratios=False
                ),
            ]
            async with aiohttp.ClientSession(headers=headers) as session:
                for _ in range(reps):
                    figures[0].rates.append(await _one_by_one(server, session, count // 4))
                    rate, appends = await _batched(server, session, pool, count)
                    figures[1].rates.append(rate)
                    figures[2].rates.append(appends)
            return figures
        finally:
            await server.close()


async def _one_by_one(server: TestServer, session: aiohttp.ClientSession, count: int) -> float:
    run = uuid.uuid4().hex[:8]
    target = server.make_url("/v1/clues")
    queue = iter(range(count))

    async def client() -> None:
        for n in queue:
            async with session.post(target, json=_clue(run, n)) as answer:
                assert answer.status == 201, await answer.text()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return count / (time.perf_counter() - start)


async def _batched(
    server: TestServer, session: aiohttp.ClientSession, pool: asyncpg.Pool, count: int
) -> tuple[float, float]:
    run = uuid.uuid4().hex[:8]
    target = server.make_url("/v1/clues/batch")
    appends = []
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        body = {"clues": [_clue(run, n) for n in range(first, first + BATCH)]}
        async with session.post(target, json=body) as answer:
            assert answer.status == 200, await answer.text()
            report = await answer.json()
        assert report["counts"]["created"] == BATCH
        positions = [item["position"] for item in report["items"]]
        appends.append(
            await pool.fetchval(
                "SELECT count(DISTINCT recorded_at) FROM ledger_seal"
                " WHERE position BETWEEN $1 AND $2",
                min(positions),
                max(positions),
            )
        )
    rate = count / (time.perf_counter() - start)
    return rate, max(appends)
