"""A read model rebuilt beside the live one and switched to (``projections.online``): the
same rows as a rebuild in place; a changed SQL rolled out by the worker while queries and
commands go on, with no query failed or stale; an interrupted rebuild harmless."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from ledger.application import Ledger
from ledger.bootstrap import prepare
from ledger.demo import load_demo
from ledger.infra.codec import make_mapper
from ledger.infra.database import reading
from ledger.projections import chain, findings, records
from ledger.projections.chain import queries as chain_queries
from ledger.projections.findings.queries import get_finding, search_findings
from ledger.projections.online import RebuildUnderWay, rebuild_beside
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import Projection, rebuild, run_worker, tracked_position
from ledger.projections.shapes import fingerprint, schema_of, stored_shape
from ledger.projections.sqlfiles import projection_sql
from tests.readmodels import catch_up_all, snapshot
from tests.world import build_world, raised_finding, started_inspection

AS_OF = date(2024, 7, 1)


async def _schemas(pool: asyncpg.Pool) -> set[str]:
    rows = await pool.fetch(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ledger\\_next\\_%'"
        " OR nspname LIKE 'ledger\\_retired\\_%'"
    )
    return {r["nspname"] for r in rows}


async def _scoped(pool: asyncpg.Pool, unit: UUID) -> dict[str, int]:
    """What a reader scoped to ``unit`` sees (row-level security, grants) of each table."""
    seen = {}
    async with reading(pool, unit) as conn:
        for table in [*(t for p in PROJECTIONS for t in TABLES[p.name]), "ledger_events"]:
            seen[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    return seen


async def test_a_rebuild_beside_equals_a_rebuild_in_place(pool: asyncpg.Pool) -> None:
    demo = await load_demo(pool)
    city = UUID(demo["jurisdictions"]["city"])
    await catch_up_all(pool)
    mapper = make_mapper()
    for projection in PROJECTIONS:
        await rebuild(pool, mapper, projection, TABLES[projection.name])
    in_place, scoped = await snapshot(pool), await _scoped(pool, city)
    assert scoped["loop_findings"] > 0 and scoped["ledger_events"] > 0

    for projection in PROJECTIONS:
        done = await rebuild_beside(
            pool, mapper, projection, TABLES[projection.name], batch_size=97
        )
        assert (done.events, done.position, done.retired) == (demo["head"], demo["head"], None)
        assert done.switch_seconds < 5
        assert await tracked_position(pool, projection.name) == demo["head"]

    assert await snapshot(pool) == in_place
    # The new tables carry the jurisdiction: their policies, the grant, and the policies
    # of the log and the access log, which named the old tables, made again.
    assert await _scoped(pool, city) == scoped
    assert await _schemas(pool) == set()


def _changed_findings(folder: Path) -> Projection:
    """The findings read model with a column and an index more: its SQL file, changed."""
    sql = projection_sql("findings").replace(
        "    raised_at            timestamptz NOT NULL,",
        "    raised_at            timestamptz NOT NULL,\n    reviewed_by          text,",
    )
    sql += "\nCREATE INDEX IF NOT EXISTS loop_findings_reviewed ON loop_findings (reviewed_by);\n"
    (folder / "findings.sql").write_text(sql, encoding="utf-8")
    changed = copy.copy(findings.PROJECTION)
    changed.sql_file = str(folder / "findings.sql")
    return changed


async def _columns(pool: asyncpg.Pool, table: str) -> set[str]:
    rows = await pool.fetch(
        "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0",
        f"public.{table}",
    )
    return {r["attname"] for r in rows}


class Load:
    """Queries in a loop, each answer checked against the one known before the load: a
    finding raised before is always there and unchanged, the bureau's chain is unchanged,
    the bureau's findings are never fewer than the last answer said (none is stale).
    ``scoped``: read as the API reads for a unit's jurisdiction, in a transaction as
    ``ledger_reader`` (row-level security), else on the pool (the whole ledger)."""

    def __init__(self, pool: asyncpg.Pool, unit: UUID, before: list[UUID], scoped: bool) -> None:
        self.pool, self.unit, self.before, self.scoped = pool, unit, before, scoped
        self.failures: list[str] = []
        self.answers: list[float] = []  # when each round of queries was answered
        self.done = asyncio.Event()

    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[Any]:
        if not self.scoped:
            yield self.pool
            return
        async with reading(self.pool, self.unit) as conn:
            yield conn

    async def expect(self) -> None:
        async with self.reader() as db:
            self.expected = [(f, await get_finding(db, f, AS_OF)) for f in self.before]
            self.chain = await chain_queries.chain(db, self.unit, AS_OF)
        assert all(answer is not None for _, answer in self.expected) and self.chain

    async def run(self) -> None:
        last = len(self.before)
        while not self.done.is_set():
            finding_id, answer = self.expected[len(self.answers) % len(self.expected)]
            try:
                async with self.reader() as db:
                    if await get_finding(db, finding_id, AS_OF) != answer:
                        self.failures.append(f"finding {finding_id} changed or missing")
                    found = await search_findings(db, as_of=AS_OF, limit=10_000, unit_id=self.unit)
                    if len(found) < last or not set(self.before) <= {f["id"] for f in found}:
                        self.failures.append(f"{len(found)} findings after {last}")
                    last = len(found)
                    if await chain_queries.chain(db, self.unit, AS_OF) != self.chain:
                        self.failures.append("the chain changed")
            except Exception as error:  # a failed query is what this test looks for
                self.failures.append(repr(error))
            self.answers.append(time.monotonic())
            await asyncio.sleep(0)


async def _until(check: Callable[[], Awaitable[bool]], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("rolling", [True, False], ids=["rolling", "restart"])
async def test_a_changed_read_model_rolls_out_under_load_with_no_failed_or_stale_query(
    pool: asyncpg.Pool, ledger: Ledger, tmp_path: Path, rolling: bool
) -> None:
    """``rolling``: the new version starts while the old one's worker runs (the new one's is
    a standby, its background task builds and switches); else the old one stops first."""
    await load_demo(pool)  # some volume for the build
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    before = [await raised_finding(ledger, world, inspection) for _ in range(20)]
    await catch_up_all(pool)
    loads = [Load(pool, world.bureau, before, scoped) for scoped in (False, True, False, True)]
    for load in loads:
        await load.expect()
    mapper = make_mapper()

    # The old version serves: its worker keeps the read models caught up.
    old_stop, new_stop = asyncio.Event(), asyncio.Event()
    old = asyncio.create_task(
        run_worker(pool, mapper, PROJECTIONS, old_stop, poll_interval=0.05, tables=TABLES)
    )
    readers = [asyncio.create_task(load.run()) for load in loads]
    done = asyncio.Event()
    raised: list[UUID] = []

    async def write() -> None:
        while not done.is_set():
            raised.append(await raised_finding(ledger, world, inspection))
            await asyncio.sleep(0.01)

    writer = asyncio.create_task(write())
    await asyncio.sleep(0.3)

    if not rolling:
        old_stop.set()
        await asyncio.wait_for(old, timeout=10)
    # The new version starts: findings.sql has a column and an index more. Its start leaves
    # the live findings as they are; its worker rebuilds them beside and switches.
    changed = _changed_findings(tmp_path)
    shape = fingerprint(changed.sql_file, findings.TABLES)
    new_projections = [chain.PROJECTION, changed, records.PROJECTION]
    assert await prepare(pool, new_projections) == [findings.NAME]
    assert "reviewed_by" not in await _columns(pool, "loop_findings")
    started = time.monotonic()
    new = asyncio.create_task(
        run_worker(
            pool,
            mapper,
            new_projections,
            new_stop,
            poll_interval=0.05,
            tables=TABLES,
            rebuild_batch_size=5,
        )
    )

    async def switched() -> bool:
        return await stored_shape(pool, findings.NAME) == shape

    await _until(switched)
    ended = time.monotonic()
    # The old version stops; the new one's worker takes over, on the new tables.
    old_stop.set()
    await asyncio.wait_for(old, timeout=10)
    assert old.exception() is None
    await asyncio.sleep(0.5)
    done.set()
    for load in loads:
        load.done.set()
    await asyncio.gather(*readers, writer)
    head = int(await pool.fetchval("SELECT position FROM ledger_head"))

    async def caught_up() -> bool:
        positions = [await tracked_position(pool, p.name) for p in new_projections]
        return min(positions) == head

    await _until(caught_up, 20)
    new_stop.set()
    await asyncio.wait_for(new, timeout=10)

    for load in loads:
        assert load.failures == []
        assert sum(started <= t <= ended for t in load.answers) > 5  # read during the build
        assert len(load.answers) > 20
    assert len(raised) > 10
    assert {"reviewed_by"} <= await _columns(pool, "loop_findings")
    assert await pool.fetchval("SELECT to_regclass('public.loop_findings_reviewed')") is not None
    assert await _schemas(pool) == set()
    assert await stored_shape(pool, findings.NAME) == shape
    # Every finding, raised before, during or after the switch, is there once: the rows
    # are those of a rebuild in place.
    found = await search_findings(pool, as_of=AS_OF, limit=10_000, unit_id=world.bureau)
    assert {f["id"] for f in found} == set(before) | set(raised)
    rows = await snapshot(pool)
    await rebuild(pool, mapper, changed, findings.TABLES)
    assert await snapshot(pool) == rows
    # A reader of the bureau's jurisdiction sees the last finding and its events.
    async with reading(pool, world.bureau) as conn:
        events = await conn.fetchval(
            "SELECT count(*) FROM ledger_events WHERE stream_id = $1", raised[-1]
        )
        visible = await conn.fetchval("SELECT count(*) FROM loop_findings WHERE known_to IS NULL")
    written = await pool.fetchval(
        "SELECT count(*) FROM ledger_events WHERE stream_id = $1", raised[-1]
    )
    assert events == written > 0 and visible == len(found)
    # A later start with the new version changes nothing more.
    assert await prepare(pool, new_projections) == []


async def test_an_interrupted_rebuild_leaves_the_live_read_model_and_the_next_succeeds(
    pool: asyncpg.Pool,
) -> None:
    demo = await load_demo(pool)
    await catch_up_all(pool)
    before = await snapshot(pool)
    tracking = await pool.fetch("SELECT * FROM projection_tracking ORDER BY name")
    beside = schema_of("next", findings.NAME)
    mapper = make_mapper()
    building = asyncio.create_task(
        rebuild_beside(pool, mapper, findings.PROJECTION, findings.TABLES, batch_size=3)
    )

    async def filling() -> bool:
        table = await pool.fetchval("SELECT to_regclass($1)", f"{beside}.loop_findings")
        return table is not None and await pool.fetchval(f"SELECT count(*) FROM {table}") > 0

    await _until(filling)
    with pytest.raises(RebuildUnderWay):  # one rebuild of a read model at a time
        await rebuild_beside(pool, mapper, findings.PROJECTION, findings.TABLES)
    building.cancel()
    with pytest.raises(asyncio.CancelledError):
        await building

    assert await snapshot(pool) == before
    assert await pool.fetch("SELECT * FROM projection_tracking ORDER BY name") == tracking
    assert len(await search_findings(pool, as_of=AS_OF, limit=10_000)) == len(
        {r[0] for r in before["loop_findings"]}
    )
    done = await rebuild_beside(pool, mapper, findings.PROJECTION, findings.TABLES)
    assert done.position == demo["head"]
    assert await snapshot(pool) == before
    assert await _schemas(pool) == set()


async def test_the_switch_gives_way_to_a_reader_holding_the_live_tables(
    pool: asyncpg.Pool,
) -> None:
    """A transaction reading the live tables holds them: the switch's locks time out, it
    is rolled back and tried again once the reader is done; the reader never fails."""
    demo = await load_demo(pool)
    await catch_up_all(pool)
    before = await snapshot(pool)
    async with pool.acquire() as reader, reader.transaction():
        count = await reader.fetchval("SELECT count(*) FROM loop_findings")
        building = asyncio.create_task(
            rebuild_beside(
                pool, make_mapper(), findings.PROJECTION, findings.TABLES, lock_timeout=0.1
            )
        )
        await asyncio.sleep(1.0)  # the build is done; the switch tries and gives way
        assert not building.done()
        assert await reader.fetchval("SELECT count(*) FROM loop_findings") == count
    done = await asyncio.wait_for(building, timeout=30)
    assert done.attempts > 1 and done.position == demo["head"]
    assert await snapshot(pool) == before
    assert await _schemas(pool) == set()


async def test_a_view_on_the_live_tables_refuses_the_switch(pool: asyncpg.Pool) -> None:
    """An object outside the read model reading its tables would read the retired ones (or
    be dropped with them): the switch is refused and rolled back, the live tables kept."""
    await load_demo(pool)
    await catch_up_all(pool)
    before = await snapshot(pool)
    await pool.execute("CREATE VIEW open_findings AS SELECT * FROM loop_findings")
    with pytest.raises(RuntimeError, match="open_findings"):
        await rebuild_beside(pool, make_mapper(), findings.PROJECTION, findings.TABLES)
    assert await snapshot(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM open_findings") == len(before["loop_findings"])
    assert await _schemas(pool) == {schema_of("next", findings.NAME)}  # the next one drops it


async def test_a_database_without_shapes_has_them_recorded_and_nothing_rebuilt(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """A database from before shapes were kept: its read models are taken as they are."""
    await pool.execute("ALTER TABLE projection_tracking DROP COLUMN shape")
    assert await prepare(pool) == []
    for projection in PROJECTIONS:
        shape = fingerprint(projection.sql_file, TABLES[projection.name])
        assert await stored_shape(pool, projection.name) == shape
    # A comment is not a shape: only the statements count.
    changed = copy.copy(findings.PROJECTION)
    commented = tmp_path / "findings.sql"
    commented.write_text("-- a note\n" + projection_sql("findings"), encoding="utf-8")
    changed.sql_file = str(commented)
    assert fingerprint(changed.sql_file, findings.TABLES) == await stored_shape(pool, findings.NAME)
