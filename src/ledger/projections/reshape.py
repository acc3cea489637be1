"""The worker's background task: a read model whose shape changed is rebuilt beside.

At start (``shapes.set_up``) a read model whose recorded shape is not its code's is left as
it is; ``reshape``, started by ``runner.run_worker``, rebuilds each such one beside the live
tables (``online.rebuild_beside``) while they keep serving, and the switch records the new
shape. The shapes are compared once, when the worker starts: a shape recorded later by
another version of the code is that version's business, not to be undone here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog
from eventsourcing.persistence import Mapper

from ledger.projections.online import REBUILD_BATCH, rebuild_beside
from ledger.projections.shapes import fingerprint, stored_shape

if TYPE_CHECKING:
    from ledger.projections.runner import Projection

log = structlog.get_logger(__name__)


async def reshape(
    pool: asyncpg.Pool,
    mapper: Mapper[Any],
    projections: Sequence[Projection],
    tables: dict[str, list[str]],
    stop: asyncio.Event,
    *,
    batch_size: int = REBUILD_BATCH,
    retry_after: float = 30.0,
) -> None:
    """Rebuild beside each read model whose stored shape, now, is not its code's (the
    worker's background task). Looked at once: a shape recorded later by another version
    is that version's business. A failure is logged and the rebuild tried again."""
    changed: list[Projection] | None = None
    while changed is None:
        try:
            known = [p for p in projections if p.name in tables]
            changed = [p for p in known if await _changed(pool, p, tables[p.name])]
        except _FAILURES as error:
            if await _failed(stop, "read_model_shapes_unread", "*", error, retry_after):
                return
    for projection in changed:
        name = projection.name
        while not stop.is_set():
            try:
                if not await _changed(pool, projection, tables[name]):
                    break  # switched (by another process, maybe)
                log.info("read_model_rebuild_beside", projection=name)
                done = await rebuild_beside(
                    pool, mapper, projection, tables[name], batch_size=batch_size
                )
            except _FAILURES as error:
                if await _failed(stop, "read_model_rebuild_failed", name, error, retry_after):
                    return
                continue
            log.info(
                "read_model_switched",
                projection=name,
                events=done.events,
                events_per_second=round(done.rate),
                switch_ms=round(done.switch_seconds * 1000, 1),
                position=done.position,
            )
            break


_FAILURES = (OSError, asyncpg.InterfaceError, asyncpg.PostgresError, RuntimeError)


async def _changed(pool: asyncpg.Pool, projection: Projection, tables: list[str]) -> bool:
    """Whether a shape is recorded and it is not the code's."""
    stored = await stored_shape(pool, projection.name)
    return stored is not None and stored != fingerprint(projection.sql_file, tables)


async def _failed(
    stop: asyncio.Event, event: str, name: str, error: BaseException, retry_after: float
) -> bool:
    """Log a failure (not its message: it may quote an event's values, as the runner's);
    wait ``retry_after``; returns whether ``stop`` was set meanwhile."""
    sqlstate = getattr(error, "sqlstate", None)
    log.error(event, projection=name, error=type(error).__name__, sqlstate=sqlstate)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), retry_after)
    return stop.is_set()
