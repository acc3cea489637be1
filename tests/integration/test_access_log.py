"""The access log on a real PostgreSQL: appends and reads, gapless under concurrent
writers, filters and paging, append-only, and tampering caught by the chain."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from ledger.infra.accesslog import (
    AccessEntry,
    AccessLogWriter,
    looked_at,
    page,
    record,
    record_many,
    verify_chain,
)
from ledger.infra.database import create_pool
from ledger.infra.verify import verify_ledger
from ledger.offline import ACCESS_FIELDS, access_entry_hash

PERSON = UUID("0b9a4c1e-8f53-4d2a-9b1e-3f0c6a7d2e11")
PURPOSE = "干部任前廉政审查：核实问题线索（第3号）"


def entry(
    subject: str = "审计员甲", person_id: UUID | None = PERSON, **changes: Any
) -> AccessEntry:
    sent = AccessEntry(
        subject=subject,
        role="auditor",
        action="get_person_evaluation",
        path=f"/v1/persons/{person_id}/evaluation?valid_at=2024-06-30",
        outcome=200,
        request_id=uuid4().hex,
        client="10.0.0.7",
        target_kind="person",
        target_id=person_id,
        person_id=person_id,
        purpose=PURPOSE,
    )
    return replace(sent, **changes)


async def test_entries_read_back_with_every_field_and_hash(pool: asyncpg.Pool) -> None:
    first = entry()
    refused = entry(
        "anonymous",
        None,
        role="none",
        action="list_units",
        path="/v1/units",
        outcome=401,
        client=None,
        target_kind=None,
        purpose=None,
    )
    assert await record(pool, first) == 1
    assert await record_many(pool, [refused, entry()]) == [2, 3]
    rows = await page(pool)
    assert [r["seq"] for r in rows] == [1, 2, 3]
    for row, sent in zip(rows, [first, refused], strict=False):
        assert {k: row[k] for k in vars(sent)} == vars(sent)
    assert rows[1]["person_id"] is None and rows[1]["client"] is None
    chain = bytes(32)
    for row in rows:  # the database's hashes are the offline encoding's
        assert row["prev_hash"] == chain
        assert access_entry_hash(row["prev_hash"], row) == row["entry_hash"]
        chain = row["entry_hash"]
    assert rows[0]["at"] <= rows[1]["at"] == rows[2]["at"]  # one append, one clock reading
    assert abs(rows[0]["at"] - datetime.now(UTC)) < timedelta(minutes=1)
    report = await verify_chain(pool)
    assert report.ok and report.entries == 3 and report.head == chain


def test_hash_specification_by_hand() -> None:
    """The encoding spelled out, so an auditor can check the text against the code."""
    at = datetime(2024, 7, 1, 8, 30, 0, 123456, tzinfo=UTC)
    row = {
        "seq": 1,
        "at": at,
        "subject": "甲",
        "role": "auditor",
        "action": "export_csv",
        "target_kind": None,
        "target_id": None,
        "person_id": PERSON,
        "path": "/v1/x",
        "client": "::1",
        "outcome": 200,
        "purpose": "核查",
        "request_id": "r1",
    }
    assert list(row) == ACCESS_FIELDS

    def field(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data

    micros = 1719822600_123456
    encoded = (
        field((1).to_bytes(8, "big"))
        + field(micros.to_bytes(8, "big"))
        + field("甲".encode())
        + field(b"auditor")
        + field(b"export_csv")
        + b"\xff\xff\xff\xff" * 2
        + field(PERSON.bytes)
        + field(b"/v1/x")
        + field(b"::1")
        + field((200).to_bytes(4, "big"))
        + field("核查".encode())
        + field(b"r1")
    )
    prev = bytes(range(32))
    assert access_entry_hash(prev, row) == hashlib.sha256(prev + encoded).digest()


async def test_concurrent_appends_from_two_pools_stay_gapless_and_chained(
    pool: asyncpg.Pool, database_url: str
) -> None:
    other = await create_pool(database_url, 2, 8)
    try:
        seqs = await asyncio.gather(
            *(record(p, entry(f"s{i}")) for i in range(40) for p in (pool, other))
        )
    finally:
        await other.close()
    assert sorted(seqs) == list(range(1, 81))
    rows = await page(pool, limit=500)
    assert [r["seq"] for r in rows] == list(range(1, 81))
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    report = await verify_chain(pool)
    assert report.ok and report.entries == 80 and report.head == rows[-1]["entry_hash"]


async def test_entries_arriving_together_are_appended_together(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The API's writer (one per process): entries that arrive while an append is in
    flight go in the next one, each caller answered with its own seq; two processes'
    writers interleave without a gap; a failed append answers every entry of its batch."""
    mine, theirs = AccessLogWriter(pool), AccessLogWriter(other := await create_pool(database_url))
    try:
        seqs = await asyncio.gather(
            *(w.record(entry(f"s{i}")) for i in range(150) for w in (mine, theirs))
        )
    finally:
        await other.close()
    assert sorted(seqs) == list(range(1, 301))
    rows = await page(pool, limit=500)
    assert {r["subject"] for r in rows} == {f"s{i}" for i in range(150)}
    # Each append stamps its entries with one time: a few appends, not 300.
    assert len({r["at"] for r in rows}) <= 8
    report = await verify_chain(pool)
    assert report.ok and report.entries == 300

    closed = AccessLogWriter(other)  # its pool is closed: every entry hears the failure
    failed = await asyncio.gather(
        *(closed.record(entry()) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(f, asyncpg.InterfaceError) for f in failed), failed
    assert (await verify_chain(pool)).entries == 300


async def test_filters_and_cursor_paging(pool: asyncpg.Pool) -> None:
    other = uuid4()
    for i in range(7):
        await record(pool, entry("甲" if i % 2 == 0 else "乙", PERSON if i < 5 else other))
    everything = await page(pool)
    at = [r["at"] for r in everything]
    assert [r["seq"] for r in await page(pool, subject="甲")] == [1, 3, 5, 7]
    assert [r["seq"] for r in await page(pool, person_id=other)] == [6, 7]
    assert [r["seq"] for r in await looked_at(pool, PERSON)] == [1, 2, 3, 4, 5]
    assert [r["seq"] for r in await page(pool, subject="乙", person_id=PERSON)] == [2, 4]
    assert [r["seq"] for r in await page(pool, start=at[2], end=at[5])] == [3, 4, 5]
    assert await page(pool, start=at[6] + timedelta(seconds=1)) == []
    first = await looked_at(pool, PERSON, limit=2)
    second = await looked_at(pool, PERSON, after_seq=first[-1]["seq"], limit=2)
    third = await looked_at(pool, PERSON, after_seq=second[-1]["seq"], limit=2)
    assert [[r["seq"] for r in p] for p in (first, second, third)] == [[1, 2], [3, 4], [5]]
    with pytest.raises(ValueError):
        await page(pool, limit=0)


async def test_chinese_purposes_round_trip(pool: asyncpg.Pool) -> None:
    purposes = [PURPOSE, "巡视组调阅：张三（副处长）", "𠀀 rare ideograph, and ‘quotes’", ""]
    for purpose in purposes:
        await record(pool, entry(purpose=purpose))
    assert [r["purpose"] for r in await page(pool)] == purposes
    assert (await verify_chain(pool)).ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET purpose = 'x' WHERE seq = 1",
        "DELETE FROM access_log WHERE seq = 1",
        "TRUNCATE access_log",
        "UPDATE access_log_head SET seq = 0",
        "DELETE FROM access_log_head",
    ],
)
async def test_the_log_is_append_only(pool: asyncpg.Pool, statement: str) -> None:
    await record(pool, entry())
    with pytest.raises(asyncpg.PostgresError) as raised:
        await pool.execute(statement)
    assert raised.value.sqlstate == "LE900", raised.value


async def tamper(pool: asyncpg.Pool, *statements: str) -> None:
    """As a superuser would: with every trigger off, for this transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for statement in statements:
            await conn.execute(statement)


@pytest.fixture
async def logged(pool: asyncpg.Pool) -> asyncpg.Pool:
    for i in range(20):
        await record(pool, entry(f"审计员{i:02d}"))
    assert (await verify_chain(pool)).ok
    return pool


async def first_finding(pool: asyncpg.Pool) -> tuple[str, int | None]:
    report = await verify_chain(pool)
    assert not report.ok, "tampering went unnoticed"
    return report.findings[0].kind, report.findings[0].position


async def test_a_changed_field_is_caught(logged: asyncpg.Pool) -> None:
    await tamper(logged, "UPDATE access_log SET purpose = '例行检查' WHERE seq = 12")
    assert await first_finding(logged) == ("changed entry", 12)
    report = await verify_chain(logged)
    assert report.entries == 11  # the entries before it still verify


async def test_a_changed_time_is_caught(logged: asyncpg.Pool) -> None:
    await tamper(logged, "UPDATE access_log SET at = at - interval '1 day' WHERE seq = 3")
    assert await first_finding(logged) == ("changed entry", 3)


async def test_a_rehashed_entry_breaks_the_chain_after_it(logged: asyncpg.Pool) -> None:
    row = dict((await page(logged, after_seq=6, limit=1))[0])
    row["subject"] = "无关人员"
    forged = access_entry_hash(row["prev_hash"], row)
    await tamper(
        logged,
        f"UPDATE access_log SET subject = '无关人员', entry_hash = '\\x{forged.hex()}'"
        " WHERE seq = 7",
    )
    assert await first_finding(logged) == ("broken chain", 8)


async def test_a_deleted_entry_is_caught(logged: asyncpg.Pool) -> None:
    await tamper(logged, "DELETE FROM access_log WHERE seq = 9")
    assert await first_finding(logged) == ("missing entry", 9)


async def test_a_deleted_last_entry_is_caught_by_the_head(logged: asyncpg.Pool) -> None:
    await tamper(logged, "DELETE FROM access_log WHERE seq = 20")
    assert await first_finding(logged) == ("missing entry", 20)


async def test_reordered_entries_are_caught(logged: asyncpg.Pool) -> None:
    await tamper(
        logged,
        "UPDATE access_log SET seq = 1000 WHERE seq = 8",
        "UPDATE access_log SET seq = 8 WHERE seq = 9",
        "UPDATE access_log SET seq = 9 WHERE seq = 1000",
    )
    report = await verify_chain(logged)
    assert (report.findings[0].kind, report.findings[0].position) == ("reordered entries", 8)
    assert "appended as entry 9" in report.findings[0].detail


async def test_ledger_verify_reports_the_access_log(logged: asyncpg.Pool) -> None:
    report = await verify_ledger(logged, "unused+00000000+AQ==")  # no checkpoints to check
    assert report.ok and report.access is not None and report.access.entries == 20
    await tamper(logged, "UPDATE access_log SET outcome = 403 WHERE seq = 5")
    report = await verify_ledger(logged, "unused+00000000+AQ==")
    assert not report.ok
    assert str(report.findings[0]).startswith("changed entry: access log entry 5: ")
