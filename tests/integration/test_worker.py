"""The projection worker: one active per database, a standby takes over, NOTIFY wakes it."""

from __future__ import annotations

import asyncio
import time

import asyncpg

from ledger.application import Context, Ledger
from ledger.application.commands import RegisterPerson
from ledger.infra.codec import make_mapper
from ledger.projections.chain import NAME
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import catch_up, run_worker, tracked_position

CTX = Context(actor="tester")


async def _until(pool: asyncpg.Pool, position: int, seconds: float = 10) -> float:
    """Wait until the chain read model reaches ``position``; returns the seconds it took."""
    started = time.monotonic()
    while await tracked_position(pool, NAME) < position:
        assert time.monotonic() - started < seconds, "the read model did not catch up"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def _active_workers(pool: asyncpg.Pool) -> int:
    """Workers holding the lock in this test's database (advisory locks are per database;
    the server may hold other tests' databases, e.g. a session's `ledger serve`)."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND objid = (hashtext('ledger-projections')::bigint & 4294967295)::oid"
        )
    )


async def test_one_worker_active_and_a_standby_takes_over(
    pool: asyncpg.Pool, ledger: Ledger
) -> None:
    first_stop, second_stop = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(
        run_worker(pool, make_mapper(), PROJECTIONS, first_stop, poll_interval=0.1)
    )
    await asyncio.sleep(0.3)
    second = asyncio.create_task(
        run_worker(pool, make_mapper(), PROJECTIONS, second_stop, poll_interval=0.1)
    )
    written = await ledger.persons.register_person(CTX, RegisterPerson(name="甲", person_no=None))
    await _until(pool, written.position)
    assert await _active_workers(pool) == 1

    first_stop.set()
    await asyncio.wait_for(first, timeout=5)
    written = await ledger.persons.register_person(CTX, RegisterPerson(name="乙", person_no=None))
    await _until(pool, written.position)  # only the former standby can have applied it
    assert await _active_workers(pool) == 1
    second_stop.set()
    await asyncio.wait_for(second, timeout=5)
    assert await _active_workers(pool) == 0
    rows = await pool.fetchval("SELECT count(*) FROM chain_persons")
    assert rows == 2  # each event applied once


async def test_notify_wakes_the_worker_before_its_poll(pool: asyncpg.Pool, ledger: Ledger) -> None:
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_worker(pool, make_mapper(), PROJECTIONS, stop, poll_interval=30)
    )
    await asyncio.sleep(0.3)  # the worker is idle, waiting up to 30 s
    written = await ledger.persons.register_person(CTX, RegisterPerson(name="丙", person_no=None))
    assert await _until(pool, written.position, seconds=5) < 5
    stop.set()
    await asyncio.wait_for(worker, timeout=5)


async def _analyzed(pool: asyncpg.Pool, table: str) -> int:
    return int(
        await pool.fetchval(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = $1", table
        )
    )


async def test_a_long_catch_up_keeps_the_planner_statistics_current(
    pool: asyncpg.Pool, ledger: Ledger
) -> None:
    """Full batches in a row are followed by an ANALYZE after the 2nd, 4th, 8th…, so a
    statement planned while the tables looked empty is planned again as they fill."""
    for n in range(10):
        await ledger.persons.register_person(CTX, RegisterPerson(name=f"人员{n}", person_no=None))
    before = await _analyzed(pool, "chain_persons")
    chain = next(p for p in PROJECTIONS if p.name == NAME)
    applied = await catch_up(pool, make_mapper(), chain, batch_size=2, tables=TABLES[NAME])
    assert applied == 10
    # five full batches: analyzed after the 2nd and the 4th
    assert await _analyzed(pool, "chain_persons") == before + 2
    # without its tables a read model is left to autovacuum
    for n in range(4):
        await ledger.persons.register_person(CTX, RegisterPerson(name=f"后来{n}", person_no=None))
    await catch_up(pool, make_mapper(), chain, batch_size=2)
    assert await _analyzed(pool, "chain_persons") == before + 2
