"""kill -9 of `ledger project` in the middle of a catch-up batch: started again, it brings
every read model to the head, and each table then holds exactly what a rebuild from the
log makes (no event applied twice, none skipped)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest

from ledger.demo.province import write_province
from tests.faults.conftest import Rig, caught_up, tracked
from tests.readmodels import assert_as_a_rebuild

pytestmark = pytest.mark.faults

BATCH = 500  # events per projection transaction: the catch-up takes dozens of them
KILL_WITHIN = 60.0  # seconds to find the worker inside a batch


async def in_a_batch(conn: asyncpg.Connection, worker: str) -> bool:
    """Whether the worker holds a transaction that locked a tracking row (a batch)."""
    held = await conn.fetchval(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE a.application_name = $1 AND l.relation = 'projection_tracking'::regclass"
        " AND l.mode = 'RowShareLock' AND l.granted",
        worker,
    )
    return bool(held)


async def test_a_worker_killed_inside_a_batch_resumes_exactly_once(
    rig: Rig, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    file = tmp_path / "province.jsonl"
    write_province(file, scale=0.01)
    status, _, err = await rig.run("import", str(file), "--actor", "operator:faults")
    assert status == 0, err

    conn = await asyncpg.connect(rig.database_url, timeout=10)
    try:
        head, positions = await tracked(conn)
        assert head > 20 * BATCH and set(positions.values()) == {0}  # no worker ran yet

        worker = await rig.start("project-1", "project", LEDGER_PROJECTION_BATCH_SIZE=str(BATCH))
        deadline = time.monotonic() + KILL_WITHIN
        while True:
            _, positions = await tracked(conn)
            # A few batches done, several left for the next start to resume.
            done = min(positions.values()) >= 3 * BATCH
            more = max(positions.values()) < head - 3 * BATCH
            if done and more and await in_a_batch(conn, worker.name):
                break
            assert worker.running, worker.output()
            assert time.monotonic() < deadline, f"never caught inside a batch: {positions}"
            await asyncio.sleep(0.01)
        await rig.kill(worker)

        _, left = await tracked(conn)
        assert all(0 < p < head for p in left.values()), left  # partly done, then killed
        # Whole batches only: of the batch it was in, nothing was kept.
        assert all(p % BATCH == 0 for p in left.values()), left

        again = await rig.start("project-2", "project", LEDGER_PROJECTION_BATCH_SIZE=str(BATCH))
        await caught_up(conn, 60)
        assert await again.stop() == 0
    finally:
        await conn.close()

    kept = await assert_as_a_rebuild(pool, head)
    assert sum(len(rows) for rows in kept.values()) > head / 2  # the read models are filled
