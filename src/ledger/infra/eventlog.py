"""Reading the event log: every query of ``ledger_events`` and its seal.

The event store (``eventstore.py``) appends; this is its read side, which ``EventStore``
inherits, so a reader holding the store has every read. Code that must read inside its
own transaction (the projection runner) wraps its connection: ``EventLog(conn)``.

Events come with their seal (recorded time, chain hash) from one SELECT, written once
below; each read adds only its WHERE, ORDER BY and LIMIT.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from eventsourcing.persistence import StoredEvent


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
        # asyncpg's UUID subclass would leak into aggregates, and from there into the
        # state of new events, which the transcoder only knows as uuid.UUID.
        return StoredEvent(
            originator_id=UUID(bytes=self.stream_id.bytes),
            originator_version=self.stream_version,
            topic=self.topic,
            state=self.state,
        )


# The events with their seal: the one place the two tables are joined for reading.
_RECORDED = (
    "SELECT e.position, e.stream_id, e.stream_version, e.topic, e.state, e.tags,"
    " s.recorded_at, s.chain_hash"
    " FROM ledger_events e JOIN ledger_seal s USING (position)"
)
_AFTER = _RECORDED + " WHERE e.position > $1 ORDER BY e.position LIMIT $2"
_AFTER_OF = (
    _RECORDED + " WHERE e.position > $1 AND e.topic = ANY($3::text[]) ORDER BY e.position LIMIT $2"
)
_STREAM = _RECORDED + " WHERE e.stream_id = $1 ORDER BY e.stream_version"
_STREAMS = _RECORDED + " WHERE e.stream_id = ANY($1::uuid[]) ORDER BY e.position"
_POSITIONS = _RECORDED + " WHERE e.position = ANY($1::bigint[]) ORDER BY e.position"
# Streams by id and whole streams tagged, marked apart, with the head, in one snapshot.
_STREAMS_AND_TAGGED = (
    "SELECT h.position AS head, t.* FROM ledger_head h LEFT JOIN LATERAL ("
    "SELECT false AS by_tag, r.* FROM (" + _RECORDED + " WHERE e.stream_id = ANY($1::uuid[])) r"
    " UNION ALL SELECT true AS by_tag, r.* FROM (" + _RECORDED + " WHERE e.stream_id IN"
    " (SELECT stream_id FROM ledger_events WHERE tags && $2::text[]))"
    " r) t ON true ORDER BY t.by_tag, t.position"
)
# The same, for a reader that holds the tagged streams as they were at position $3 (their
# ids $4): the events of its streams after $3, and whole the streams the tags found after
# $3 that it does not hold (a stream may carry a tag from a later event on).
_STREAMS_AND_TAGGED_AFTER = (
    "SELECT h.position AS head, t.* FROM ledger_head h LEFT JOIN LATERAL ("
    "SELECT false AS by_tag, r.* FROM (" + _RECORDED + " WHERE e.stream_id = ANY($1::uuid[])) r"
    " UNION ALL SELECT true AS by_tag, r.* FROM (" + _RECORDED + " WHERE e.stream_id IN"
    " (SELECT stream_id FROM ledger_events WHERE position > $3 AND tags && $2::text[])"
    " AND NOT e.stream_id = ANY($4::uuid[])) r"
    " UNION ALL SELECT true AS by_tag, r.* FROM (" + _RECORDED + " WHERE e.stream_id"
    " = ANY($4::uuid[]) AND e.position > $3) r"
    ") t ON true ORDER BY t.by_tag, t.position"
)
_PAGE = " AND e.position > $2 AND e.position <= $3 ORDER BY e.position LIMIT $4"
_STREAM_PAGE = _RECORDED + " WHERE e.stream_id = $1" + _PAGE
# `@>` on a one-element array is what the GIN index ledger_events_tags answers.
_TAG_PAGE = _RECORDED + " WHERE e.tags @> ARRAY[$1::text]" + _PAGE


_MARKS = ("head", "by_tag")


def _recorded(rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
    return [RecordedEvent(**dict(r)) for r in rows]


class EventLog:
    """The reads of the log, on a pool or on one connection (inside its transaction)."""

    def __init__(self, db: asyncpg.Pool | asyncpg.Connection) -> None:
        self.db = db

    async def read_log(
        self, after: int = 0, limit: int = 1000, topics: Sequence[str] | None = None
    ) -> list[RecordedEvent]:
        """The next ``limit`` events after position ``after``, in ledger order; only those
        of ``topics`` if given."""
        if topics is not None:
            return _recorded(await self.db.fetch(_AFTER_OF, after, limit, list(topics)))
        return _recorded(await self.db.fetch(_AFTER, after, limit))

    async def read_stream(self, stream_id: UUID) -> list[RecordedEvent]:
        """Every event of one stream, in version order."""
        return _recorded(await self.db.fetch(_STREAM, stream_id))

    async def read_streams(self, stream_ids: Iterable[UUID]) -> list[RecordedEvent]:
        """Every event of the streams, in ledger order (one query for many streams)."""
        return _recorded(await self.db.fetch(_STREAMS, list(stream_ids)))

    async def read_positions(self, positions: Iterable[int]) -> list[RecordedEvent]:
        """The events at these positions (those there are), in ledger order."""
        return _recorded(await self.db.fetch(_POSITIONS, list(positions)))

    async def read_stream_page(
        self, stream_id: UUID, *, after: int, upto: int, limit: int
    ) -> list[RecordedEvent]:
        """A stream's events after position ``after`` and at or before ``upto``, in
        ledger order, at most ``limit``."""
        return _recorded(await self.db.fetch(_STREAM_PAGE, stream_id, after, upto, limit))

    async def read_tag_page(
        self, tag: str, *, after: int, upto: int, limit: int
    ) -> list[RecordedEvent]:
        """The events carrying ``tag`` after position ``after`` and at or before ``upto``,
        in ledger order, at most ``limit``."""
        return _recorded(await self.db.fetch(_TAG_PAGE, tag, after, upto, limit))

    async def read_streams_and_tagged(
        self, stream_ids: Sequence[UUID], tags: Sequence[str]
    ) -> tuple[list[RecordedEvent], list[RecordedEvent], int]:
        """The events of ``stream_ids``, and the whole streams of which any event carries
        one of ``tags``, apart, in ledger order, and the head: one query, one snapshot (a
        command's reads). Whole streams, because a tag may be on only some of a stream's
        events (a number held only since a correction)."""
        rows = await self.db.fetch(_STREAMS_AND_TAGGED, list(stream_ids), list(tags))
        return _apart(rows)

    async def read_streams_and_tagged_after(
        self, stream_ids: Sequence[UUID], tags: Sequence[str], after: int, held: Sequence[UUID]
    ) -> tuple[list[RecordedEvent], list[RecordedEvent], int]:
        """As ``read_streams_and_tagged``, for a reader holding the streams ``held`` as they
        were at position ``after``: of those, only their events after it."""
        rows = await self.db.fetch(
            _STREAMS_AND_TAGGED_AFTER, list(stream_ids), list(tags), after, list(held)
        )
        return _apart(rows)

    async def stream_topic(self, stream_id: UUID, upto: int) -> str | None:
        """The topic of a stream's first event, if it was at or before ``upto``: what the
        stream is (None: no such stream as of that position)."""
        topic = await self.db.fetchval(
            "SELECT topic FROM ledger_events WHERE stream_id = $1 AND position <= $2"
            " ORDER BY stream_version LIMIT 1",
            stream_id,
            upto,
        )
        return str(topic) if topic is not None else None

    async def stream_positions(self, stream_ids: Iterable[UUID], upto: int) -> list[int]:
        """The positions of every event of ``stream_ids`` at or before ``upto``, ascending."""
        rows = await self.db.fetch(
            "SELECT position FROM ledger_events WHERE stream_id = ANY($1::uuid[])"
            " AND position <= $2 ORDER BY position",
            list(stream_ids),
            upto,
        )
        return [int(r["position"]) for r in rows]

    async def holds(self, position: int) -> bool:
        """Whether the log holds an event at ``position`` as this reader sees it (a unit's
        reader sees the events of its jurisdiction only)."""
        found = await self.db.fetchval("SELECT 1 FROM ledger_events WHERE position = $1", position)
        return found is not None

    async def seal(self, position: int) -> tuple[bytes, datetime] | None:
        """The chain hash and recorded time of the event at ``position``."""
        row = await self.db.fetchrow(
            "SELECT chain_hash, recorded_at FROM ledger_seal WHERE position = $1", position
        )
        return (bytes(row["chain_hash"]), row["recorded_at"]) if row else None

    async def head_position(self) -> int:
        return int(await self.db.fetchval("SELECT position FROM ledger_head"))

    async def position_known_at(self, known_at: datetime) -> int:
        """The last position recorded at or before ``known_at`` (0 if none)."""
        value = await self.db.fetchval(
            "SELECT coalesce(max(position), 0) FROM ledger_seal WHERE recorded_at <= $1", known_at
        )
        return int(value)


def _apart(
    rows: Sequence[asyncpg.Record],
) -> tuple[list[RecordedEvent], list[RecordedEvent], int]:
    """The rows read by id and those read by tag, apart, and the head they were read at."""
    by_id: list[RecordedEvent] = []
    by_tag: list[RecordedEvent] = []
    for r in rows:
        if r["position"] is not None:
            found = RecordedEvent(**{k: v for k, v in r.items() if k not in _MARKS})
            (by_tag if r["by_tag"] else by_id).append(found)
    return by_id, by_tag, int(rows[0]["head"])
