"""The events a command's tags found are kept decoded between commands (``tagcache``): a
later read adds only what came after, whoever wrote it, and hands out fresh aggregates."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from ledger.application import Ledger
from ledger.application.commands import Attribute, EndAssignment
from ledger.application.store import AggregateStore
from ledger.application.tagcache import Found, TagCache
from ledger.domain.vocab import EndReason, Liability
from ledger.infra.codec import make_mapper
from ledger.infra.eventstore import EventStore
from tests.world import CTX, build_world, raised_finding, started_inspection


def _state(aggregates: list[Any]) -> list[tuple[Any, ...]]:
    """What a rule reads of each aggregate, in the order the read hands them out."""
    return [
        (
            type(a).__name__,
            a.id,
            a.version,
            getattr(a, "effective_to", None),
            *sorted(map(str, getattr(a, "attributions", {}))),
        )
        for a in aggregates
    ]


async def _fresh(pool: asyncpg.Pool, tags: list[str]) -> list[tuple[Any, ...]]:
    """The same read by a store that keeps nothing yet (another process, just started)."""
    aggregates, _ = await AggregateStore(EventStore(pool), make_mapper()).tagged(tags)
    return _state(aggregates)


async def test_a_kept_read_sees_what_another_process_wrote_after_it(pool: asyncpg.Pool) -> None:
    """One ledger reads a unit's chain and a person's records; another (a second API
    process) ends an assignment of the unit (an event on a kept stream) and attributes a
    finding to the person (a stream whose earlier events never carried the person's tag).
    The first one's next reads equal a fresh store's, the finding read whole."""
    mine = Ledger(EventStore(pool), make_mapper())
    theirs = Ledger(EventStore(pool), make_mapper())
    world = await build_world(theirs)
    unit, clerk = [f"unit:{world.bureau}"], [f"person:{world.clerk}"]
    before = await mine.store.tagged(unit)
    assert _state(before[0]) == await _fresh(pool, unit)
    assert len(_state((await mine.store.tagged(clerk))[0])) == 2  # the clerk and the post

    finding = await raised_finding(theirs, world, await started_inspection(theirs, world))
    await theirs.assignments.end_assignment(
        CTX,
        world.clerk_post,
        EndAssignment(effective_to=date(2024, 12, 31), reason=EndReason.TRANSFERRED),
    )
    await theirs.findings.attribute(
        CTX, finding, Attribute(person_id=world.clerk, liability=Liability.DIRECT, reason="经办人")
    )

    after, head = await mine.store.tagged(unit)
    assert head > before[1]
    assert _state(after) == await _fresh(pool, unit) != _state(before[0])
    ended = [a for a in after if a.id == world.clerk_post]
    assert ended[0].effective_to == date(2024, 12, 31)
    records = _state((await mine.store.tagged(clerk))[0])
    assert records == await _fresh(pool, clerk)
    assert [r[1] for r in records] == [world.clerk, world.clerk_post, finding]
    assert records[2][2] == len(await mine.events.read_stream(finding))  # every event


async def test_each_read_hands_out_aggregates_of_its_own(pool: asyncpg.Pool) -> None:
    """A command changes the aggregates it read; the next read's are untouched."""
    ledger = Ledger(EventStore(pool), make_mapper())
    world = await build_world(ledger)
    tags = [f"unit:{world.bureau}"]
    first, _ = await ledger.store.tagged(tags)
    post = next(a for a in first if a.id == world.clerk_post)
    post.end(
        date(2025, 1, 1), EndReason.RETIRED, actor="tester", source="api", reason=None, basis=None
    )
    assert post.effective_to == date(2025, 1, 1)  # changed in memory, never written
    again, _ = await ledger.store.tagged(tags)
    assert next(a for a in again if a.id == world.clerk_post).effective_to is None
    assert _state(again) == await _fresh(pool, tags)


def test_the_cache_keeps_a_bounded_count_of_events_least_recently_used_first() -> None:
    cache = TagCache(kept=5)

    def found(head: int, events: int) -> Found:
        return Found(0, {}, {}).extended(head, [(_id(n), n, object()) for n in range(events)])

    cache.put(("a",), found(10, 2))
    cache.put(("b",), found(10, 2))
    assert cache.get(("a",)) is not None  # now the most recently used
    cache.put(("c",), found(10, 2))
    assert cache.get(("b",)) is None and cache.get(("a",)) is not None
    newer = found(12, 1)
    cache.put(("a",), newer)
    cache.put(("a",), found(11, 3))  # read before the kept one: not kept
    assert cache.get(("a",)) is newer


def _id(n: int) -> Any:
    from uuid import UUID

    return UUID(int=n + 1)
