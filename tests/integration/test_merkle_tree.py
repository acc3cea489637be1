"""The stored tree answers RFC 6962 proofs that the offline verifier accepts, whatever
batches it was extended in."""

from __future__ import annotations

import asyncio
import random
from uuid import uuid4

import asyncpg
from eventsourcing.persistence import StoredEvent

from ledger.infra.eventstore import EventStore, NewEvent
from ledger.infra.leaf import leaf_bytes
from ledger.infra.merkle import Tree, extend
from ledger.offline import leaf_hash, root_hash, verify_consistency, verify_inclusion

SIZE = 37


async def _grow(events: EventStore, pool: asyncpg.Pool) -> list[bytes]:
    rng = random.Random(7)
    written = 0
    while written < SIZE:
        batch = min(rng.randint(1, 5), SIZE - written)
        await events.append(
            [
                NewEvent(StoredEvent(uuid4(), 1, "tests:Thing.Happened", b"{}"), ("t",))
                for _ in range(batch)
            ]
        )
        written += batch
        await extend(pool, batch_size=rng.randint(1, 4))  # the tree lags and catches up
    while await extend(pool, batch_size=3):
        pass
    rows = await pool.fetch(
        "SELECT e.*, s.recorded_at FROM ledger_events e JOIN ledger_seal s USING (position)"
        " ORDER BY position"
    )
    return [leaf_hash(leaf_bytes(r)) for r in rows]


async def test_roots_and_proofs_for_every_size(events: EventStore, pool: asyncpg.Pool) -> None:
    leaves = await _grow(events, pool)
    tree = Tree(pool)
    assert await tree.size() == SIZE
    roots = {n: await tree.root(n) for n in range(1, SIZE + 1)}
    for n in range(1, SIZE + 1):
        assert roots[n] == root_hash(leaves[:n])
        for index in range(n):
            verify_inclusion(index, n, leaves[index], await tree.inclusion(index, n), roots[n])
        for m in range(1, n + 1):
            verify_consistency(m, n, roots[m], roots[n], await tree.consistency(m, n))


async def test_extenders_do_not_collide(events: EventStore, pool: asyncpg.Pool) -> None:
    await events.append(
        [NewEvent(StoredEvent(uuid4(), 1, "tests:Thing.Happened", b"{}"), ()) for _ in range(50)]
    )
    added = await asyncio.gather(*(extend(pool, batch_size=7) for _ in range(6)))
    while await extend(pool, batch_size=7):
        pass
    assert await Tree(pool).size() == 50
    assert sum(added) <= 50
    count = await pool.fetchval("SELECT count(*) FROM merkle_nodes WHERE level = 0")
    assert count == 50
