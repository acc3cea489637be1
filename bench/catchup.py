"""Projection catch-up and rebuild of the chain read model over a history made by commands."""

from __future__ import annotations

import asyncio

import asyncpg
from commands import new_ledger, populate
from figures import Figure, timed

from ledger.infra.codec import make_mapper
from ledger.projections import chain
from ledger.projections.runner import catch_up, rebuild

try:
    from ledger.demo import load_demo
except ImportError:  # an older tree without the demo: the commands below make it all
    load_demo = None

EVENTS_PER_BLOCK = 17


async def make_history(pool: asyncpg.Pool, events: int, clients: int) -> tuple[int, float, str]:
    """About ``events`` events through the Ledger commands: the demo data set if there is
    one, then departments from ``clients`` concurrent clients. Returns (events, seconds, what)."""
    ledger = new_ledger(pool)
    what = ""

    async def all_clients() -> None:
        nonlocal what
        made = 0
        if load_demo is not None:
            made = (await load_demo(pool))["events"]
            what = f"the demo data set ({made} events), then "
        blocks = max(1, -(-(events - made) // (EVENTS_PER_BLOCK * clients)))
        await asyncio.gather(*(populate(ledger, blocks, worker) for worker in range(clients)))

    seconds = await timed(all_clients)
    return int(await pool.fetchval("SELECT position FROM ledger_head")), seconds, what


async def _reset(pool: asyncpg.Pool) -> None:
    """Empty the read model and its tracking row, as if it had never run."""
    async with pool.acquire() as conn:
        async with conn.transaction():
            for table in chain.TABLES:
                await conn.execute(f"DELETE FROM {table}")
            await conn.execute(
                "UPDATE projection_tracking SET position = 0 WHERE name = $1", chain.NAME
            )
        await conn.execute(f"VACUUM ANALYZE {', '.join(chain.TABLES)}")


async def projection(pool: asyncpg.Pool, events: int, reps: int, clients: int) -> list[Figure]:
    total, seconds, what = await make_history(pool, events, clients)
    made = Figure(
        "P-gen",
        f"history made by Ledger commands, {clients} clients (setup)",
        "events/s",
        [total / seconds],
        note=f"{total:,} events, 1 per command: {what}departments with units, persons,"
        " assignments, portfolio changes, ends, renames, corrections",
    )
    mapper = make_mapper()
    caught = Figure("P-cu", f"catch_up of {chain.NAME} from zero, batches of 5,000", "events/s")
    rebuilt = Figure("P-rb", f"rebuild of {chain.NAME} (one transaction)", "events/s")

    async def run_catch_up() -> None:
        assert await catch_up(pool, mapper, chain.PROJECTION, 5_000, chain.TABLES) == total

    async def run_rebuild() -> None:
        assert await rebuild(pool, mapper, chain.PROJECTION, chain.TABLES) == total

    for rep in range(reps):
        if rep:
            await _reset(pool)
        caught.rates.append(total / await timed(run_catch_up))
        rebuilt.rates.append(total / await timed(run_rebuild))
    caught.note = rebuilt.note = f"over {total:,} events"
    return [made, caught, rebuilt]
