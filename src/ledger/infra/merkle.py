"""The Merkle tree in PostgreSQL: extended by one worker, proofs in O(log n) reads.

Ranges ``[a, b)`` of leaves follow RFC 6962's recursion (split at the largest power of
two below the range's size), so every range it needs is either a complete stored
subtree or splits into them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import asyncpg

from ledger.infra.crypto import crypto_of
from ledger.offline import leaf_hash, node_hash, root_hash

_EXTENDER_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('ledger-merkle'))"

LEAVES_SQL = (
    "SELECT e.position, ledger_leaf(e.position, e.stream_id, e.stream_version, e.topic,"
    " e.state, e.tags, s.recorded_at) AS leaf"
    " FROM ledger_events e JOIN ledger_seal s USING (position)"
)

Node = tuple[int, int]  # (level, idx)


class TreeError(Exception):
    """Raised when a proof is asked of a tree that does not hold it."""


def split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtrees(a: int, b: int) -> list[Node]:
    """The complete stored subtrees whose hashes make up MTH(D[a:b])."""
    size = b - a
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return [(level, a >> level)]
    k = split(size)
    return subtrees(a, a + k) + subtrees(a + k, b)


def range_hash(a: int, b: int, nodes: dict[Node, bytes], crypto: str) -> bytes:
    size = b - a
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return nodes[(level, a >> level)]
    k = split(size)
    left, right = range_hash(a, a + k, nodes, crypto), range_hash(a + k, b, nodes, crypto)
    return node_hash(left, right, crypto)


def inclusion_ranges(index: int, a: int, b: int) -> list[tuple[int, int]]:
    """RFC 6962 PATH(m, D[a:b]) as leaf ranges, leaf to root."""
    if b - a == 1:
        return []
    k = split(b - a)
    if index - a < k:
        return [*inclusion_ranges(index, a, a + k), (a + k, b)]
    return [*inclusion_ranges(index, a + k, b), (a, a + k)]


def consistency_ranges(m: int, a: int, b: int, whole: bool = True) -> list[tuple[int, int]]:
    """RFC 6962 SUBPROOF(m, D[a:b], whole) as leaf ranges."""
    n = b - a
    if m == n:
        return [] if whole else [(a, b)]
    k = split(n)
    if m <= k:
        return [*consistency_ranges(m, a, a + k, whole), (a + k, b)]
    return [*consistency_ranges(m - k, a + k, b, False), (a, a + k)]


async def fetch_nodes(
    db: asyncpg.Pool | asyncpg.Connection, wanted: Iterable[Node]
) -> dict[Node, bytes]:
    """The stored hashes of the ``wanted`` nodes (those the tree holds), in one query."""
    keys = sorted(set(wanted))
    if not keys:
        return {}
    rows = await db.fetch(
        "SELECT n.level, n.idx, n.hash FROM merkle_nodes n"
        " JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) USING (level, idx)",
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    return {(r["level"], r["idx"]): bytes(r["hash"]) for r in rows}


@dataclass(frozen=True)
class Tree:
    """Reads of the stored tree."""

    pool: asyncpg.Pool

    async def size(self) -> int:
        return int(await self.pool.fetchval("SELECT size FROM merkle_head"))

    async def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        keys = set(wanted)
        found = await fetch_nodes(self.pool, keys)
        if len(found) != len(keys):
            raise TreeError("the tree does not hold every node this answer needs")
        return found

    async def _check_size(self, size: int) -> None:
        if size < 1:
            raise TreeError("a tree of this size has no leaves")
        held = await self.size()
        if size > held:
            raise TreeError(f"the tree holds {held} leaves, not {size}")

    async def crypto(self) -> str:
        """The ledger's algorithms (``infra.crypto``): its tree's hash."""
        return await crypto_of(self.pool)

    async def root(self, size: int) -> bytes:
        if size == 0:
            return root_hash([], await self.crypto())
        await self._check_size(size)
        nodes = await self.nodes(subtrees(0, size))
        return range_hash(0, size, nodes, await self.crypto())

    async def inclusion(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
        await self._check_size(size)
        if not 0 <= index < size:
            raise TreeError(f"leaf {index} is not in a tree of {size} leaves")
        ranges = inclusion_ranges(index, 0, size)
        return await self._hashes(ranges)

    async def consistency(self, size1: int, size2: int) -> list[bytes]:
        """The proof that the tree of ``size1`` leaves is a prefix of that of ``size2``."""
        if not 0 <= size1 <= size2:
            raise TreeError("a consistency proof needs 0 <= from <= to")
        if size1 in (0, size2):
            return []
        await self._check_size(size2)
        return await self._hashes(consistency_ranges(size1, 0, size2))

    async def _hashes(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        nodes = await self.nodes(n for a, b in ranges for n in subtrees(a, b))
        crypto = await self.crypto()
        return [range_hash(a, b, nodes, crypto) for a, b in ranges]

    async def leaf(self, position: int) -> bytes:
        row = await self.pool.fetchrow(LEAVES_SQL + " WHERE e.position = $1", position)
        if row is None:
            raise TreeError(f"no event at position {position}")
        return bytes(row["leaf"])


async def extend(pool: asyncpg.Pool, batch_size: int = 10_000) -> int:
    """Add the next leaves (and every subtree they complete); returns leaves added.

    One transaction; a second extender finds the lock taken and adds nothing.
    """
    crypto = await crypto_of(pool)
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval(_EXTENDER_LOCK):
            return 0
        size = int(await conn.fetchval("SELECT size FROM merkle_head FOR UPDATE"))
        rows = await conn.fetch(
            LEAVES_SQL + " WHERE e.position > $1 ORDER BY e.position LIMIT $2", size, batch_size
        )
        if not rows:
            return 0
        frontier = [(k, (size >> k) - 1) for k in range(size.bit_length()) if size >> k & 1]
        known = await fetch_nodes(conn, frontier)
        new: list[tuple[int, int, bytes]] = []
        index = size
        for row in rows:
            if row["position"] != index + 1:
                raise TreeError(f"the log has no event at position {index + 1}")
            level, idx, current = 0, index, leaf_hash(bytes(row["leaf"]), crypto)
            known[(0, idx)] = current
            new.append((0, idx, current))
            while idx & 1:
                current = node_hash(known[(level, idx - 1)], current, crypto)
                level, idx = level + 1, idx >> 1
                known[(level, idx)] = current
                new.append((level, idx, current))
            index += 1
        await conn.copy_records_to_table(
            "merkle_nodes", records=new, columns=["level", "idx", "hash"]
        )
        await conn.execute("UPDATE merkle_head SET size = $1", index)
        return index - size


async def extend_all(pool: asyncpg.Pool, batch_size: int = 10_000) -> int:
    total = 0
    while added := await extend(pool, batch_size):
        total += added
    return total


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def proof_record(
    pool: asyncpg.Pool, positions: Iterable[int], size: int, checkpoint: str | None
) -> dict[str, Any]:
    """The events at ``positions`` with their leaf bytes and inclusion proofs in the tree of
    ``size`` leaves: the file the offline verifier reads (format ``ledger-proof-v1``)."""
    tree = Tree(pool)
    crypto = await tree.crypto()
    events = []
    for position in positions:
        if not 1 <= position <= size:
            raise TreeError(f"position {position} is not in a tree of {size} leaves")
        leaf = await tree.leaf(position)
        proof = await tree.inclusion(position - 1, size)
        events.append(
            {
                "position": position,
                "leaf": _b64(leaf),
                "leaf_hash": _b64(leaf_hash(leaf, crypto)),
                "inclusion_proof": [_b64(h) for h in proof],
            }
        )
    return {
        "format": "ledger-proof-v1",
        "crypto": crypto,
        "tree_size": size,
        "root": _b64(await tree.root(size)),
        "checkpoint": checkpoint,
        "events": events,
    }


async def consistency_record(pool: asyncpg.Pool, first: int, second: int) -> dict[str, Any]:
    """The consistency proof between two tree sizes (format ``ledger-consistency-v1``)."""
    tree = Tree(pool)
    proof = await tree.consistency(first, second)
    return {
        "format": "ledger-consistency-v1",
        "crypto": await tree.crypto(),
        "from": first,
        "to": second,
        "proof": [_b64(h) for h in proof],
    }
