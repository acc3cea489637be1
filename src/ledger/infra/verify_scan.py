"""The scan ``ledger verify`` makes of the log: the rows in position order, each one's leaf
and chain hash recomputed, its tree leaf compared, and the signed checkpoints met on the way
checked against the tree built so far."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncGenerator, Callable
from typing import Any

import asyncpg
from cryptography.hazmat.primitives import hashes

from ledger.infra.leaf import encode_leaf
from ledger.infra.verify_report import Finding, Report
from ledger.offline import HASHES, SHA256_ED25519, SM3_SM2, node_hash

# The columns as the leaf encodes them (uuid_send, the tags joined by LF, the recorded time in
# microseconds: the expressions of ledger_leaf), so reading them builds no Python objects to
# take apart again.
VERIFY_ROWS = (
    "SELECT coalesce(e.position, s.position) AS position, e.position IS NOT NULL AS has_event,"
    " s.position IS NOT NULL AS has_seal, uuid_send(e.stream_id) AS stream_id,"
    " e.stream_version, e.topic, e.state, array_to_string(e.tags, E'\\n') AS tags,"
    " (extract(epoch FROM s.recorded_at) * 1000000)::bigint AS micros, s.chain_hash,"
    " m.hash AS tree_leaf"
    " FROM (SELECT * FROM ledger_events WHERE position BETWEEN $1 AND $2) e"
    " FULL JOIN (SELECT * FROM ledger_seal WHERE position BETWEEN $1 AND $2) s USING (position)"
    " LEFT JOIN merkle_nodes m ON m.level = 0 AND m.idx = coalesce(e.position, s.position) - 1"
    " ORDER BY 1"
)
SPAN = 20_000  # positions read at a time


async def verify_rows(
    conn: asyncpg.Connection,
) -> AsyncGenerator[list[asyncpg.Record], None]:
    """Every row of the log and its seal with its tree leaf, in position order, ``SPAN``
    positions a query; the next span is asked for before this one is handed out, so the
    server reads it while the caller computes. Close it (``aclosing``) before the
    connection's next query."""
    low, high = await conn.fetchrow(
        "SELECT least((SELECT min(position) FROM ledger_events),"
        " (SELECT min(position) FROM ledger_seal), 1),"
        " greatest((SELECT max(position) FROM ledger_events),"
        " (SELECT max(position) FROM ledger_seal), 0)"
    )

    def span(start: int) -> asyncio.Future[list[asyncpg.Record]] | None:
        if start > high:
            return None
        fetched: asyncio.Future[list[asyncpg.Record]] = asyncio.ensure_future(
            conn.fetch(VERIFY_ROWS, start, start + SPAN - 1)
        )
        return fetched

    start = int(low)
    pending = span(start)
    try:
        while pending is not None:
            rows = await pending
            start += SPAN
            pending = span(start)
            await asyncio.sleep(0)  # the next span's query goes out
            yield rows
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending


class Sm3:
    """SM3 with hashlib's shape (``Sm3(data).digest()``), so the scan's loop is the same
    code for both hashes."""

    __slots__ = ("_hash",)

    def __init__(self, data: bytes) -> None:
        self._hash = hashes.Hash(hashes.SM3())
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.finalize()


HASHERS: dict[str, Callable[[bytes], Any]] = {SHA256_ED25519: hashlib.sha256, SM3_SM2: Sm3}


class Frontier:
    """The right edge of a Merkle tree being built leaf by leaf: its root at any size."""

    def __init__(self, crypto: str = SHA256_ED25519) -> None:
        self.stack: list[tuple[int, bytes]] = []  # (leaves, hash), sizes decreasing
        self.crypto = crypto

    def push(self, leaf: bytes) -> None:
        size, current = 1, leaf
        while self.stack and self.stack[-1][0] == size:
            left = self.stack.pop()[1]
            current = node_hash(left, current, self.crypto)
            size *= 2
        self.stack.append((size, current))

    def root(self) -> bytes:
        if not self.stack:
            return HASHES[self.crypto](b"")
        current = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            current = node_hash(left, current, self.crypto)
        return current


class Scan:
    """The rows in order: each one's leaf and chain recomputed, its tree leaf compared, the
    signed checkpoints met on the way checked; stops at the first problem."""

    def __init__(
        self,
        due: dict[int, Any],
        frontier: Frontier,
        report: Report,
        progress: Callable[[int], None] | None,
        every: int,
    ) -> None:
        self.due, self.frontier, self.report = due, frontier, report
        self.progress, self.every = progress, every
        self.chain, self.expected, self.last_good = bytes(32), 1, 0
        self.stopped_at = -1
        self.finished = True

    def rows(self, rows: list[Any]) -> Finding | str | None:
        """None when every row holds; a finding, or "tree" (a leaf that differs from the
        tree's: to be classified), at ``rows[self.stopped_at]``."""
        sha256, chain, expected = HASHERS[self.frontier.crypto], self.chain, self.expected
        for index, row in enumerate(rows):
            position = row[0]
            problem: Finding | str | None = None
            if position != expected or not row[1]:
                problem = Finding("missing row", "the log has no event here (deleted)", expected)
            elif not row[2]:
                problem = Finding("unsealed row", "the event has no seal", position)
            else:
                leaf = encode_leaf(position, row[3], row[4], row[5], row[6], row[7], row[8])
                hashed = sha256(b"\x00" + leaf).digest()
                chain = sha256(chain + leaf).digest()
                if row[10] is not None and row[10] != hashed:
                    problem = "tree"
                elif row[9] != chain:
                    problem = Finding(
                        "broken chain",
                        "the sealed chain hash does not follow from the rows before it",
                        position,
                    )
            if problem is not None:
                self.stopped_at, self.finished = index, False
                self.chain, self.expected = chain, expected
                self.report.events = expected - 1
                return problem
            self.frontier.push(hashed)
            if self.due:
                signed = self.due.pop(position, None)
                if signed is not None and check_checkpoint(
                    signed, self.frontier.root(), chain, self.last_good, self.report
                ):
                    self.last_good = position
            if self.progress is not None and position % self.every == 0:
                self.progress(position)
            expected += 1
        self.chain, self.expected = chain, expected
        self.report.events = expected - 1
        return None


def check_checkpoint(
    checkpoint: Any, root: bytes, chain: bytes, last_good: int, report: Report
) -> bool:
    """True if the signed checkpoint matches the log; else the finding bounds where the
    history was rewritten: after the last checkpoint that still matches."""
    size = int(checkpoint["size"])
    if bytes(checkpoint["root"]) == root and bytes(checkpoint["chain_hash"]) == chain:
        return True
    if not any(f.kind == "checkpoint inconsistent" for f in report.findings):
        report.findings.append(
            Finding(
                "checkpoint inconsistent",
                f"the log recomputed differs from the checkpoint signed at size {size}, while"
                f" the one at size {last_good} still matches: history between positions"
                f" {last_good + 1} and {size} was rewritten",
                last_good + 1,
            )
        )
    return False
