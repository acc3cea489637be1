"""The event store on asyncpg: appends in one round trip; its reads are ``eventlog.py``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import StoredEvent

from ledger.infra.eventlog import EventLog
from ledger.infra.eventlog import RecordedEvent as RecordedEvent

# RecordedEvent is also importable from here, where readers of the store look for it.
from ledger.infra.grouped import GroupCommit
from ledger.infra.sealing import seal, seals_here

VERSION_CONFLICT = "LE001"
CONDITION_FAILED = "LE002"


class EventStoreError(Exception):
    """Base of the event store's errors."""


class StreamVersionConflict(EventStoreError):
    """Raised when a stream is not at the version the append expected."""

    def __init__(self, stream_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class ConditionFailed(EventStoreError):
    """Raised when events concerning the command's tags were appended after it read them."""


@dataclass(frozen=True)
class NewEvent:
    """An event to append: the mapper's stored event plus its tags."""

    stored: StoredEvent
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class Condition:
    """Fail the append if any event with one of ``tags`` is after ``after``."""

    tags: Sequence[str]
    after: int


@dataclass(frozen=True)
class Idempotency:
    actor: str
    key: str
    request_hash: bytes
    result: dict[str, Any]


@dataclass(frozen=True)
class Appended:
    first_position: int
    last_position: int
    recorded_at: datetime | None
    duplicate: bool = False
    request_hash: bytes | None = None
    result: dict[str, Any] | None = None


@dataclass
class _Command:
    """One command's append, waiting in the group-commit queue."""

    events: Sequence[NewEvent]
    condition: Condition | None
    idempotency: Idempotency | None


class EventStore(EventLog):
    """Appends to the log, and reads it (the reads are ``EventLog``'s).

    Appends are group-committed: while one batch is being written, the commands that
    arrive queue up and go together in the next call of ``ledger_append_batch`` (one
    round trip, one commit), each succeeding or failing on its own. A lone command is
    sent at once, so nothing waits for company.
    """

    MAX_BATCH = 50  # commands per transaction; each is a subtransaction

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.pool = pool
        self._group: GroupCommit[_Command, Appended] = GroupCommit(self._write, self.MAX_BATCH)
        self._sealing: bool | None = None  # whether this process computes the chain's links

    async def append(
        self,
        events: Sequence[NewEvent],
        *,
        condition: Condition | None = None,
        idempotency: Idempotency | None = None,
    ) -> Appended:
        if not events:
            raise ValueError("an append needs at least one event")
        for event in events:
            for tag in event.tags:
                if not tag or "\n" in tag:
                    raise ValueError("a tag must be non-empty and cannot contain a line feed")
        return await self._group.submit(_Command(events, condition, idempotency))

    async def _write(self, batch: list[_Command]) -> list[Appended | Exception]:
        """One call of ``ledger_append_batch``: each command appended or refused on its own;
        an error of the whole call, translated, fails them all (``GroupCommit``)."""
        try:
            return await self._write_batch(batch)
        except asyncpg.PostgresError as error:
            translated = _translate(error)
            if translated is error:
                raise
            raise translated from error

    async def _write_batch(self, batch: list[_Command]) -> list[Appended | Exception]:
        if self._sealing is None:
            self._sealing = await seals_here(self.pool)
        try:
            if not self._sealing:
                raw = await self.pool.fetchval(APPEND, *_arguments(batch), False)
                return [_appended(answer) for answer in json.loads(raw)]
            async with self.pool.acquire() as conn, conn.transaction():
                answers = json.loads(await conn.fetchval(APPEND, *_arguments(batch), True))
                await seal(conn, batch, answers)
                return [_appended(answer) for answer in answers]
        except asyncpg.PostgresError as error:
            if getattr(error, "sqlstate", None) == SEAL_HERE:
                self._sealing = None  # the database lost its SM3: ask again, next time
            raise

    async def find_idempotent(self, actor: str, key: str) -> tuple[bytes, dict[str, Any]] | None:
        row = await self.pool.fetchrow(
            "SELECT request_hash, result FROM ledger_idempotency WHERE actor = $1 AND key = $2",
            actor,
            key,
        )
        if row is None:
            return None
        return bytes(row["request_hash"]), json.loads(row["result"])


APPEND = (
    "SELECT ledger_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb[], $13)"
)
SEAL_HERE = "LE003"  # the database cannot compute the ledger's SM3: the caller seals


def _arguments(batch: list[_Command]) -> list[Any]:
    """The arrays of ``ledger_append_batch``: its events in command order, then each
    command's condition and idempotency."""
    numbered = [(n, e) for n, c in enumerate(batch, 1) for e in c.events]
    events = [e for _, e in numbered]
    return [
        [n for n, _ in numbered],
        [e.stored.originator_id for e in events],
        [e.stored.originator_version for e in events],
        [e.stored.topic for e in events],
        [e.stored.state for e in events],
        ["\n".join(e.tags) for e in events],
        ["\n".join(c.condition.tags) if c.condition else "" for c in batch],
        [c.condition.after if c.condition else 0 for c in batch],
        [c.idempotency.actor if c.idempotency else "" for c in batch],
        [c.idempotency.key if c.idempotency else None for c in batch],
        [c.idempotency.request_hash if c.idempotency else None for c in batch],
        [json.dumps(c.idempotency.result) if c.idempotency else None for c in batch],
    ]


def _appended(answer: dict[str, Any]) -> Appended | Exception:
    status = answer["status"]
    if status == "appended":
        return Appended(
            first_position=answer["first_position"],
            last_position=answer["last_position"],
            recorded_at=datetime.fromisoformat(answer["recorded_at"]),
        )
    if status == "duplicate":
        return Appended(
            first_position=answer["position"],
            last_position=answer["position"],
            recorded_at=None,
            duplicate=True,
            request_hash=bytes.fromhex(answer["request_hash"]),
            result=answer["result"],
        )
    if status == "version_conflict":
        return StreamVersionConflict(
            UUID(answer["stream_id"]), int(answer["expected"]), int(answer["actual"])
        )
    return ConditionFailed("events concerning the command's tags were appended after it read")


def _translate(error: Any) -> Exception:
    code = getattr(error, "sqlstate", None)
    if code == VERSION_CONFLICT:
        detail = json.loads(getattr(error, "detail", None) or "{}")
        return StreamVersionConflict(
            UUID(detail["stream_id"]), int(detail["expected"]), int(detail["actual"])
        )
    if code == CONDITION_FAILED:
        return ConditionFailed(str(error))
    translated: Exception = error
    return translated
