"""The deliverer: every active subscription follows the log from its cursor, like a read
model, and gets each event it may see once delivered (at least once, in order).

One deliverer is active per database (an advisory lock; a second process waits as a
standby). Each subscription is served by a task of its own, so a slow or dead receiver
holds up neither the others nor the API. A delivery that fails is retried with
exponential back-off and jitter (or after the receiver's ``Retry-After``); the ones after
it wait, so a receiver sees the log in order. After the configured attempts it is
dead-lettered (``failed``: listed, replayable) and the next one goes. A 410 disables the
subscription; a target the operator no longer allows disables it too. State lives in the
database (``infra/webhooks.py``): a restart resumes where the last process stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import aiohttp
import asyncpg
import structlog
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from ledger.deliveries import delivery
from ledger.domain.catalogue import event_types
from ledger.infra import webhooks as store
from ledger.infra.database import LOST, reading
from ledger.infra.eventlog import EventLog
from ledger.infra.eventstore import RecordedEvent
from ledger.infra.public import encode, public_event
from ledger.infra.settings import Settings
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import tracked_position

log = structlog.get_logger("ledger.webhooks")

_LOCK = "SELECT pg_try_advisory_lock(hashtext('ledger-webhooks'))"
_UNLOCK = "SELECT pg_advisory_unlock(hashtext('ledger-webhooks'))"
BATCH = 100


async def visible(
    pool: asyncpg.Pool, sub: store.Subscription, after: int, limit: int
) -> list[RecordedEvent]:
    """The events after ``after`` the subscription may see (its unit, or its creator's
    jurisdiction, by row-level security; its types), up to where every read model is."""
    known = event_types()
    topics = [get_topic(known[t]) for t in sub.types if t in known] if sub.types else None
    cap = min([await tracked_position(pool, p.name) for p in PROJECTIONS])
    scope = sub.unit_id or sub.jurisdiction
    if scope is None:
        rows = await EventLog(pool).read_log(after, limit, topics)
    else:
        async with reading(pool, scope) as conn:
            rows = await EventLog(conn).read_log(after, limit, topics)
    return [row for row in rows if row.position <= cap]


async def serve_one(
    pool: asyncpg.Pool,
    mapper: Mapper,  # type: ignore[type-arg]
    http: aiohttp.ClientSession,
    settings: Settings,
    sub: store.Subscription,
    secret: str,
) -> None:
    """Deliver what is due to one subscription, in order, until it must wait: up to
    ``BATCH`` pending deliveries read with their events in two queries, the target checked
    once, and the ones taken recorded in one statement (before any other outcome, so the
    order of the record follows the order of the deliveries)."""
    while True:
        due = await store.due(pool, sub.id, BATCH)
        if not due:
            rows = await visible(pool, sub, sub.cursor, BATCH)
            if not rows:
                return
            await store.pend(pool, sub.id, [r.position for r in rows])
            await store.advance(pool, sub.id, rows[-1].position)
            sub = (await store.get(pool, sub.id)) or sub
            continue
        if due[0]["next_at"] > datetime.now(UTC):
            return
        try:
            delivery.check_allowed(sub.url, settings)
            await delivery.check_addresses(sub.url, settings)
        except (delivery.TargetRefused, OSError) as refused:
            position = int(due[0]["position"])
            await store.set_status(pool, sub.id, "disabled", f"target refused: {refused}")
            await store.attempted(pool, sub.id, position, "pending", None, str(refused))
            return
        events = {
            r.position: r
            for r in await EventLog(pool).read_positions(int(d["position"]) for d in due)
        }
        taken: list[tuple[int, int]] = []
        try:
            for row in due:
                if not await _attempt(
                    pool, mapper, http, settings, sub, secret, row, events, taken
                ):
                    return
        finally:
            await store.delivered(pool, sub.id, taken)


async def _attempt(
    pool: asyncpg.Pool,
    mapper: Mapper,  # type: ignore[type-arg]
    http: aiohttp.ClientSession,
    settings: Settings,
    sub: store.Subscription,
    secret: str,
    due: asyncpg.Record,
    events: dict[int, RecordedEvent],
    taken: list[tuple[int, int]],
) -> bool:
    """One delivery; False when the subscription must wait (or stop) before the next."""
    position, attempts = int(due["position"]), int(due["attempts"]) + 1
    if due["next_at"] > datetime.now(UTC):
        return False  # a retry not due yet: the ones after it wait
    row = events.get(position)
    if row is None:
        await store.delivered(pool, sub.id, taken)
        taken.clear()
        await store.attempted(pool, sub.id, position, "failed", None, "no such event")
        return True
    payload = encode(public_event(mapper, row))
    msg_id = delivery.message_id(sub.id, position)
    outcome = await delivery.post(http, sub.url, secret, msg_id, payload, settings.webhook_timeout)
    if outcome.delivered:
        taken.append((position, outcome.status or 200))
        return True
    await store.delivered(pool, sub.id, taken)  # what went before is recorded first
    taken.clear()
    if outcome.gone:
        await store.attempted(pool, sub.id, position, "pending", outcome.status, outcome.error)
        await store.set_status(pool, sub.id, "disabled", "the receiver answered 410 Gone")
        log.warning("webhook_disabled", webhook=str(sub.id), reason="410")
        return False
    if attempts >= settings.webhook_attempts:
        await store.attempted(pool, sub.id, position, "failed", outcome.status, outcome.error)
        log.warning("webhook_dead_letter", webhook=str(sub.id), position=position)
        return True
    wait = delivery.backoff(attempts, settings, outcome.retry_after)
    later = datetime.now(UTC) + timedelta(seconds=wait)
    await store.attempted(
        pool, sub.id, position, "pending", outcome.status, outcome.error, next_at=later
    )
    return False


async def run_deliveries(
    pool: asyncpg.Pool,
    mapper: Mapper,  # type: ignore[type-arg]
    settings: Settings,
    stop: asyncio.Event,
    key: bytes,
    poll_interval: float = 0.5,
) -> None:
    """Deliver to every active subscription until ``stop`` (standby while another process
    holds the lock). ``key``: the PII key, which the signing secrets are sealed under. A
    lost database (a restart, a failover) is waited out, not fatal."""
    while not stop.is_set():
        try:
            await _deliver(pool, mapper, settings, stop, key, poll_interval)
        except LOST:
            log.warning("webhooks_database_lost", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_interval * 4)


async def _deliver(
    pool: asyncpg.Pool,
    mapper: Mapper,  # type: ignore[type-arg]
    settings: Settings,
    stop: asyncio.Event,
    key: bytes,
    poll_interval: float,
) -> None:
    tasks: dict[UUID, asyncio.Task[None]] = {}
    async with pool.acquire() as conn, delivery.session(settings) as http:
        while not await conn.fetchval(_LOCK):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_interval)
            if stop.is_set():
                return
        log.info("webhook_deliverer_active")
        try:
            while not stop.is_set():
                await conn.fetchval("SELECT 1")  # the lock's session is alive (else: raise)
                for sub, secret in await store.active(pool):
                    running = tasks.get(sub.id)
                    if running is not None and running.done():
                        _report(sub.id, running)
                    if running is None or running.done():
                        tasks[sub.id] = asyncio.create_task(
                            serve_one(pool, mapper, http, settings, sub, store.unseal(key, secret))
                        )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), poll_interval)
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
            if not conn.is_closed():
                await conn.execute(_UNLOCK)


def _report(webhook_id: UUID, task: asyncio.Task[None]) -> None:
    """A subscription's pass that failed (the database, most likely): said, then retried."""
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        log.warning("webhook_pass_failed", webhook=str(webhook_id), error=type(error).__name__)
