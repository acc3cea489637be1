"""The app factory: database, pool, schema, projection worker, routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web

from ledger.api import console
from ledger.api.auth import check_policy_covers, guard, make_verifier, revocations, shared_rates
from ledger.api.keys import (
    ACCESS_LOG,
    EMBEDDED,
    EVENTS,
    LEDGER,
    MAPPER,
    METRICS,
    PII_KEY,
    POOL,
    REACHED,
    SETTINGS,
    SIGNER,
    SOURCES,
    STOPPING,
)
from ledger.api.middleware import observe
from ledger.api.resources import all_routes
from ledger.api.sources import Replica, Source, Sources
from ledger.application import Ledger
from ledger.bootstrap import connect
from ledger.deliveries.worker import run_deliveries
from ledger.infra.accesslog import AccessLogWriter
from ledger.infra.checkpoints import load_signer
from ledger.infra.codec import make_mapper
from ledger.infra.crypto import CHOICES
from ledger.infra.database import create_pool
from ledger.infra.eventstore import EventStore
from ledger.infra.metrics import Metrics
from ledger.infra.pii import load_pii_key
from ledger.infra.settings import Settings
from ledger.projections.runner import Reached
from ledger.workers import run_background

log = structlog.get_logger(__name__)

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[observe, console.errors], client_max_size=settings.max_body_bytes
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[STOPPING] = asyncio.Event()
    app.on_shutdown.append(_end_streams)
    app.cleanup_ctx.append(_database)
    app[SIGNER] = load_signer(
        settings.origin, settings.signing_key_file, settings.data_dir, CHOICES[settings.crypto]
    )
    if settings.project_in_process:
        app.cleanup_ctx.append(_projection_worker)
    make_verifier(app)
    app.cleanup_ctx.append(revocations)
    app.cleanup_ctx.append(shared_rates)  # after _database: it flushes to the pool
    routes = all_routes()
    check_policy_covers(routes)
    for r in routes:
        app.router.add_route(r.method, r.path, guard(r))
    # Vendored files (api/static/VENDORED.md): public, read-only, outside the contract.
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    console.mount(app)  # /console/: pages on the API above, outside its contract
    return app


async def _end_streams(app: web.Application) -> None:
    """Live streams (SSE) end when the server stops, so that a graceful stop does not wait
    for them; their clients reconnect with Last-Event-ID to another process."""
    app[STOPPING].set()


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool, embedded = await connect(settings)
    app[POOL] = pool
    app[ACCESS_LOG] = AccessLogWriter(pool)
    app[EMBEDDED] = embedded
    mapper = make_mapper()
    app[MAPPER] = mapper
    events = EventStore(pool)
    app[EVENTS] = events
    app[REACHED] = reached = Reached(pool)
    size, within = settings.pool_max_size, settings.connect_timeout  # no connection yet: 0
    replicas = [
        Replica(f"replica-{n}", await create_pool(url, 0, size, connect_within=within))
        for n, url in enumerate(settings.read_database_urls, 1)
    ]
    app[SOURCES] = Sources(Source("primary", pool, reached), replicas, app[METRICS])
    app[PII_KEY] = pii_key = load_pii_key(settings.pii_key, settings.data_dir)
    app[LEDGER] = Ledger(events, mapper, pii_key)
    yield
    await app[SOURCES].close()
    await pool.close()


async def _projection_worker(app: web.Application) -> AsyncIterator[None]:
    """The read models, the sealer (Merkle tree, checkpoints) and the webhook deliverer,
    until shutdown."""
    stop = asyncio.Event()
    task = asyncio.gather(
        run_background(app[POOL], app[MAPPER], app[SIGNER], app[SETTINGS], stop),
        run_deliveries(app[POOL], app[MAPPER], app[SETTINGS], stop, app[PII_KEY]),
    )
    task.add_done_callback(_report_failure)
    yield
    stop.set()
    if task.done():  # failed early: said so then
        return
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=10)


def _report_failure(task: asyncio.Future[Any]) -> None:
    """Say at once that the background work stopped (each loop outlives a lost database:
    this is anything else); the API goes on serving what the read models hold."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background_work_failed", error=repr(task.exception()))
