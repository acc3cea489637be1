"""The reads of the log on a real PostgreSQL: pages by stream and by tag up to a position,
what a stream is as of a position, the positions of streams, the seal, and reading on a
connection inside a transaction (as the projection runner does)."""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncpg
from eventsourcing.persistence import StoredEvent

from ledger.infra.eventlog import EventLog, RecordedEvent
from ledger.infra.eventstore import EventStore, NewEvent


def new(stream_id: UUID, version: int, topic: str = "tests:Thing.Happened", *tags: str) -> NewEvent:
    return NewEvent(StoredEvent(stream_id, version, topic, f'{{"v":{version}}}'.encode()), tags)


def at(events: list[RecordedEvent]) -> list[int]:
    return [e.position for e in events]


async def _story(events: EventStore) -> tuple[UUID, UUID, UUID]:
    """Positions 1–7: a person, a unit, and an assignment tagged with both."""
    person, unit, post = uuid4(), uuid4(), uuid4()
    await events.append([new(person, 1, "tests:Person.Registered")])  # 1
    await events.append([new(unit, 1, "tests:Unit.Created")])  # 2
    await events.append([new(post, 1, "tests:Post.Assigned", f"person:{person}", f"unit:{unit}")])
    await events.append([new(person, 2, "tests:Person.Renamed")])  # 4
    await events.append([new(post, 2, "tests:Post.Corrected", f"person:{person}")])  # 5
    await events.append([new(unit, 2, "tests:Unit.Renamed")])  # 6
    await events.append([new(post, 3, "tests:Post.Ended", f"person:{person}", f"unit:{unit}")])
    return person, unit, post


async def test_a_stream_page_is_bounded_on_both_sides_and_limited(events: EventStore) -> None:
    person, _, post = await _story(events)
    assert at(await events.read_stream_page(person, after=0, upto=7, limit=10)) == [1, 4]
    assert at(await events.read_stream_page(post, after=0, upto=7, limit=10)) == [3, 5, 7]
    assert at(await events.read_stream_page(post, after=3, upto=7, limit=10)) == [5, 7]
    assert at(await events.read_stream_page(post, after=0, upto=5, limit=10)) == [3, 5]
    assert at(await events.read_stream_page(post, after=0, upto=7, limit=2)) == [3, 5]
    assert await events.read_stream_page(post, after=7, upto=7, limit=10) == []
    page = await events.read_stream_page(post, after=4, upto=5, limit=1)
    assert page[0].topic == "tests:Post.Corrected" and len(page[0].chain_hash) == 32
    assert page[0].stream_version == 2 and page[0].tags == [f"person:{person}"]


async def test_a_tag_page_finds_every_stream_carrying_the_tag(events: EventStore) -> None:
    person, unit, _ = await _story(events)
    assert at(await events.read_tag_page(f"person:{person}", after=0, upto=7, limit=10)) == [
        3,
        5,
        7,
    ]
    assert at(await events.read_tag_page(f"unit:{unit}", after=0, upto=7, limit=10)) == [3, 7]
    assert at(await events.read_tag_page(f"unit:{unit}", after=3, upto=6, limit=10)) == []
    assert at(await events.read_tag_page(f"person:{person}", after=3, upto=7, limit=1)) == [5]
    assert await events.read_tag_page("person:nobody", after=0, upto=7, limit=10) == []


async def test_what_a_stream_is_as_of_a_position(events: EventStore) -> None:
    person, unit, _ = await _story(events)
    assert await events.stream_topic(person, 7) == "tests:Person.Registered"
    assert await events.stream_topic(unit, 2) == "tests:Unit.Created"
    assert await events.stream_topic(unit, 1) is None  # not yet created then
    assert await events.stream_topic(uuid4(), 7) is None


async def test_positions_of_streams_up_to_a_position(events: EventStore) -> None:
    person, unit, post = await _story(events)
    assert await events.stream_positions([person, post], 7) == [1, 3, 4, 5, 7]
    assert await events.stream_positions([unit, post], 5) == [2, 3, 5]
    assert await events.stream_positions([uuid4()], 7) == []
    assert await events.stream_positions([], 7) == []


async def test_the_seal_of_a_position(events: EventStore) -> None:
    await _story(events)
    seal = await events.seal(3)
    assert seal is not None
    chain_hash, recorded_at = seal
    assert chain_hash == (await events.read_log(2, 1))[0].chain_hash
    assert recorded_at.tzinfo is not None
    assert await events.seal(8) is None


async def test_reads_on_a_connection_see_its_transaction(
    events: EventStore, pool: asyncpg.Pool
) -> None:
    """The runner reads its batch on the connection holding its tracking row's lock."""
    await _story(events)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        log = EventLog(conn)
        before = await log.read_log(0, 100)
        await events.append([new(uuid4(), 1)])  # committed by another connection
        assert at(await log.read_log(0, 100)) == at(before) == [1, 2, 3, 4, 5, 6, 7]
        assert await log.head_position() == 7
    assert at(await events.read_log(5, 2)) == [6, 7]
    assert await events.head_position() == 8
