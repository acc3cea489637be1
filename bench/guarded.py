"""The guarded read path: what identities, the policy and row-level security cost a read.

On the demo data set (a province, a city and its districts, a year of inspections), the
same search of findings is timed five ways, each against the first:
- G-q:     the read model's query on the pool (no HTTP, no transaction: the baseline);
- G-rls*:  the query in a read transaction as ledger_reader with the scope set: '*' (the
           transaction and the policies' short cut; the API reads the whole ledger from the
           pool instead) and the city's jurisdiction (its subtree, what a city token pays);
- G-http*: GET /v1/findings through the real app (token verified, policy, access, RLS),
           with a whole-ledger token and with the city's token.
G-jwt is the verification of one token alone (EdDSA signature and claims).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer
from figures import Figure

from ledger.api.app import create_app
from ledger.api.keys import VERIFIER
from ledger.demo import load_demo
from ledger.domain.access import Role
from ledger.infra.codec import make_mapper
from ledger.infra.database import reading
from ledger.infra.settings import Settings
from ledger.infra.tokens import issue_token, load_token_key
from ledger.projections.findings import queries as findings_query
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import catch_up

CONCURRENCY = 4
DAY = date(2024, 12, 31)


async def _rate(work: Callable[[], Awaitable[Any]], calls: int) -> float:
    """Calls a second, ``CONCURRENCY`` at a time."""
    each = calls // CONCURRENCY

    async def worker() -> None:
        for _ in range(each):
            await work()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return each * CONCURRENCY / (time.perf_counter() - start)


async def guarded(url: str, pool: asyncpg.Pool, scale: float, reps: int) -> list[Figure]:
    summary = await load_demo(pool)
    mapper = make_mapper()
    for projection in PROJECTIONS:
        await catch_up(pool, mapper, projection)
    city = UUID(summary["jurisdictions"]["city"])
    calls = max(40, round(2_000 * scale))
    with tempfile.TemporaryDirectory(prefix="ledger-bench-app-") as folder:
        settings = Settings(
            database_url=url, data_dir=Path(folder), rate_limit=0, log_level="warning"
        )
        app = create_app(settings)
        server = TestServer(app)
        await server.start_server()
        try:
            return await _measure(server, settings, pool, city, calls, reps)
        finally:
            await server.close()


async def _measure(
    server: TestServer,
    settings: Settings,
    pool: asyncpg.Pool,
    city: UUID,
    calls: int,
    reps: int,
) -> list[Figure]:
    key, _ = load_token_key(settings)
    everything, _ = issue_token(key, settings, subject="bench", role=Role.INSPECTOR)
    scoped, _ = issue_token(key, settings, subject="bench-city", role=Role.INSPECTOR, unit=city)
    verifier = server.app[VERIFIER]
    search = f"{server.make_url('/v1/findings')}?limit=50&valid_at={DAY}"

    async def query(db: Any) -> None:
        await findings_query.search_findings(db, as_of=DAY, limit=50)

    async def in_transaction(unit: UUID | None) -> None:
        async with reading(pool, unit) as conn:
            await query(conn)

    figures = [
        Figure("G-q", "search of findings: the query on the pool (baseline)", "reads/s"),
        Figure("G-rls", "the query as ledger_reader, whole ledger", "reads/s", ref="G-q"),
        Figure("G-rls-u", "the query as ledger_reader, the city's subtree", "reads/s", ref="G-q"),
        Figure("G-http", "GET /v1/findings, whole-ledger token", "reads/s", ref="G-q"),
        Figure("G-http-u", "GET /v1/findings, the city's token", "reads/s", ref="G-q"),
        Figure("G-jwt", "verify one token (EdDSA, claims)", "tokens/s", ratios=False),
    ]
    async with aiohttp.ClientSession() as session:

        def get(token: str) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                async with session.get(search, headers={"Authorization": f"Bearer {token}"}) as r:
                    assert r.status == 200, await r.text()
                    await r.read()

            return call

        async def verify() -> None:
            await verifier.verify(everything)

        runs: list[Callable[[], Awaitable[Any]]] = [
            lambda: query(pool),
            lambda: in_transaction(None),
            lambda: in_transaction(city),
            get(everything),
            get(scoped),
            verify,
        ]
        await get(everything)()  # warm up
        for _ in range(reps):
            for figure, run in zip(figures, runs, strict=True):
                figure.rates.append(await _rate(run, calls * (10 if run is verify else 1)))
    return figures
