"""Appending many events at once (an import): COPY, with the seal computed here.

``ledger_append_batch`` inserts and seals row by row in PL/pgSQL, right for a command's few
events. For hundreds of thousands it is the cost, so a bulk append takes the same head lock,
reads the head's position, chain hash and the recorded time in the same transaction, seals
every row in Python with the same leaf encoding (``leaf.encode_leaf``, the SQL's
``ledger_leaf``), and COPYs the events, their seals and the lines' keys in. After each
copy, PostgreSQL recomputes every link of it with its own ``ledger_leaf``: a seal that
disagreed would fail the append, not slip into the log. Only new
streams are written (``UNIQUE (stream_id, stream_version)`` refuses any other), so no
stream version check is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from ledger.infra.crypto import ledger_crypto, sm3_in_database
from ledger.infra.database import Pool
from ledger.infra.eventstore import Appended, NewEvent
from ledger.infra.leaf import EPOCH, encode_leaf
from ledger.infra.verify_scan import HASHERS
from ledger.offline import SHA256_ED25519

# The first position of a range whose chain hash is not H(the previous one ‖ the leaf
# ledger_leaf makes of its row), H the ledger's hash: every link checked in SQL, none
# trusted from Python, wherever the database computes H (an SM3 ledger on a server
# without pgcrypto is checked by `ledger verify` alone).
_LINKS = (
    "SELECT min(e.position) FROM ledger_events e JOIN ledger_seal s USING (position)"
    " LEFT JOIN ledger_seal p ON p.position = e.position - 1"
    " WHERE e.position BETWEEN $1 AND $2 AND s.chain_hash <> ledger_chain_step($3,"
    " coalesce(p.chain_hash, decode(repeat('00', 32), 'hex')), ledger_leaf(e.position,"
    " e.stream_id, e.stream_version, e.topic, e.state, e.tags, s.recorded_at))"
)


class SealMismatch(Exception):
    """PostgreSQL's chain hash of a bulk-appended row differs from the one computed here."""


@dataclass(frozen=True)
class LineKey:
    """One imported line, kept as an idempotency key: its content hash and what it made."""

    key: str
    content_hash: bytes
    result: dict[str, Any]
    last_index: int  # index in the appended rows of the line's last event


class BulkAppend:
    """One transaction that appends rows as they come, sealed in order; ``finish`` commits.

    The head stays locked from the first row to the commit, so nothing else is appended in
    between and positions follow on. Rows handed over with ``add`` are sealed and COPYed
    while the caller goes on (it yields to the loop now and then); leaving the ``async
    with`` block without ``finish`` rolls everything back.
    """

    def __init__(self, pool: Pool, actor: str) -> None:
        self.pool = pool
        self.actor = actor
        self.written = 0
        self._copies: asyncio.Task[None] | None = None
        self._finished = False

    async def __aenter__(self) -> BulkAppend:
        self._conn = await self.pool.acquire()
        self._transaction = self._conn.transaction()
        await self._transaction.start()
        head = await self._conn.fetchrow(
            "SELECT position, chain_hash, greatest(clock_timestamp(),"
            " coalesce(recorded_at, '-infinity')) AS now"
            " FROM ledger_head WHERE singleton FOR UPDATE"
        )
        self.start, self.recorded = head["position"], head["now"]
        self._chain = bytes(head["chain_hash"])
        self.crypto = await ledger_crypto(self._conn)
        self._checked = self.crypto == SHA256_ED25519 or await sm3_in_database(self._conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if not self._finished:
                if self._copies is not None:
                    self._copies.cancel()
                    with contextlib.suppress(BaseException):
                        await self._copies
                await self._transaction.rollback()
        finally:
            await self.pool.release(self._conn)

    def add(self, rows: Sequence[NewEvent]) -> None:
        """Seal ``rows`` after the ones before and start copying them."""
        if not rows:
            return
        before = self._chain
        events, seals = _sealed(
            rows, self.start + self.written, before, self.recorded, HASHERS[self.crypto]
        )
        self._chain = seals[-1][2]
        self.written += len(rows)
        previous = self._copies
        self._copies = asyncio.create_task(self._copy(previous, events, seals))

    async def _copy(
        self,
        previous: asyncio.Task[None] | None,
        events: list[tuple[Any, ...]],
        seals: list[tuple[int, datetime, bytes]],
    ) -> None:
        if previous is not None:
            await previous
        await self._conn.copy_records_to_table(
            "ledger_events",
            records=events,
            columns=("position", "stream_id", "stream_version", "topic", "state", "tags"),
        )
        await self._conn.copy_records_to_table(
            "ledger_seal", records=seals, columns=("position", "recorded_at", "chain_hash")
        )
        if not self._checked:
            return
        # PostgreSQL recomputes every link of the chunk with its own ledger_leaf.
        broken = await self._conn.fetchval(_LINKS, seals[0][0], seals[-1][0], self.crypto)
        if broken is not None:
            raise SealMismatch(f"the seal of position {broken} disagrees with ledger_leaf")

    async def finish(self, keys: Sequence[LineKey]) -> Appended:
        """Write the keys, check the seal in SQL, move the head, commit."""
        if self._copies is not None:
            await self._copies
        if not self.written:
            await self._transaction.rollback()
            self._finished = True
            return Appended(self.start, self.start, None)
        last = self.start + self.written
        if keys:
            await self._conn.copy_records_to_table(
                "ledger_idempotency",
                records=[
                    (
                        self.actor,
                        k.key,
                        k.content_hash,
                        json.dumps({**k.result, "position": self.start + k.last_index + 1}),
                        self.start + k.last_index + 1,
                        self.recorded,
                    )
                    for k in keys
                ],
                columns=("actor", "key", "request_hash", "result", "position", "recorded_at"),
            )
        await self._conn.execute(
            "UPDATE ledger_head SET position = $1, recorded_at = $2, chain_hash = $3"
            " WHERE singleton",
            last,
            self.recorded,
            self._chain,
        )
        await self._conn.execute("SELECT pg_notify('ledger_events', $1)", str(last))
        await self._transaction.commit()
        self._finished = True
        return Appended(
            first_position=self.start + 1, last_position=last, recorded_at=self.recorded
        )


async def append_bulk(
    pool: Pool, rows: Sequence[NewEvent], keys: Sequence[LineKey], actor: str
) -> Appended:
    """Append ``rows`` as new streams, and ``keys`` (``actor``'s) with them: all or none.
    A key's ``last_index`` counts from the first of ``rows``."""
    async with BulkAppend(pool, actor) as bulk:
        bulk.add(rows)
        return await bulk.finish(keys)


def _sealed(
    rows: Sequence[NewEvent],
    start: int,
    chain: bytes,
    recorded: datetime,
    sha256: Callable[[bytes], Any] = hashlib.sha256,
) -> tuple[list[tuple[Any, ...]], list[tuple[int, datetime, bytes]]]:
    """The rows and their seals from ``start`` + 1 on, after ``chain``; ``sha256`` the
    ledger's hash in hashlib's shape (``verify_scan.HASHERS``)."""
    micros = (recorded - EPOCH) // timedelta(microseconds=1)
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
