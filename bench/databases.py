"""Fresh databases on one PostgreSQL server, and how eventsourcing's psycopg reaches them."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg

from ledger.bootstrap import prepare
from ledger.infra.database import create_pool, embedded_url, start_embedded


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def connection_params(url: str, port: int | None) -> dict[str, Any]:
    """psycopg's parameters for ``url``; a unix socket directory serves as the host."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "host": query.get("host", [parts.hostname or "localhost"])[0],
        "port": parts.port or port or int(query.get("port", ["5432"])[0]),
        "user": parts.username or "postgres",
        "password": parts.password or "",
    }


class Databases:
    """Fresh databases on one server: empty ones for baselines, migrated ones for the ledger."""

    def __init__(self, admin_url: str, port: int | None) -> None:
        self.admin_url = admin_url
        self.port = port
        self.template = f"ledger_bench_template_{uuid.uuid4().hex[:8]}"

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def make_template(self) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        await self._admin(f'CREATE DATABASE "{self.template}"')
        pool = await create_pool(with_database(self.admin_url, self.template), 1, 2)
        try:
            await prepare(pool)
        finally:
            await pool.close()

    async def drop_template(self) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')

    @contextlib.asynccontextmanager
    async def fresh(self, ledger: bool) -> AsyncIterator[str]:
        name = f"ledger_bench_{uuid.uuid4().hex[:10]}"
        template = f' TEMPLATE "{self.template}"' if ledger else ""
        await self._admin(f'CREATE DATABASE "{name}"{template}')
        try:
            yield with_database(self.admin_url, name)
        finally:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def params(self, url: str) -> dict[str, Any]:
        return {"dbname": urlsplit(url).path.lstrip("/")} | connection_params(url, self.port)


@contextlib.contextmanager
def bench_server(say: Callable[[str], None]) -> Iterator[tuple[str, int | None, bool]]:
    """The server a bench run uses: LEDGER_BENCH_DATABASE_URL's, or an embedded PostgreSQL
    started in a temporary directory (and removed after). Yields its admin URL, its port
    (embedded) and whether it is the embedded one."""
    external = os.environ.get("LEDGER_BENCH_DATABASE_URL")
    if external:
        yield external, None, False
        return
    workdir = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    server = None
    try:
        say(f"starting embedded PostgreSQL in {workdir}")
        server = start_embedded(workdir)
        yield embedded_url(server, "postgres"), server.get_postmaster_info().port, True
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
