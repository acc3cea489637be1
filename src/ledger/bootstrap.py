"""Bring a database to a usable state: the event store schema and the read models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from ledger.infra.crypto import settle
from ledger.infra.database import create_pool, database_url
from ledger.infra.migrations import migrate
from ledger.infra.settings import Settings
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import Projection
from ledger.projections.shapes import SETUP_LOCK, set_up


async def prepare(
    pool: asyncpg.Pool,
    projections: Sequence[Projection] = PROJECTIONS,
    tables: dict[str, list[str]] = TABLES,
    *,
    crypto: str | None = None,
) -> list[str]:
    """Migrate, then set up the read models (their SQL, then search.sql's indexes on their
    tables, then jurisdiction.sql's policies); returns the read models whose shape changed,
    which are left as they are for the worker to rebuild beside (``projections.shapes``).
    With ``crypto`` (LEDGER_CRYPTO), the ledger's algorithms are fixed if it is new and
    held against it (``infra.crypto.settle``: CryptoRefused on a mismatch)."""
    async with pool.acquire() as conn:
        await migrate(conn)
        # Concurrent starters would race on CREATE TABLE IF NOT EXISTS.
        await conn.execute("SELECT pg_advisory_lock($1)", SETUP_LOCK)
        try:
            if crypto is not None:
                await settle(conn, crypto)
            return await set_up(conn, projections, tables)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", SETUP_LOCK)


async def connect(settings: Settings) -> tuple[asyncpg.Pool, Any]:
    """Open a pool on the configured (or embedded) database and prepare it."""
    url, embedded = await database_url(settings)
    pool = await create_pool(
        url, settings.pool_min_size, settings.pool_max_size, connect_within=settings.connect_timeout
    )
    try:
        await prepare(pool, crypto=settings.crypto)
    except BaseException:
        await pool.close()
        raise
    return pool, embedded
