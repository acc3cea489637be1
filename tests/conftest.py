"""Shared fixtures: a real PostgreSQL (embedded, or LEDGER_TEST_DATABASE_URL), a fresh
database per test cloned from a migrated template, the command service, the real app."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.application import Ledger
from ledger.bootstrap import prepare
from ledger.domain.access import Role
from ledger.infra.codec import make_mapper
from ledger.infra.database import create_pool, embedded_url, start_embedded
from ledger.infra.eventstore import EventStore
from ledger.infra.pii import load_pii_key
from ledger.infra.settings import Settings
from ledger.infra.tokens import issue_token, load_token_key
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import catch_up

TEMPLATE = f"ledger_template_{uuid.uuid4().hex[:8]}"  # one per session: runs may share a server


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of a database on the test server, used to create the per-test databases.

    The embedded server's folder is outside pytest's numbered temp folders, which a
    concurrent pytest run may prune; it is removed when the session's process exits.
    """
    external = os.environ.get("LEDGER_TEST_DATABASE_URL")
    if external:
        yield external
        return
    data_dir = Path(tempfile.mkdtemp(prefix="ledger-test-"))
    server = start_embedded(data_dir, delete_on_exit=True)
    yield embedded_url(server, "postgres")
    server.cleanup()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def template(server_url: str) -> AsyncIterator[str]:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    finally:
        await admin.close()
    pool = await create_pool(with_database(server_url, TEMPLATE), 1, 2)
    try:
        await prepare(pool)
    finally:
        await pool.close()
    yield TEMPLATE
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def fresh_database(server_url: str, template: str) -> AsyncIterator[str]:
    """The URL of a new database cloned from the migrated ``template``, dropped after."""
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    yield with_database(server_url, name)
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(server_url: str, template: str) -> AsyncIterator[str]:
    async with fresh_database(server_url, template) as url:
        yield url


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, 2, 12)
    yield pool
    await pool.close()


@pytest.fixture
def events(pool: asyncpg.Pool) -> EventStore:
    return EventStore(pool)


@pytest.fixture
def ledger(events: EventStore, settings: Settings) -> Ledger:
    """The command side, hashing identity numbers under the same key as the test's app."""
    return Ledger(events, make_mapper(), load_pii_key(settings.pii_key, settings.data_dir))


@pytest.fixture
def project(pool: asyncpg.Pool) -> Callable[[], Awaitable[int]]:
    """Bring every read model up to the head of the log; returns the events read (each
    read model reads every event, whether it handles it or not)."""

    async def run() -> int:
        read = 0
        for projection in PROJECTIONS:
            read = max(read, await catch_up(pool, make_mapper(), projection))
        return read

    return run


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The app's settings: the test database, and a data folder of its own (signing key)."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        projection_poll_interval=0.2,
        min_position_timeout=3.0,
        checkpoint_interval=0.5,
    )


Issue = Callable[..., str]


@pytest.fixture
def issue(settings: Settings) -> Issue:
    """Issue a token signed with the app's key: ``issue(role, unit=None, subject=...)``."""

    def make(role: str = "admin", unit: uuid.UUID | None = None, subject: str = "tester") -> str:
        key, _ = load_token_key(settings)
        token, _ = issue_token(key, settings, subject=subject, role=Role(role), unit=unit)
        return token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client(
    settings: Settings,
    issue: Issue,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> TestClient[Any, Any]:
    """The real app (with its projection worker) behind aiohttp's test client; it sends
    a whole-ledger admin token of the subject ``tester`` unless a request says otherwise."""
    app = create_app(settings)
    return await aiohttp_client(app, headers=bearer(issue("admin")))


@pytest.fixture
def headers() -> dict[str, str]:
    return {}


async def log_count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM ledger_events"))


__all__ = ["asyncio", "bearer", "log_count"]
