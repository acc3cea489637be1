"""The sealer on a real PostgreSQL: a reader that needs a checkpoint covering a position
asks the sealer (NOTIFY) and gets one it signed at once; with no sealer, the reader's wait
is bounded and it gets what there is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from eventsourcing.persistence import StoredEvent

from ledger.infra.checkpoints import Signer, latest_checkpoint, load_signer, make_checkpoint
from ledger.infra.database import create_pool
from ledger.infra.eventstore import EventStore, NewEvent
from ledger.infra.sealer import covering_checkpoint, run_sealer
from ledger.offline import verify_checkpoint

QUIET = 30.0  # the sealer's own timers: far beyond the test, so only an ask can wake it


async def _append(events: EventStore, count: int) -> int:
    stream = uuid4()
    appended = await events.append(
        [
            NewEvent(StoredEvent(stream, v, "tests:Thing.Happened", b"{}"))
            for v in range(1, count + 1)
        ]
    )
    return appended.last_position


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    return load_signer("ledger.test/sealer", None, tmp_path)


@pytest.fixture
async def sealer(database_url: str, signer: Signer) -> AsyncIterator[asyncpg.Pool]:
    """A sealer on a pool of its own, as in a `ledger project` process; its timed
    checkpoints are far apart, so what it signs during a test it signs when asked."""
    pool = await create_pool(database_url, 1, 3)
    stop = asyncio.Event()
    task = asyncio.create_task(run_sealer(pool, signer, stop, interval=QUIET, poll_interval=QUIET))
    try:
        yield pool
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await pool.close()


async def _first_checkpoint(pool: asyncpg.Pool, signer: Signer) -> tuple[int, str]:
    """The one the sealer signs when it starts."""
    for _ in range(500):
        latest = await latest_checkpoint(pool, signer.key_id)
        if latest is not None:
            return latest
        await asyncio.sleep(0.02)
    raise AssertionError("the sealer signed nothing when it started")


async def test_a_reader_waiting_for_a_covering_checkpoint_gets_one_signed_by_the_sealer(
    events: EventStore, pool: asyncpg.Pool, signer: Signer, sealer: asyncpg.Pool
) -> None:
    await _append(events, 3)
    first = await _first_checkpoint(pool, signer)
    position = await _append(events, 2)
    assert first[0] < position

    started = time.monotonic()
    latest = await covering_checkpoint(pool, signer.key_id, position, within=10.0)
    waited = time.monotonic() - started

    assert latest is not None and latest[0] >= position
    assert waited < 5.0  # asked, not found by a timer (none fires within 30 s)
    checkpoint = verify_checkpoint(latest[1], signer.verifier_key)
    assert checkpoint.size == latest[0]
    assert await pool.fetchval("SELECT size FROM merkle_head") >= position

    again = await covering_checkpoint(pool, signer.key_id, position, within=10.0)
    assert again == latest  # covered already: nothing new is signed


async def test_asks_from_several_readers_are_all_answered(
    events: EventStore, pool: asyncpg.Pool, signer: Signer, sealer: asyncpg.Pool
) -> None:
    await _first_checkpoint(pool, signer)
    positions = []
    for _ in range(3):
        positions.append(await _append(events, 1))
    answers = await asyncio.gather(
        *(covering_checkpoint(pool, signer.key_id, p, within=10.0) for p in positions)
    )
    for position, answer in zip(positions, answers, strict=True):
        assert answer is not None and answer[0] >= position


async def test_with_no_sealer_the_reader_waits_a_bounded_time_and_gets_what_there_is(
    events: EventStore, pool: asyncpg.Pool, signer: Signer
) -> None:
    await _append(events, 3)
    signed = await make_checkpoint(pool, signer)  # an operator's `ledger checkpoint`
    position = await _append(events, 2)

    started = time.monotonic()
    latest = await covering_checkpoint(pool, signer.key_id, position, within=0.4)
    waited = time.monotonic() - started

    assert latest == (3, signed)  # the reader signs nothing itself
    assert 0.4 <= waited < 3.0
    assert await covering_checkpoint(pool, signer.key_id, 3, within=0.4) == (3, signed)


async def test_with_nothing_signed_and_no_sealer_the_reader_gets_none(
    events: EventStore, pool: asyncpg.Pool, signer: Signer
) -> None:
    position = await _append(events, 1)
    assert await covering_checkpoint(pool, signer.key_id, position, within=0.2) is None
    assert await pool.fetchval("SELECT count(*) FROM ledger_checkpoints") == 0
