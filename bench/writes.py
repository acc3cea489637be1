"""Write scenarios on asyncpg: the raw INSERT baseline and ``EventStore.append``."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg
from figures import Figure, Measured, timed

from ledger.application.store import tags_for
from ledger.domain.person import Person
from ledger.infra.codec import make_mapper
from ledger.infra.eventstore import EventStore, NewEvent

T = TypeVar("T")


def person_events(count: int) -> list[NewEvent]:
    """``count`` realistic one-event streams (a registered person), ready to append."""
    mapper = make_mapper()
    rows = []
    for _ in range(count):
        n = uuid.uuid4().hex[:10]
        person = Person(f"Person {n}", f"P-{n}", "bench", "bench", None, None)
        for domain_event in person.collect_events():
            rows.append(NewEvent(mapper.to_stored_event(domain_event), tags_for(person)))
    return rows


async def run_clients(
    items: Sequence[T], clients: int, work: Callable[[int, Sequence[T]], Awaitable[Any]]
) -> float:
    """Seconds for ``clients`` concurrent tasks to work through ``items`` between them."""

    async def all_clients() -> None:
        await asyncio.gather(*(work(i, items[i::clients]) for i in range(clients)))

    return await timed(all_clients)


def _clients(clients: int) -> str:
    return f"{clients} client" + "s" * (clients > 1)


_INSERT = "INSERT INTO bench_rows (stream_id, topic, state) VALUES ($1, $2, $3)"


async def raw_insert(
    stack: contextlib.AsyncExitStack, url: str, rows: int, clients: int
) -> Measured:
    """Baseline A: one INSERT of one row per transaction (autocommit), a connection per client."""
    figure = Figure(
        "A" if clients == 1 else f"A{clients}",
        f"raw asyncpg INSERT, 1 row/transaction, {_clients(clients)}",
        "rows/s",
    )
    conns = [await asyncpg.connect(url) for _ in range(clients)]
    for conn in conns:
        stack.push_async_callback(conn.close)
    await conns[0].execute(
        "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, stream_id uuid NOT NULL,"
        " topic text NOT NULL, state bytea NOT NULL)"
    )

    async def insert(client: int, part: Sequence[tuple[Any, ...]]) -> None:
        for row in part:
            await conns[client].execute(_INSERT, *row)

    async def once(count: int = rows) -> float:
        payload = [
            (e.stored.originator_id, e.stored.topic, e.stored.state) for e in person_events(count)
        ]
        return count / await run_clients(payload, clients, insert)

    await once(20 * clients)  # warm-up: prepared statements, caches
    return Measured(figure, once)


async def append_events(
    pool: asyncpg.Pool,
    events_per_call: int,
    calls: int,
    clients: int,
    variant: tuple[str, str] = ("", ""),
    store_type: type[EventStore] = EventStore,
) -> Measured:
    """``EventStore.append`` of ``events_per_call`` new one-event streams per call.

    ``variant``: a suffix of the key and of the label; ``store_type``: the store to append
    through (``seal.UnsealedStore`` for the seal-off rows)."""
    store = store_type(pool)
    key = f"E{events_per_call}" + (f"x{clients}" if clients > 1 else "") + variant[0]
    label = f"EventStore.append, {events_per_call} event{'s' * (events_per_call > 1)}/call"
    figure = Figure(key, f"{label}, {_clients(clients)}{variant[1]}", "events/s")

    async def append(_: int, part: Sequence[Sequence[NewEvent]]) -> None:
        for batch in part:
            await store.append(batch)

    async def once(count: int = calls) -> float:
        events = person_events(count * events_per_call)
        batches = [events[i : i + events_per_call] for i in range(0, len(events), events_per_call)]
        return len(events) / await run_clients(batches, clients, append)

    await once(2 * clients)  # warm-up
    return Measured(figure, once)
