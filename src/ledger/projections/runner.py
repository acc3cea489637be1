"""The projection worker: batches, exactly-once tracking, NOTIFY wake-ups, standby lock."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import structlog
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from ledger.infra.database import LOST
from ledger.infra.eventlog import EventLog
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.reshape import reshape
from ledger.projections.sqlfiles import projection_sql

log = structlog.get_logger(__name__)

REBUILD_BATCH = 5_000  # events read and applied at a time by a rebuild

Handler = Callable[[asyncpg.Connection, Any, RecordedEvent], Awaitable[None]]


class Projection:
    """A read model: its name (with version), its SQL file and one handler per event type."""

    def __init__(self, name: str, sql_file: str, handlers: dict[type, Handler]) -> None:
        self.name = name
        self.sql_file = sql_file
        # By topic, so events this read model does not handle are never decoded.
        self.handlers = {get_topic(cls): handler for cls, handler in handlers.items()}

    @property
    def topics(self) -> set[str]:
        """The topics of the events this read model applies."""
        return set(self.handlers)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(projection_sql(self.sql_file))
        await conn.execute(
            "INSERT INTO projection_tracking (name) VALUES ($1) ON CONFLICT DO NOTHING", self.name
        )

    async def apply(
        self, conn: asyncpg.Connection, mapper: Mapper[Any], row: RecordedEvent
    ) -> None:
        handler = self.handlers.get(row.topic)
        if handler is not None:
            await handler(conn, mapper.to_domain_event(row.to_stored()), row)

    async def apply_batch(
        self, conn: asyncpg.Connection, mapper: Mapper[Any], rows: Sequence[RecordedEvent]
    ) -> None:
        """Apply ``rows``, in order, in the caller's transaction."""
        for row in rows:
            await self.apply(conn, mapper, row)


async def tracked_positions(pool: asyncpg.Pool) -> dict[str, int]:
    """The position every read model (or version of one) has reached."""
    rows = await pool.fetch("SELECT name, position FROM projection_tracking")
    return {row["name"]: int(row["position"]) for row in rows}


async def tracked_position(pool: asyncpg.Pool, name: str) -> int:
    value = await pool.fetchval("SELECT position FROM projection_tracking WHERE name = $1", name)
    return int(value or 0)


class Reached:
    """The positions the read models have reached, read at most every ``ttl`` seconds: the
    position a query's answer names is then at most that old, so it says no more than the
    rows hold (they may hold a little more); a wait for a position reads afresh."""

    def __init__(self, pool: asyncpg.Pool, ttl: float = 0.05) -> None:
        self.pool, self.ttl = pool, ttl
        self._read: dict[str, tuple[int, float]] = {}

    async def position(self, name: str, *, fresh: bool = False) -> int:
        now = time.monotonic()
        known = self._read.get(name)
        if known is not None and not fresh and now - known[1] < self.ttl:
            return known[0]
        position = await tracked_position(self.pool, name)
        self._read[name] = (position, now)
        return position


async def catch_up_batch(
    pool: asyncpg.Pool, mapper: Mapper[Any], projection: Projection, batch_size: int
) -> int:
    """Apply the next batch in one transaction with its tracking row; returns events applied."""
    async with pool.acquire() as conn, conn.transaction():
        position = await conn.fetchval(
            "SELECT position FROM projection_tracking WHERE name = $1 FOR UPDATE", projection.name
        )
        rows = await EventLog(conn).read_log(position, batch_size)
        if not rows:
            return 0
        await projection.apply_batch(conn, mapper, rows)
        await conn.execute(
            "UPDATE projection_tracking SET position = $2 WHERE name = $1",
            projection.name,
            rows[-1].position,
        )
        return len(rows)


class Statistics:
    """Keeps the planner's picture of a read model true while a long catch-up fills it.

    A statement planned while the tables looked empty (analyzed when they were) keeps a
    sequential scan that grows slower with every batch; an ANALYZE replans it. Tables are
    analyzed after 2, 4, 8, 16, … full batches in a row: as they double, at a cost that
    stays a small share of the work.
    """

    def __init__(self, tables: dict[str, list[str]]) -> None:
        self.tables = tables
        self.full: dict[str, int] = {}

    async def after_batch(
        self, pool: asyncpg.Pool, projection: Projection, applied: int, batch_size: int
    ) -> None:
        full = self.full.get(projection.name, 0) + 1 if applied >= batch_size else 0
        self.full[projection.name] = full
        tables = self.tables.get(projection.name)
        if tables and full >= 2 and full & (full - 1) == 0:
            await pool.execute("ANALYZE " + ", ".join(tables))


async def catch_up(
    pool: asyncpg.Pool,
    mapper: Mapper[Any],
    projection: Projection,
    batch_size: int = 500,
    tables: list[str] | None = None,
) -> int:
    """Apply everything there is now; returns events applied. Given its ``tables``, the
    read model's statistics are kept up to date as it fills."""
    statistics = Statistics({projection.name: tables or []})
    total = 0
    while applied := await catch_up_batch(pool, mapper, projection, batch_size):
        total += applied
        await statistics.after_batch(pool, projection, applied, batch_size)
    return total


async def rebuild(
    pool: asyncpg.Pool, mapper: Mapper[Any], projection: Projection, tables: list[str]
) -> int:
    """Replay the whole log into the read model in one transaction.

    Readers keep seeing the old rows until the commit (DELETE, not TRUNCATE, so
    nothing blocks them).
    """
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT position FROM projection_tracking WHERE name = $1 FOR UPDATE", projection.name
        )
        for table in tables:
            await conn.execute(f"DELETE FROM {table}")
        position, total = 0, 0
        reader = EventLog(conn)
        while rows := await reader.read_log(position, REBUILD_BATCH):
            await projection.apply_batch(conn, mapper, rows)
            position = rows[-1].position
            total += len(rows)
        await conn.execute(
            "UPDATE projection_tracking SET position = $2 WHERE name = $1",
            projection.name,
            position,
        )
    return total


_WORKER_LOCK = "SELECT pg_try_advisory_lock(hashtext('ledger-projections'))"
_WORKER_UNLOCK = "SELECT pg_advisory_unlock(hashtext('ledger-projections'))"


async def run_worker(
    pool: asyncpg.Pool,
    mapper: Mapper[Any],
    projections: list[Projection],
    stop: asyncio.Event,
    *,
    batch_size: int = 500,
    poll_interval: float = 1.0,
    tables: dict[str, list[str]] | None = None,
    rebuild_batch_size: int = 5_000,
) -> None:
    """Keep every projection caught up until ``stop`` is set.

    One worker is active per database: the others wait on the advisory lock (standby)
    and take over when it stops. NOTIFY wakes the worker at once; polling backs it up.
    A lost connection (a database restart) is retried, not fatal. Given the ``tables``,
    a read model whose shape changed (``shapes``) is rebuilt beside the live one in the
    background (``reshape.reshape``), by a standby too: during a rolling start the new
    version builds while the old one's worker keeps the live tables current.
    """
    reshaping = (
        asyncio.ensure_future(
            reshape(pool, mapper, projections, tables, stop, batch_size=rebuild_batch_size)
        )
        if tables
        else None
    )
    try:
        while not stop.is_set():
            try:
                statistics = Statistics(tables or {})
                await _work(pool, mapper, projections, stop, batch_size, poll_interval, statistics)
            except LOST as error:
                log.error("projection_worker_lost_database", error=str(error))
                await _pause(stop, poll_interval)
    finally:
        if reshaping is not None:
            reshaping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reshaping


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _work(
    pool: asyncpg.Pool,
    mapper: Mapper[Any],
    projections: list[Projection],
    stop: asyncio.Event,
    batch_size: int,
    poll_interval: float,
    statistics: Statistics,
) -> None:
    wake = asyncio.Event()

    def on_notify(*_: object) -> None:
        wake.set()

    async with pool.acquire() as conn:
        while not await conn.fetchval(_WORKER_LOCK):
            await _pause(stop, poll_interval)
            if stop.is_set():
                return
        log.info("projection_worker_active", projections=[p.name for p in projections])
        await conn.add_listener("ledger_events", on_notify)
        try:
            while not stop.is_set():
                # The lock is the session's: were it ended (terminated, an idle timeout, a
                # cut connection), another worker may hold the lock now, so this one stops
                # (LOST) and waits as a standby.
                await conn.fetchval("SELECT 1")
                wake.clear()
                busy = False
                for projection in projections:
                    try:
                        applied = await catch_up_batch(pool, mapper, projection, batch_size)
                        await statistics.after_batch(pool, projection, applied, batch_size)
                    except (OSError, asyncpg.InterfaceError, asyncpg.InternalClientError):
                        raise
                    except Exception as error:  # one bad batch must not stop the others
                        # Its message may quote an event's values (names, numbers): not logged.
                        log.error(
                            "projection_failed",
                            projection=projection.name,
                            error=type(error).__name__,
                            sqlstate=getattr(error, "sqlstate", None),
                        )
                        applied = 0
                    busy = busy or applied == batch_size
                if busy:
                    continue
                waiter = asyncio.ensure_future(wake.wait())
                stopper = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=poll_interval, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()
        finally:
            with contextlib.suppress(*LOST):
                if not conn.is_closed():
                    await conn.remove_listener("ledger_events", on_notify)
                    await conn.execute(_WORKER_UNLOCK)
