"""The event store on asyncpg: append in one round trip, stream and log reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import StoredEvent

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


@dataclass(frozen=True)
class RecordedEvent:
    """An event as the log holds it, with its seal."""

    position: int
    stream_id: UUID
    stream_version: int
    topic: str
    state: bytes
    tags: list[str]
    recorded_at: datetime
    chain_hash: bytes

    def to_stored(self) -> StoredEvent:
        return StoredEvent(
            originator_id=self.stream_id,
            originator_version=self.stream_version,
            topic=self.topic,
            state=self.state,
        )


_SELECT = (
    "SELECT e.position, e.stream_id, e.stream_version, e.topic, e.state, e.tags,"
    " s.recorded_at, s.chain_hash"
    " FROM ledger_events e JOIN ledger_seal s USING (position)"
)


def _recorded(rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
    return [RecordedEvent(**dict(r)) for r in rows]


class EventStore:
    """Appends and reads the log. Every append is one call of ``ledger_append``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def append(
        self,
        events: Sequence[NewEvent],
        *,
        condition: Condition | None = None,
        idempotency: Idempotency | None = None,
    ) -> Appended:
        for event in events:
            for tag in event.tags:
                if not tag or "\n" in tag:
                    raise ValueError("a tag must be non-empty and cannot contain a line feed")
        args = (
            [e.stored.originator_id for e in events],
            [e.stored.originator_version for e in events],
            [e.stored.topic for e in events],
            [e.stored.state for e in events],
            ["\n".join(e.tags) for e in events],
            list(condition.tags) if condition else None,
            condition.after if condition else 0,
            idempotency.actor if idempotency else None,
            idempotency.key if idempotency else None,
            idempotency.request_hash if idempotency else None,
            json.dumps(idempotency.result) if idempotency else None,
        )
        try:
            raw = await self.pool.fetchval(
                "SELECT ledger_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)", *args
            )
        except asyncpg.PostgresError as error:
            raise _translate(error) from None
        answer = json.loads(raw)
        if answer["duplicate"]:
            return Appended(
                first_position=answer["position"],
                last_position=answer["position"],
                recorded_at=None,
                duplicate=True,
                request_hash=bytes.fromhex(answer["request_hash"]),
                result=answer["result"],
            )
        return Appended(
            first_position=answer["first_position"],
            last_position=answer["last_position"],
            recorded_at=datetime.fromisoformat(answer["recorded_at"]),
        )

    async def read_stream(self, stream_id: UUID) -> list[RecordedEvent]:
        rows = await self.pool.fetch(
            _SELECT + " WHERE e.stream_id = $1 ORDER BY e.stream_version", stream_id
        )
        return _recorded(rows)

    async def read_tagged(self, tags: Sequence[str]) -> tuple[list[RecordedEvent], int]:
        """Whole streams of which any event carries one of ``tags``, and the head they
        were read at. Whole streams, because a tag may be on only some of a stream's
        events (a number held only since a correction)."""
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            head = await conn.fetchval("SELECT position FROM ledger_head")
            rows = await conn.fetch(
                _SELECT + " WHERE e.stream_id IN (SELECT stream_id FROM ledger_events"
                " WHERE tags && $1::text[]) ORDER BY e.position",
                list(tags),
            )
        return _recorded(rows), int(head)

    async def read_log(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        rows = await self.pool.fetch(
            _SELECT + " WHERE e.position > $1 ORDER BY e.position LIMIT $2", after, limit
        )
        return _recorded(rows)

    async def head_position(self) -> int:
        return int(await self.pool.fetchval("SELECT position FROM ledger_head"))

    async def position_known_at(self, known_at: datetime) -> int:
        """The last position recorded at or before ``known_at`` (0 if none)."""
        value = await self.pool.fetchval(
            "SELECT coalesce(max(position), 0) FROM ledger_seal WHERE recorded_at <= $1", known_at
        )
        return int(value)

    async def find_idempotent(self, actor: str, key: str) -> tuple[bytes, dict[str, Any]] | None:
        row = await self.pool.fetchrow(
            "SELECT request_hash, result FROM ledger_idempotency WHERE actor = $1 AND key = $2",
            actor,
            key,
        )
        if row is None:
            return None
        return bytes(row["request_hash"]), json.loads(row["result"])


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
