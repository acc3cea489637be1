"""Appending many events at once (an import): COPY, with the seal computed here.

``ledger_append_batch`` inserts and seals row by row in PL/pgSQL, right for a command's few
events. For hundreds of thousands it is the cost, so a bulk append takes the same head lock,
reads the head's position, chain hash and the recorded time in the same transaction, seals
every row in Python with the same leaf encoding (``verify.encode_leaf``, the SQL's
``ledger_leaf``), and COPYs the events, their seals and the lines' keys in. Before it
commits, PostgreSQL recomputes the chain of the first and the last row itself: a seal that
disagreed with ``ledger_leaf`` would fail the append, not slip into the log. Only new
streams are written (``UNIQUE (stream_id, stream_version)`` refuses any other), so no
stream version check is needed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from ledger.infra.database import Pool
from ledger.infra.eventstore import Appended, NewEvent
from ledger.infra.verify import EPOCH, encode_leaf


class SealMismatch(Exception):
    """PostgreSQL's chain hash of a bulk-appended row differs from the one computed here."""


@dataclass(frozen=True)
class LineKey:
    """One imported line, kept as an idempotency key: its content hash and what it made."""

    key: str
    content_hash: bytes
    result: dict[str, Any]
    last_index: int  # index in the appended rows of the line's last event


async def append_bulk(
    pool: Pool, rows: Sequence[NewEvent], keys: Sequence[LineKey], actor: str
) -> Appended:
    """Append ``rows`` as new streams, and ``keys`` (``actor``'s) with them: all or none."""
    async with pool.acquire() as conn, conn.transaction():
        head = await conn.fetchrow(
            "SELECT position, chain_hash, greatest(clock_timestamp(),"
            " coalesce(recorded_at, '-infinity')) AS now"
            " FROM ledger_head WHERE singleton FOR UPDATE"
        )
        start, chain, recorded = head["position"], bytes(head["chain_hash"]), head["now"]
        events, seals = _sealed(rows, start, chain, recorded)
        await conn.copy_records_to_table(
            "ledger_events",
            records=events,
            columns=("position", "stream_id", "stream_version", "topic", "state", "tags"),
        )
        await conn.copy_records_to_table(
            "ledger_seal", records=seals, columns=("position", "recorded_at", "chain_hash")
        )
        if keys:
            await conn.copy_records_to_table(
                "ledger_idempotency",
                records=[
                    (
                        actor,
                        k.key,
                        k.content_hash,
                        json.dumps({**k.result, "position": start + k.last_index + 1}),
                        start + k.last_index + 1,
                        recorded,
                    )
                    for k in keys
                ],
                columns=("actor", "key", "request_hash", "result", "position", "recorded_at"),
            )
        await _check_seal(conn, chain, seals)
        last, last_chain = seals[-1][0], seals[-1][2]
        await conn.execute(
            "UPDATE ledger_head SET position = $1, recorded_at = $2, chain_hash = $3"
            " WHERE singleton",
            last,
            recorded,
            last_chain,
        )
        await conn.execute("SELECT pg_notify('ledger_events', $1)", str(last))
    return Appended(first_position=start + 1, last_position=last, recorded_at=recorded)


def _sealed(
    rows: Sequence[NewEvent], start: int, chain: bytes, recorded: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[int, datetime, bytes]]]:
    micros = (recorded - EPOCH) // timedelta(microseconds=1)
    sha256 = hashlib.sha256
    events: list[tuple[Any, ...]] = []
    seals: list[tuple[int, datetime, bytes]] = []
    for offset, row in enumerate(rows, 1):
        stored = row.stored
        position = start + offset
        tags = list(row.tags)
        leaf = encode_leaf(
            position,
            cast(UUID, stored.originator_id).bytes,
            stored.originator_version,
            stored.topic,
            stored.state,
            "\n".join(tags),
            micros,
        )
        chain = sha256(chain + leaf).digest()
        events.append(
            (
                position,
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                stored.state,
                tags,
            )
        )
        seals.append((position, recorded, chain))
    return events, seals


async def _check_seal(conn: Any, chain: bytes, seals: list[tuple[int, datetime, bytes]]) -> None:
    """PostgreSQL's own chain hash of the first and the last row equals the one sealed."""
    previous = seals[-2][2] if len(seals) > 1 else chain
    checks = [(seals[0][0], chain, seals[0][2]), (seals[-1][0], previous, seals[-1][2])]
    for position, before, sealed in checks:
        computed = await conn.fetchval(
            "SELECT sha256($2::bytea || ledger_leaf(e.position, e.stream_id, e.stream_version,"
            " e.topic, e.state, e.tags, s.recorded_at))"
            " FROM ledger_events e JOIN ledger_seal s USING (position) WHERE e.position = $1",
            position,
            before,
        )
        if bytes(computed) != sealed:
            raise SealMismatch(f"the seal of position {position} disagrees with ledger_leaf")
