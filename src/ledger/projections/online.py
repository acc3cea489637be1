"""A read model rebuilt beside the one serving, then switched in one short transaction.

``rebuild_beside`` makes the read model's tables again in a schema of their own
(``ledger_next_<name>``): the same SQL (its file, its indexes and policies of search.sql and
jurisdiction.sql) with that schema first on the ``search_path``, so every unqualified table
is the new one and every function (``ledger_documents``, ``ledger_policy``) and extension
is public's. The read model's own handlers fill them from position 0 in transactions of
``batch_size`` events, while the worker keeps the live tables caught up and queries read
them. Near the head, the switch, in one transaction: the live tracking row locked (the
worker's next batch waits on it), the new tables brought to its position (or the tracking
row to theirs, if they ran ahead), the live tables moved to ``ledger_retired_<name>`` and
the new ones to ``public``, the policies of other tables that name them made again (a
policy holds the tables it named, not their names), the tracking row moved on with the new
shape. A query waiting on the switch's locks then finds the name is another table's and
reads the new one. The retired tables are dropped afterwards, unless kept.

The switch takes its locks with a short ``lock_timeout`` and is tried again if one is not
had in time: it, not a reader, gives way when their locks cross. The build keeps its
progress in memory: interrupted, it leaves the live read model as it was, and the next
attempt starts again from 0 (dropping what the last one left).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog
from eventsourcing.persistence import Mapper

from ledger.infra.eventlog import EventLog
from ledger.projections.shapes import (
    SETUP_LOCK,
    about,
    drop_schema,
    execute_all,
    fingerprint,
    policies_naming,
    refuse_dependents,
    schema_of,
    target,
)
from ledger.projections.sqlfiles import projection_sql

if TYPE_CHECKING:
    from ledger.projections.runner import Projection

log = structlog.get_logger(__name__)

REBUILD_BATCH = 5_000  # events a transaction of the build applies


class RebuildUnderWay(RuntimeError):
    """Another process is rebuilding this read model beside (its advisory lock is held)."""


class SwitchRefused(RuntimeError):
    """The switch was not made (locks not had, tables not as listed, an outside reader)."""


@dataclass(frozen=True)
class Switched:
    """Events applied to the new tables (``in_switch`` in the switch), times, attempts, the
    tracking position after the switch, the retired schema if kept."""

    name: str
    events: int
    build_seconds: float
    in_switch: int
    switch_seconds: float
    attempts: int
    position: int
    retired: str | None

    @property
    def rate(self) -> float:
        """Events per second of the build (the switch's aside)."""
        built = self.events - self.in_switch
        return built / self.build_seconds if self.build_seconds > 0 else 0.0


async def rebuild_beside(
    pool: asyncpg.Pool,
    mapper: Mapper[Any],
    projection: Projection,
    tables: list[str],
    *,
    batch_size: int = REBUILD_BATCH,
    lag: int = 100,
    keep_retired: bool = False,
    lock_timeout: float = 0.5,
    attempts: int = 20,
) -> Switched:
    """Build the read model beside the live one, switch, drop the old (``keep_retired``: kept
    in ``ledger_retired_<name>``). The switch is tried once the new tables are within
    ``lag`` events of the head of the log."""
    name = projection.name
    beside, retired = schema_of("next", name), schema_of("retired", name)
    lock = "rebuild:" + name
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock):
            raise RebuildUnderWay(name)
        try:
            await drop_schema(conn, retired)
            await _build(conn, projection, tables, beside)
            started = time.monotonic()
            position, events = await _fill(
                conn, mapper, projection, tables, beside, batch_size, lag
            )
            build_seconds = time.monotonic() - started
            # Vacuumed now, autovacuum has no reason to take them at the switch.
            await conn.execute("VACUUM (ANALYZE) " + ", ".join(f"{beside}.{t}" for t in tables))
            # From the third try, the switch waits on a lock past deadlock_timeout: the
            # server then cancels an autovacuum holding it (of the log, say).
            deadlock = await conn.fetchval(
                "SELECT setting::int FROM pg_settings WHERE name = $1", "deadlock_timeout"
            )
            for attempt in range(1, attempts + 1):
                wait = lock_timeout if attempt <= 2 else max(lock_timeout, deadlock / 1000 + 0.5)
                try:
                    reached, in_switch, seconds = await _switch(
                        conn, mapper, projection, tables, position, batch_size, wait
                    )
                    break
                except (asyncpg.LockNotAvailableError, asyncpg.DeadlockDetectedError):
                    log.info("read_model_switch_waits", projection=name, attempt=attempt)
                    await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
                    position, caught = await _fill(
                        conn, mapper, projection, tables, beside, batch_size, lag, position
                    )
                    events += caught
            else:
                raise SwitchRefused(f"{name}: the switch's locks were not had in {attempts} tries")
            await conn.execute(f"DROP SCHEMA {beside}")  # empty now: RESTRICT says so
            if not keep_retired:
                await drop_schema(conn, retired)
        finally:
            await _unlock(conn, lock)
    return Switched(
        name,
        events + in_switch,
        build_seconds,
        in_switch,
        seconds,
        attempt,
        reached,
        retired if keep_retired else None,
    )


async def _unlock(conn: asyncpg.Connection, lock: str) -> None:
    """Release the session's advisory lock (the pool's reset does not); a connection that
    cannot (interrupted mid-statement) is closed, which releases it too."""
    try:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock)
    except asyncio.CancelledError:
        conn.terminate()
        raise
    except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
        conn.terminate()


async def _build(
    conn: asyncpg.Connection, projection: Projection, tables: list[str], beside: str
) -> None:
    """The read model's empty tables, indexes and policies in ``beside``, readable by the
    API's role; nothing else of its SQL lands there."""
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {beside} CASCADE")
        await conn.execute(f"CREATE SCHEMA {beside}")
        await conn.execute(f"SET LOCAL search_path = {beside}, public")
        await conn.execute(projection_sql(projection.sql_file))
        await execute_all(conn, about(set(tables)))
        await conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {beside} TO ledger_reader")
        made = await conn.fetch(
            "SELECT relname, relkind::text FROM pg_class WHERE relnamespace = $1::regnamespace"
            " AND relkind NOT IN ('i', 'I')"
            " UNION ALL SELECT proname, 'f' FROM pg_proc WHERE pronamespace = $1::regnamespace",
            beside,
        )
    found = {r["relname"] for r in made if r["relkind"] == "r"}
    others = sorted({r["relname"] for r in made} - set(tables))
    if found != set(tables) or others:
        await conn.execute(f"DROP SCHEMA {beside} CASCADE")
        raise SwitchRefused(
            f"{projection.name}: its SQL makes {sorted(found)} and {others},"
            f" its TABLES are {sorted(tables)}"
        )


async def _apply(
    conn: asyncpg.Connection,
    mapper: Mapper[Any],
    projection: Projection,
    position: int,
    batch_size: int,
    upto: int | None = None,
) -> tuple[int, int]:
    """One batch after ``position`` (none past ``upto``) to the tables first on the
    ``search_path``, in the caller's transaction; returns the position reached and the
    events applied."""
    rows = await EventLog(conn).read_log(position, batch_size)
    if upto is not None:
        rows = [r for r in rows if r.position <= upto]
    if not rows:
        return position, 0
    await projection.apply_batch(conn, mapper, rows)
    return rows[-1].position, len(rows)


async def _fill(
    conn: asyncpg.Connection,
    mapper: Mapper[Any],
    projection: Projection,
    tables: list[str],
    beside: str,
    batch_size: int,
    lag: int,
    position: int = 0,
) -> tuple[int, int]:
    """Apply the log after ``position`` to the new tables, a transaction per batch, until
    they are within ``lag`` events of the head; returns the position and the events."""
    total, full = 0, 0
    while True:
        async with conn.transaction():
            await conn.execute(f"SET LOCAL search_path = {beside}, public")
            position, applied = await _apply(conn, mapper, projection, position, batch_size)
        total += applied
        # The planner's picture of tables that fill: analyzed as they double (runner.Statistics).
        full = full + 1 if applied >= batch_size else 0
        if full >= 2 and full & (full - 1) == 0:
            await conn.execute("ANALYZE " + ", ".join(f"{beside}.{t}" for t in tables))
        if applied < batch_size and await EventLog(conn).head_position() - position <= lag:
            return position, total


async def _switch(
    conn: asyncpg.Connection,
    mapper: Mapper[Any],
    projection: Projection,
    tables: list[str],
    position: int,
    batch_size: int,
    lock_timeout: float,
) -> tuple[int, int, float]:
    """The switch, one transaction; returns the tracking position, the events it applied
    and its duration."""
    name = projection.name
    beside, retired = schema_of("next", name), schema_of("retired", name)
    shape = fingerprint(projection.sql_file, tables)
    started = time.monotonic()
    applied = 0
    async with conn.transaction():
        await conn.execute(f"SET LOCAL lock_timeout = '{int(lock_timeout * 1000)}ms'")
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SETUP_LOCK)  # no start's SQL
        live = await conn.fetchval(
            "SELECT position FROM projection_tracking WHERE name = $1 FOR UPDATE", name
        )
        await conn.execute(f"SET LOCAL search_path = {beside}, public")
        while position < live:  # to exactly the live position: the worker goes on from there
            position, count = await _apply(conn, mapper, projection, position, batch_size, live)
            if count == 0:
                break
            applied += count
        await conn.execute("SET LOCAL search_path TO DEFAULT")
        # Every lock at once, the log's (and the other tables whose policies name these)
        # first, as a scoped read of the log takes them.
        policies = policies_naming(set(tables))
        olds = [t for t in tables if await conn.fetchval("SELECT to_regclass($1)", f"public.{t}")]
        locked = [*sorted({str(target(p)) for p in policies}), *(f"public.{t}" for t in olds)]
        locked += [f"{beside}.{t}" for t in tables]
        await conn.execute(f"LOCK TABLE {', '.join(locked)} IN ACCESS EXCLUSIVE MODE")
        await conn.execute(f"CREATE SCHEMA {retired}")
        for table in olds:
            await conn.execute(f"ALTER TABLE public.{table} SET SCHEMA {retired}")
        for table in tables:
            await conn.execute(f"ALTER TABLE {beside}.{table} SET SCHEMA public")
        await execute_all(conn, policies)
        await refuse_dependents(conn, retired)
        await conn.execute(
            "UPDATE projection_tracking SET position = $2, shape = $3 WHERE name = $1",
            name,
            max(position, live),
            shape,
        )
    return max(position, live), applied, time.monotonic() - started
