"""`ledger project` as a process of its own, beside `ledger serve --no-projections`, across
PostgreSQL stopped and started, twice: it lives through each outage without a restart,
holds the workers' lock again, brings every read model and the Merkle tree to the head
of the log written before and after, and stops on SIGINT with exit status 0."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.conftest import bearer
from tests.faults.conftest import (
    STOP_WITHIN,
    Process,
    caught_up,
    clue,
    lock_holders,
    private_rig,
    sealed,
    until,
)

pytestmark = pytest.mark.faults

OUTAGES = 2
DOWN_SECONDS = 2.0
CLUES = 20  # written before each outage, and again after it
WRITE_WITHIN = 15.0  # seconds a clue has to be taken, the server finding the database again
AT_HEAD_WITHIN = 15.0  # seconds from the last write to the head: read models, Merkle tree
REQUEST_TIMEOUT = 5.0
SUBJECT = "faults-worker-restart"


async def write(session: aiohttp.ClientSession, url: str, first: int) -> None:
    """Clues ``first`` to ``first + CLUES - 1``, one after another, each sent again after a
    503 (the server not yet connected again) until it is taken."""
    for n in range(first, first + CLUES):
        deadline = time.monotonic() + WRITE_WITHIN
        while True:
            async with session.post(
                f"{url}/v1/clues",
                json=clue(f"worker-restart-{n:05d}"),
                headers={"Idempotency-Key": f"worker-restart-{n}"},
            ) as answer:
                said = await answer.text()
            if answer.status == 201:
                break
            assert answer.status == 503, f"clue {n}: {answer.status} {said}"
            assert time.monotonic() < deadline, f"clue {n} not taken: {said}"
            await asyncio.sleep(0.1)


async def at_head(url: str, worker: Process) -> tuple[float, float]:
    """Seconds until every read model, then the Merkle tree, reached the head of the log;
    the worker holding the workers' lock again (on a new connection: the old one died)."""
    began = time.monotonic()
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await caught_up(conn, AT_HEAD_WITHIN)
        models = time.monotonic() - began
        await until(
            lambda: sealed(conn), AT_HEAD_WITHIN - models, "the Merkle tree at the head of the log"
        )
        tree = time.monotonic() - began
        assert await lock_holders(conn) == [worker.name]
        return models, tree
    finally:
        await conn.close()


async def test_a_worker_outlives_the_database_restarting_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    async with private_rig(tmp_path) as (cluster, rig):
        # It migrates the new database; it runs no worker.
        api = await rig.serve("serve", "--no-projections")
        worker = await rig.start("project", "project", LEDGER_CHECKPOINT_INTERVAL="0.5")
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        headers = bearer(rig.token(Role.INTEGRATION, SUBJECT))
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
            await write(session, api.url, 0)
            caught = [await at_head(rig.database_url, worker)]
            for outage in range(1, OUTAGES + 1):
                await write(session, api.url, (2 * outage - 1) * CLUES)
                await cluster.stop("fast")
                await asyncio.sleep(DOWN_SECONDS)
                assert worker.running, f"outage {outage}, down: {worker.output()}"
                await cluster.start()
                await write(session, api.url, 2 * outage * CLUES)
                assert worker.running, f"outage {outage}, back: {worker.output()}"
                caught.append(await at_head(rig.database_url, worker))
        print(f"\nseconds to the head (read models, Merkle tree), before and after: {caught}")

        stopping = time.monotonic()
        status = await worker.stop()
        took = time.monotonic() - stopping
        assert status == 0 and took < STOP_WITHIN, (
            f"SIGINT: exit status {status} after {took:.1f} s: {worker.output()}"
        )
        assert await api.stop() == 0, api.output()
