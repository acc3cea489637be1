"""Webhooks out: how fast the deliverer hands the log to receivers, against the HTTP floor.

A receiver on loopback answers 200 to everything. 2,000 clues (× `--scale`, at least 200)
are in the log; then:
- W-raw:  the same signed bodies POSTed to the receiver one after another by a bare
          aiohttp client (the floor: one in-order delivery at a time, nothing else);
- W-one:  one subscription created after the fact with `after: 0`, every event delivered
          in order by the deliverer (reading the log, signing, recording each delivery);
- W-ten:  ten subscriptions at once: deliveries per second over all of them.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web
from aiohttp.test_utils import TestServer
from figures import Figure

from ledger.api.app import create_app
from ledger.deliveries.delivery import message_id, new_secret, sign
from ledger.domain.access import Role
from ledger.infra.settings import Settings
from ledger.infra.tokens import issue_token, load_token_key

BATCH = 1000


async def webhooks_out(url: str, pool: asyncpg.Pool, scale: float, reps: int) -> list[Figure]:
    count = max(200, round(2_000 * scale))
    received = 0
    target, reached = 0, asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        nonlocal received
        await request.read()
        received += 1
        if received >= target:
            reached.set()
        return web.Response()

    sink = web.Application()
    sink.router.add_post("/hook", receive)
    runner = web.AppRunner(sink)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    figures = [
        Figure("W-raw", "signed POSTs to a loopback receiver, in order (baseline)", "posts/s"),
        Figure("W-one", "deliverer, one subscription, in order", "deliveries/s", ref="W-raw"),
        Figure("W-ten", "deliverer, ten subscriptions at once", "deliveries/s", ref="W-raw"),
    ]
    with tempfile.TemporaryDirectory(prefix="ledger-bench-hooks-") as folder:
        settings = Settings(
            database_url=url,
            data_dir=Path(folder),
            rate_limit=0,
            log_level="warning",
            projection_poll_interval=0.05,
            webhook_allow=[hook.split("/")[2]],
            webhook_allow_loopback=True,
        )
        server = TestServer(create_app(settings))
        await server.start_server()
        try:
            key, _ = load_token_key(settings)
            token, _ = issue_token(key, settings, subject="bench-hooks", role=Role.INTEGRATION)
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
                await _fill(server, http, count)
                bodies = await _bodies(server, http, count)
                for _ in range(reps):
                    figures[0].rates.append(await _raw(hook, bodies))
                    for figure, many in ((figures[1], 1), (figures[2], 10)):
                        start, target = time.perf_counter(), received + count * many
                        reached.clear()
                        made = [await _subscribe(server, http, hook) for _ in range(many)]
                        await asyncio.wait_for(reached.wait(), timeout=600)
                        figure.rates.append(count * many / (time.perf_counter() - start))
                        for sub in made:
                            await http.delete(server.make_url(f"/v1/webhooks/{sub}"))
        finally:
            await server.close()
            await runner.cleanup()
    return figures


async def _fill(server: TestServer, http: aiohttp.ClientSession, count: int) -> None:
    for first in range(0, count, BATCH):
        clues = [
            {
                "source": "hotline_12345",
                "external_id": f"hook-bench-{n}",
                "summary": f"市民来电第{n}号：窗口办事推诿",
                "received_at": "2025-03-02T09:00:00+08:00",
            }
            for n in range(first, min(first + BATCH, count))
        ]
        async with http.post(server.make_url("/v1/clues/batch"), json={"clues": clues}) as done:
            assert done.status == 200, await done.text()


async def _bodies(server: TestServer, http: aiohttp.ClientSession, count: int) -> list[str]:
    bodies: list[str] = []
    after = 0
    while len(bodies) < count:
        async with http.get(
            server.make_url("/v1/events"), params={"after": str(after), "limit": "500"}
        ) as page:
            items: list[Any] = (await page.json())["items"]
        if not items:
            await asyncio.sleep(0.05)
            continue
        bodies += [json.dumps(item, ensure_ascii=False) for item in items]
        after = items[-1]["position"]
    return bodies


async def _raw(hook: str, bodies: list[str]) -> float:
    secret = new_secret()
    start = time.perf_counter()
    async with aiohttp.ClientSession() as bare:
        for position, body in enumerate(bodies, 1):
            headers = sign(secret, message_id("bench", position), datetime.now(UTC), body)
            async with bare.post(hook, data=body.encode(), headers=headers) as answer:
                assert answer.status == 200
    return len(bodies) / (time.perf_counter() - start)


async def _subscribe(server: TestServer, http: aiohttp.ClientSession, hook: str) -> str:
    async with http.post(server.make_url("/v1/webhooks"), json={"url": hook, "after": 0}) as made:
        assert made.status == 201, await made.text()
        return str((await made.json())["id"])
