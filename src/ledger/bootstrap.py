"""Bring a database to a usable state: the event store schema and the read models."""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.infra.database import create_pool, database_url
from ledger.infra.migrations import migrate
from ledger.infra.settings import Settings
from ledger.projections.registry import PROJECTIONS
from ledger.projections.sqlfiles import projection_sql

_SETUP_LOCK = 0x1ED6E3


async def prepare(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await migrate(conn)
        # Concurrent starters would race on CREATE TABLE IF NOT EXISTS.
        await conn.execute("SELECT pg_advisory_lock($1)", _SETUP_LOCK)
        try:
            for projection in PROJECTIONS:
                await projection.setup(conn)
            await conn.execute(projection_sql("search"))  # indexes on the tables above
            await conn.execute(projection_sql("jurisdiction"))
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _SETUP_LOCK)


async def connect(settings: Settings) -> tuple[asyncpg.Pool, Any]:
    """Open a pool on the configured (or embedded) database and prepare it."""
    url, embedded = await database_url(settings)
    pool = await create_pool(url, settings.pool_min_size, settings.pool_max_size)
    await prepare(pool)
    return pool, embedded
