"""The access log: who looked at whose dossier, and why.

``access_log_append`` (``sql/0003_access_log.sql``) appends under the lock of the head
row, so entries are numbered without gaps across every API process, stamped by the
database clock (never earlier than the entry before) and each chained to the one before
by SHA-256; ``ledger.offline.access_entry_hash`` is the encoding, in the one file an
auditor copies. Reads go in seq order, oldest first: a cursor is the last seq read, and
entries appended meanwhile come after it, never between pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ledger.infra.grouped import GroupCommit
from ledger.infra.verify_report import AccessLogReport, Finding
from ledger.offline import access_entry_hash

WINDOW = 16  # how far to look for the seq a moved entry was hashed at
WHERE = "access log entry"


@dataclass(frozen=True)
class AccessEntry:
    """One read (or refusal) to record; the log adds its seq, time and hashes."""

    subject: str  # the token's subject: who
    role: str
    action: str  # the operation, e.g. get_person_evaluation
    path: str  # the request path and query
    outcome: int  # the HTTP status answered
    request_id: str
    client: str | None = None  # the client's address, when known
    target_kind: str | None = None  # person, unit, finding, …
    target_id: UUID | None = None
    person_id: UUID | None = None  # whose dossier
    purpose: str | None = None  # the purpose the caller stated


_APPEND = "SELECT access_log_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
_COLUMNS = (
    "seq, at, subject, role, action, target_kind, target_id, person_id, path, client,"
    " outcome, purpose, request_id, prev_hash, entry_hash"
)


async def record(pool: asyncpg.Pool, entry: AccessEntry) -> int:
    """Append one entry; returns its seq."""
    return (await record_many(pool, [entry]))[0]


class AccessLogWriter:
    """Entries appended together (``GroupCommit``), as the event store's commands are: up
    to ``MAX_BATCH`` in one transaction, each caller answered with its own seq. An append
    that fails fails every entry of its batch (the reads they record are then not
    answered)."""

    MAX_BATCH = 100

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._group: GroupCommit[AccessEntry, int] = GroupCommit(self._write, self.MAX_BATCH)

    async def record(self, entry: AccessEntry) -> int:
        return await self._group.submit(entry)

    async def _write(self, entries: list[AccessEntry]) -> list[int | Exception]:
        return list(await record_many(self.pool, entries))


async def record_many(pool: asyncpg.Pool, entries: Sequence[AccessEntry]) -> list[int]:
    """Append entries in order in one transaction (one round trip); returns their seqs."""
    if not entries:
        return []
    first = await pool.fetchval(
        _APPEND,
        [e.subject for e in entries],
        [e.role for e in entries],
        [e.action for e in entries],
        [e.target_kind for e in entries],
        [e.target_id for e in entries],
        [e.person_id for e in entries],
        [e.path for e in entries],
        [e.client for e in entries],
        [e.outcome for e in entries],
        [e.purpose for e in entries],
        [e.request_id for e in entries],
    )
    return list(range(int(first), int(first) + len(entries)))


async def page(
    pool: asyncpg.Pool,
    *,
    subject: str | None = None,
    person_id: UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    after_seq: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Up to ``limit`` entries after ``after_seq``, in seq order (oldest first), by
    ``subject``, about ``person_id``, at or after ``start`` and before ``end`` (each
    filter only when given). Each entry has every field, its ``prev_hash`` and
    ``entry_hash``: enough to recheck it alone with ``access_entry_hash``."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    conditions: list[str] = []
    args: list[Any] = []
    for condition, value in (
        ("subject = ${}", subject),
        ("person_id = ${}", person_id),
        ("at >= ${}", start),
        ("at < ${}", end),
        ("seq > ${}", after_seq),
    ):
        if value is not None:
            args.append(value)
            conditions.append(condition.format(len(args)))
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    args.append(limit)
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM access_log{where} ORDER BY seq LIMIT ${len(args)}", *args
    )
    return [_entry(row) for row in rows]


async def looked_at(
    pool: asyncpg.Pool,
    person_id: UUID,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    after_seq: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Who looked at this person's dossier (and who was refused), oldest first."""
    return await page(
        pool, person_id=person_id, start=start, end=end, after_seq=after_seq, limit=limit
    )


def _entry(row: asyncpg.Record) -> dict[str, Any]:
    entry = dict(row)
    for key in ("target_id", "person_id"):  # asyncpg's own UUID type, as a plain one
        if entry[key] is not None:
            entry[key] = UUID(bytes=entry[key].bytes)
    entry["prev_hash"], entry["entry_hash"] = bytes(row["prev_hash"]), bytes(row["entry_hash"])
    return entry


async def verify_chain(pool: asyncpg.Pool) -> AccessLogReport:
    """Recompute every entry's hash and the chain, in one snapshot; the report names the
    entries checked, the head hash they lead to and the first broken entry."""
    report = AccessLogReport()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        chain, expected = bytes(32), 1
        async for row in conn.cursor(
            f"SELECT {_COLUMNS} FROM access_log ORDER BY seq", prefetch=5000
        ):
            finding = _check(row, expected, chain)
            if finding is not None:
                report.findings.append(finding)
                break
            chain, report.entries, expected = bytes(row["entry_hash"]), expected, expected + 1
        report.head = chain
        if report.ok:
            head = await conn.fetchrow("SELECT seq, entry_hash FROM access_log_head")
            _check_head(int(head["seq"]), bytes(head["entry_hash"]), report)
    return report


def _check(row: asyncpg.Record, expected: int, chain: bytes) -> Finding | None:
    seq = int(row["seq"])
    if seq != expected:
        return Finding("missing entry", "the log has no entry here (deleted)", expected, WHERE)
    prev, stored = bytes(row["prev_hash"]), bytes(row["entry_hash"])
    if access_entry_hash(prev, row) != stored:
        for other in range(max(seq - WINDOW, 1), seq + WINDOW + 1):
            if other != seq and access_entry_hash(prev, {**dict(row), "seq": other}) == stored:
                detail = f"the entry here was appended as entry {other}"
                return Finding("reordered entries", detail, seq, WHERE)
        return Finding("changed entry", "the entry's fields differ from those hashed", seq, WHERE)
    if prev != chain:
        return Finding(
            "broken chain",
            "its prev_hash is not the hash of the entry before it (rehashed or replaced)",
            seq,
            WHERE,
        )
    return None


def _check_head(seq: int, entry_hash: bytes, report: AccessLogReport) -> None:
    last = report.entries
    if seq > last:
        detail = f"the head records {seq} entries; the log holds {last}"
        report.findings.append(Finding("missing entry", detail, last + 1, WHERE))
    elif seq < last:
        detail = f"the log holds {last} entries; the head records {seq}"
        report.findings.append(Finding("inserted entry", detail, seq + 1, WHERE))
    elif entry_hash != report.head:
        detail = "the head's hash differs from the last entry's"
        report.findings.append(Finding("broken chain", detail, last, WHERE))
