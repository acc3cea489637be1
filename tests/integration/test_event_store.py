"""The event store on a real PostgreSQL: appends, reads, guards, the seal, concurrency."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from eventsourcing.persistence import StoredEvent

from ledger.infra.eventstore import (
    Appended,
    Condition,
    ConditionFailed,
    EventStore,
    Idempotency,
    NewEvent,
    RecordedEvent,
    StreamVersionConflict,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO_HASH = bytes(32)


def new(
    stream_id: UUID,
    version: int,
    *,
    topic: str = "tests:Thing.Happened",
    state: bytes | None = None,
    tags: tuple[str, ...] = (),
) -> NewEvent:
    body = state if state is not None else f'{{"v":{version}}}'.encode()
    return NewEvent(StoredEvent(stream_id, version, topic, body), tags)


async def table(pool: asyncpg.Pool, name: str, order: str) -> list[dict[str, Any]]:
    return [dict(r) for r in await pool.fetch(f"SELECT * FROM {name} ORDER BY {order}")]


async def positions(pool: asyncpg.Pool) -> list[int]:
    return [
        r["position"] for r in await pool.fetch("SELECT position FROM ledger_events ORDER BY 1")
    ]


# appends and reads


async def test_appends_return_consecutive_positions(events: EventStore) -> None:
    a, b = uuid4(), uuid4()
    first = await events.append([new(a, 1), new(a, 2), new(b, 1)])
    assert (first.first_position, first.last_position, first.duplicate) == (1, 3, False)
    assert first.recorded_at is not None and first.recorded_at.tzinfo is not None
    second = await events.append([new(b, 2)])
    assert (second.first_position, second.last_position) == (4, 4)
    third = await events.append([new(a, 3), new(b, 3)])
    assert (third.first_position, third.last_position) == (5, 6)
    assert await events.head_position() == 6
    assert await positions(events.pool) == [1, 2, 3, 4, 5, 6]


async def test_one_batch_shares_one_recorded_time(events: EventStore) -> None:
    appended = await events.append([new(uuid4(), 1), new(uuid4(), 1), new(uuid4(), 1)])
    log = await events.read_log()
    assert {e.recorded_at for e in log} == {appended.recorded_at}


async def test_empty_batch_is_refused(events: EventStore) -> None:
    with pytest.raises(ValueError, match="at least one event"):
        await events.append([])
    assert await events.head_position() == 0


async def test_tag_with_a_line_feed_is_refused(events: EventStore) -> None:
    with pytest.raises(ValueError):
        await events.append([new(uuid4(), 1, tags=("a\nb",))])
    assert await events.head_position() == 0


async def test_tags_are_stored_as_given(events: EventStore) -> None:
    await events.append([new(uuid4(), 1, tags=("unit:1", "code:南京", "unit:1 again"))])
    assert (await events.read_log())[0].tags == ["unit:1", "code:南京", "unit:1 again"]


async def test_an_empty_tag_is_refused_not_silently_dropped(events: EventStore) -> None:
    with pytest.raises(ValueError):
        await events.append([new(uuid4(), 1, tags=("",))])
    assert await events.read_log() == []


async def test_stream_reads_in_version_order(events: EventStore) -> None:
    a, b = uuid4(), uuid4()
    await events.append([new(a, 1), new(b, 1)])
    await events.append([new(b, 2)])
    await events.append([new(a, 2), new(a, 3, topic="tests:Thing.Ended", tags=("x:1", "y:2"))])
    stream = await events.read_stream(a)
    assert [e.stream_version for e in stream] == [1, 2, 3]
    assert [e.position for e in stream] == [1, 4, 5]
    assert all(e.stream_id == a for e in stream)
    assert [e.state for e in stream] == [b'{"v":1}', b'{"v":2}', b'{"v":3}']
    assert stream[2].topic == "tests:Thing.Ended"
    assert stream[2].tags == ["x:1", "y:2"]
    assert stream[0].tags == []
    stored = stream[2].to_stored()
    assert (stored.originator_id, stored.originator_version) == (a, 3)
    assert [e.stream_version for e in await events.read_stream(b)] == [1, 2]
    assert await events.read_stream(uuid4()) == []


async def test_read_log_after_and_limit(events: EventStore) -> None:
    s = uuid4()
    for version in range(1, 11):
        await events.append([new(s, version)])
    assert [e.position for e in await events.read_log()] == list(range(1, 11))
    assert [e.position for e in await events.read_log(0, 3)] == [1, 2, 3]
    assert [e.position for e in await events.read_log(3, 4)] == [4, 5, 6, 7]
    assert [e.position for e in await events.read_log(7, 100)] == [8, 9, 10]
    assert await events.read_log(10) == []
    assert await events.read_log(0, 0) == []
    page = await events.read_log(4, 1)
    assert page[0].stream_version == 5 and len(page[0].chain_hash) == 32


async def test_a_tag_read_returns_whole_tagged_streams_and_the_head(events: EventStore) -> None:
    a, b = uuid4(), uuid4()
    await events.append([new(a, 1, tags=("unit:1",)), new(b, 1, tags=("unit:2", "code:x"))])
    await events.append([new(a, 2, tags=("unit:1",))])
    _, found, head = await events.read_streams_and_tagged([], ["unit:1"])
    assert head == 3
    assert [e.position for e in found] == [1, 3]
    _, found, _ = await events.read_streams_and_tagged([], ["code:x", "unit:1"])
    assert [e.position for e in found] == [1, 2, 3]
    assert (await events.read_streams_and_tagged([], ["unit:9"]))[1] == []


# guards: expected versions and the consistency condition


async def test_stale_expected_version_raises_and_writes_nothing(events: EventStore) -> None:
    s = uuid4()
    await events.append([new(s, 1), new(s, 2)])
    before = await events.read_log()
    with pytest.raises(StreamVersionConflict) as raised:
        await events.append([new(s, 2)])
    assert (raised.value.stream_id, raised.value.expected, raised.value.actual) == (s, 1, 2)
    with pytest.raises(StreamVersionConflict) as raised:
        await events.append([new(s, 4)])
    assert (raised.value.expected, raised.value.actual) == (3, 2)
    with pytest.raises(StreamVersionConflict) as raised:
        await events.append([new(uuid4(), 2)])
    assert (raised.value.expected, raised.value.actual) == (1, 0)
    assert await events.read_log() == before
    assert await events.head_position() == 2
    assert (await events.append([new(s, 3)])).last_position == 3


async def test_batch_with_one_bad_stream_writes_none_of_its_events(events: EventStore) -> None:
    good, bad = uuid4(), uuid4()
    await events.append([new(bad, 1)])
    seal_before = await table(events.pool, "ledger_seal", "position")
    with pytest.raises(StreamVersionConflict) as raised:
        await events.append([new(good, 1), new(good, 2), new(bad, 1), new(uuid4(), 1)])
    assert raised.value.stream_id == bad
    assert await events.read_stream(good) == []
    assert await positions(events.pool) == [1]
    assert await table(events.pool, "ledger_seal", "position") == seal_before
    head = await events.pool.fetchrow("SELECT position, chain_hash FROM ledger_head")
    assert head["position"] == 1 and bytes(head["chain_hash"]) == seal_before[0]["chain_hash"]
    # the next append continues the log without a gap
    assert (await events.append([new(good, 1)])).first_position == 2


async def test_condition_fails_when_a_tagged_event_came_after(events: EventStore) -> None:
    await events.append([new(uuid4(), 1, tags=("unit:a",))])  # 1
    await events.append([new(uuid4(), 1, tags=("unit:b", "code:c1"))])  # 2
    with pytest.raises(ConditionFailed):
        await events.append([new(uuid4(), 1)], condition=Condition(["unit:a"], 0))
    with pytest.raises(ConditionFailed):
        await events.append([new(uuid4(), 1)], condition=Condition(["unit:x", "code:c1"], 1))
    assert await events.head_position() == 2
    # not after: the reader had seen it
    ok = await events.append([new(uuid4(), 1)], condition=Condition(["unit:a"], 1))
    assert ok.last_position == 3
    ok = await events.append([new(uuid4(), 1)], condition=Condition(["code:c1"], 2))
    assert ok.last_position == 4
    # other tags do not matter; no tags means no condition
    ok = await events.append([new(uuid4(), 1)], condition=Condition(["unit:zzz"], 0))
    assert ok.last_position == 5
    ok = await events.append([new(uuid4(), 1)], condition=Condition([], 0))
    assert ok.last_position == 6


async def test_idempotency_key_returns_the_first_result(events: EventStore) -> None:
    s = uuid4()
    key = Idempotency("tester", "k-1", b"\x01\x02", {"id": str(s), "version": 1, "position": 0})
    first = await events.append([new(s, 1)], idempotency=key)
    again = await events.append([new(s, 1)], idempotency=key)  # would conflict if appended
    assert again.duplicate and again.first_position == first.last_position == 1
    assert again.request_hash == b"\x01\x02"
    assert again.result == {"id": str(s), "version": 1, "position": 1}
    assert await events.find_idempotent("tester", "k-1") == (b"\x01\x02", again.result)
    assert await events.find_idempotent("someone-else", "k-1") is None
    assert await events.head_position() == 1


# append-only


async def _fill_every_table(events: EventStore) -> None:
    s = uuid4()
    await events.append(
        [new(s, 1, tags=("t",))],
        idempotency=Idempotency("tester", "k", b"h", {"id": str(s), "version": 1}),
    )
    await events.append([new(s, 2)])


STATEMENTS = {
    "ledger_events": [
        "UPDATE ledger_events SET topic = 'forged' WHERE position = 1",
        "UPDATE ledger_events SET state = '\\x00'",
        "DELETE FROM ledger_events WHERE position = 2",
        "TRUNCATE ledger_events CASCADE",
        "TRUNCATE ledger_events, ledger_seal",
    ],
    "ledger_seal": [
        "UPDATE ledger_seal SET chain_hash = sha256('x') WHERE position = 1",
        "UPDATE ledger_seal SET recorded_at = now() - interval '1 year'",
        "DELETE FROM ledger_seal WHERE position = 2",
        "TRUNCATE ledger_seal",
    ],
    "ledger_idempotency": [
        "UPDATE ledger_idempotency SET result = '{}'",
        "DELETE FROM ledger_idempotency",
        "TRUNCATE ledger_idempotency",
    ],
}


@pytest.mark.parametrize(
    "statement", [s for group in STATEMENTS.values() for s in group], ids=lambda s: s[:40]
)
async def test_the_log_refuses_change(events: EventStore, statement: str) -> None:
    await _fill_every_table(events)
    pool = events.pool
    before = {name: await table(pool, name, "1") for name in STATEMENTS}
    with pytest.raises(asyncpg.PostgresError) as raised:
        await pool.execute(statement)
    assert raised.value.sqlstate == "LE900", raised.value
    assert "append-only" in str(raised.value)
    assert {name: await table(pool, name, "1") for name in STATEMENTS} == before


async def test_plain_truncate_of_the_events_is_refused(events: EventStore) -> None:
    await _fill_every_table(events)
    with pytest.raises(asyncpg.PostgresError) as raised:
        await events.pool.execute("TRUNCATE ledger_events")
    # the seal's foreign key refuses it before the trigger is reached
    assert raised.value.sqlstate in ("0A000", "LE900")
    assert await positions(events.pool) == [1, 2]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM ledger_head",
        "TRUNCATE ledger_head",
        "UPDATE ledger_head SET position = 1",
        "UPDATE ledger_head SET chain_hash = sha256('forged')",
    ],
)
async def test_the_head_cannot_be_rewritten_outside_an_append(
    events: EventStore, statement: str
) -> None:
    await _fill_every_table(events)
    with pytest.raises(asyncpg.PostgresError):
        await events.pool.execute(statement)
    assert (await events.append([new(uuid4(), 1)])).last_position == 3


# the seal


def field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def leaf(e: RecordedEvent) -> bytes:
    micros = (e.recorded_at - EPOCH) // timedelta(microseconds=1)
    return b"".join(
        field(part)
        for part in (
            e.position.to_bytes(8, "big", signed=True),
            e.stream_id.bytes,
            e.stream_version.to_bytes(4, "big", signed=True),
            e.topic.encode("utf-8"),
            e.state,
            "\n".join(e.tags).encode("utf-8"),
            micros.to_bytes(8, "big", signed=True),
        )
    )


async def test_chain_hash_matches_the_documented_encoding(events: EventStore) -> None:
    a, b = uuid4(), uuid4()
    await events.append([new(a, 1, tags=("unit:a", "code:南京"))])
    await events.append(
        [
            new(a, 2, topic="ledger.domain.unit:Unit.Renamed", state="名称".encode()),
            new(b, 1, state=b"", tags=("only",)),
        ]
    )
    for version in range(2, 6):
        await events.append([new(b, version, state=bytes(range(256)) * version)])
    log = await events.read_log()
    assert len(log) == 7
    chain = ZERO_HASH
    for e in log:
        chain = hashlib.sha256(chain + leaf(e)).digest()
        assert e.chain_hash == chain, f"chain hash differs at position {e.position}"
    in_db = await events.pool.fetch(
        "SELECT e.position, ledger_leaf(e.position, e.stream_id, e.stream_version, e.topic,"
        " e.state, e.tags, s.recorded_at) AS leaf FROM ledger_events e"
        " JOIN ledger_seal s USING (position) ORDER BY e.position"
    )
    assert [bytes(r["leaf"]) for r in in_db] == [leaf(e) for e in log]
    head = await events.pool.fetchrow("SELECT position, recorded_at, chain_hash FROM ledger_head")
    assert (head["position"], bytes(head["chain_hash"])) == (7, chain)
    assert head["recorded_at"] == log[-1].recorded_at


async def test_altered_event_no_longer_matches_its_seal(events: EventStore) -> None:
    s = uuid4()
    await events.append([new(s, 1, tags=("a",))])
    (e,) = await events.read_log()
    forged = RecordedEvent(**{**vars(e), "state": b'{"v":2}'})
    assert hashlib.sha256(ZERO_HASH + leaf(e)).digest() == e.chain_hash
    assert hashlib.sha256(ZERO_HASH + leaf(forged)).digest() != e.chain_hash


async def test_recorded_time_never_decreases_and_maps_known_at(events: EventStore) -> None:
    s = uuid4()
    times = []
    for version in range(1, 9):
        batch = [new(s, version)] if version % 3 else [new(uuid4(), 1), new(s, version)]
        appended = await events.append(batch)
        times.append((appended.last_position, appended.recorded_at))
        await asyncio.sleep(0.002)
    log = await events.read_log()
    recorded = [e.recorded_at for e in log]
    assert recorded == sorted(recorded)
    assert await events.position_known_at(log[0].recorded_at - timedelta(microseconds=1)) == 0
    for last_position, at in times:
        assert at is not None
        assert await events.position_known_at(at) == last_position
        assert await events.position_known_at(at + timedelta(microseconds=1)) == last_position
    assert await events.position_known_at(datetime.now(UTC) + timedelta(days=1)) == len(log)


async def test_recorded_time_holds_when_the_clock_is_behind_the_head(events: EventStore) -> None:
    """The append takes the later of the clock and the head's time (a clock step back)."""
    s = uuid4()
    await events.append([new(s, 1)])
    pool = events.pool
    future = datetime.now(UTC) + timedelta(hours=1)
    # simulate a head recorded by a clock ahead of ours; the head's guard is bypassed the
    # way a superuser would (session_replication_role = replica skips triggers)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("UPDATE ledger_head SET recorded_at = $1", future)
    appended = await events.append([new(s, 2)])
    assert appended.recorded_at == future
    log = await events.read_log()
    assert log[1].recorded_at == future >= log[0].recorded_at


# concurrency


async def test_concurrent_appenders_leave_no_gap_a_reader_can_see(events: EventStore) -> None:
    appenders, per_appender = 8, 50
    done = asyncio.Event()
    snapshots: list[list[int]] = []
    followed: list[int] = []

    async def append_all(stream_id: UUID) -> list[Appended]:
        results = []
        for version in range(1, per_appender + 1):
            results.append(await events.append([new(stream_id, version, tags=(f"s:{stream_id}",))]))
        return results

    async def read_while_writing() -> None:
        while True:
            finished = done.is_set()
            snapshots.append([e.position for e in await events.read_log(0, 10_000)])
            after = followed[-1] if followed else 0
            followed.extend(e.position for e in await events.read_log(after, 37))
            if finished:
                return
            await asyncio.sleep(0)

    streams = [uuid4() for _ in range(appenders)]
    reader = asyncio.create_task(read_while_writing())
    results = await asyncio.gather(*(append_all(s) for s in streams))
    done.set()
    await reader

    total = appenders * per_appender
    assert await positions(events.pool) == list(range(1, total + 1))
    assigned = sorted(r.last_position for rs in results for r in rs)
    assert assigned == list(range(1, total + 1))
    for rs in results:  # each appender's own appends come back in order
        assert [r.last_position for r in rs] == sorted(r.last_position for r in rs)
    for stream_id in streams:
        assert [e.stream_version for e in await events.read_stream(stream_id)] == list(
            range(1, per_appender + 1)
        )
    assert len({len(s) for s in snapshots}) > 2, "the reader never saw the log grow"
    for snapshot in snapshots:
        assert snapshot == list(range(1, len(snapshot) + 1)), "reader saw a gap"
    sizes = [len(s) for s in snapshots]
    assert sizes == sorted(sizes)
    assert followed == list(range(1, len(followed) + 1))
    # the seal is one unbroken chain after the race
    chain = ZERO_HASH
    for e in await events.read_log(0, total):
        chain = hashlib.sha256(chain + leaf(e)).digest()
        assert e.chain_hash == chain


async def test_concurrent_appends_to_one_stream_one_wins_per_version(events: EventStore) -> None:
    stream_id, contenders, versions = uuid4(), 10, 5
    winners = []
    for version in range(1, versions + 1):
        outcomes = await asyncio.gather(
            *(
                events.append([new(stream_id, version, state=f'{{"by":{i}}}'.encode())])
                for i in range(contenders)
            ),
            return_exceptions=True,
        )
        won = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, Appended)]
        lost = [o for o in outcomes if not isinstance(o, Appended)]
        assert len(won) == 1, outcomes
        assert len(lost) == contenders - 1
        for error in lost:
            assert isinstance(error, StreamVersionConflict), error
            assert (error.expected, error.actual) == (version - 1, version)
        winners.append(won[0])
    stream = await events.read_stream(stream_id)
    assert [e.stream_version for e in stream] == list(range(1, versions + 1))
    assert [e.state for e in stream] == [f'{{"by":{i}}}'.encode() for i, _ in winners]
    assert [e.position for e in stream] == [o.last_position for _, o in winners]
    assert await positions(events.pool) == list(range(1, versions + 1))


async def test_concurrent_two_event_batches_stay_contiguous(events: EventStore) -> None:
    """A batch's events get consecutive positions even when batches race."""

    async def append_pairs(stream_id: UUID) -> list[Appended]:
        return [
            await events.append([new(stream_id, v), new(stream_id, v + 1)]) for v in (1, 3, 5, 7)
        ]

    results = await asyncio.gather(*(append_pairs(uuid4()) for _ in range(6)))
    for appended in (a for rs in results for a in rs):
        assert appended.last_position == appended.first_position + 1
        pair = await events.read_log(appended.first_position - 1, 2)
        assert pair[0].stream_id == pair[1].stream_id
        assert pair[1].stream_version == pair[0].stream_version + 1
        assert pair[0].recorded_at == pair[1].recorded_at == appended.recorded_at
    assert await positions(events.pool) == list(range(1, 49))


# group commit


async def test_group_commit_answers_each_command_on_its_own(events: EventStore) -> None:
    """Commands queued together share a transaction but not a fate."""
    taken = uuid4()
    await events.append([new(taken, 1, tags=("unit:x",))])
    head = await events.head_position()
    key = Idempotency("tester", "k-1", b"h", {"id": str(taken), "version": 1, "position": 0})
    fine = [uuid4() for _ in range(6)]
    outcomes = await asyncio.gather(
        *(events.append([new(s, 1), new(s, 2)]) for s in fine[:3]),
        events.append([new(taken, 1)]),  # stale: the stream is at version 1
        events.append([new(uuid4(), 1, tags=("unit:y",))], idempotency=key),
        events.append([new(uuid4(), 1)], idempotency=key),  # same key, same batch
        events.append([new(uuid4(), 1)], condition=Condition(["unit:x"], head - 1)),
        *(events.append([new(s, 1)]) for s in fine[3:]),
        return_exceptions=True,
    )
    appended = [o for o in outcomes if isinstance(o, Appended) and not o.duplicate]
    assert isinstance(outcomes[3], StreamVersionConflict)
    assert isinstance(outcomes[6], ConditionFailed)
    duplicate = outcomes[5]
    assert isinstance(duplicate, Appended) and duplicate.duplicate
    assert (
        duplicate.result is not None and duplicate.result["position"] == outcomes[4].last_position
    )
    assert len(appended) == 7
    assert await positions(events.pool) == list(range(1, 12))
    spans = sorted((a.first_position, a.last_position) for a in appended)
    covered = [p for first, last in spans for p in range(first, last + 1)]
    assert covered == list(range(2, 12))
    chain = ZERO_HASH
    for e in await events.read_log():
        chain = hashlib.sha256(chain + leaf(e)).digest()
        assert e.chain_hash == chain


async def test_queued_commands_are_written_in_fewer_transactions(events: EventStore) -> None:
    await asyncio.gather(*(events.append([new(uuid4(), 1)]) for _ in range(100)))
    assert await positions(events.pool) == list(range(1, 101))
    # every transaction seals its events with one recorded time
    transactions = await events.pool.fetchval("SELECT count(DISTINCT recorded_at) FROM ledger_seal")
    assert transactions <= 2 * 100 // EventStore.MAX_BATCH, "queued commands share transactions"
