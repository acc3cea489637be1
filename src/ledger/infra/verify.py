"""`ledger verify`: recompute every leaf, the chain and the tree from the event rows and
hold them against the seal, the stored tree and every signed checkpoint; then the access
log's chain (``accesslog.verify_chain``)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import asyncpg

from ledger.infra.accesslog import verify_chain
from ledger.infra.crypto import ledger_crypto, sm3_in_database
from ledger.infra.leaf import leaf_bytes
from ledger.infra.verify_report import Finding, Report
from ledger.infra.verify_scan import Frontier, Scan, check_checkpoint, verify_rows
from ledger.offline import SHA256_ED25519, NoteError, leaf_hash, node_hash, verify_checkpoint

WINDOW = 16  # how far to look for a moved row when a leaf no longer matches
_ROW = (
    "SELECT e.position, e.stream_id, e.stream_version, e.topic, e.state, e.tags,"
    " s.recorded_at FROM ledger_events e JOIN ledger_seal s USING (position)"
    " WHERE e.position = $1"
)


async def verify_ledger(
    pool: asyncpg.Pool,
    verifier: str,
    progress: Callable[[int], None] | None = None,
    every: int = 100_000,
) -> Report:
    """Check the whole ledger, the access log too; the report names the first problem of
    each kind found."""
    started = time.perf_counter()
    report = Report()
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        checkpoints = await conn.fetch(
            "SELECT size, root, chain_hash, note FROM ledger_checkpoints ORDER BY size"
        )
        due = {int(c["size"]): c for c in checkpoints}
        _check_signatures(checkpoints, verifier, report)
        crypto = await ledger_crypto(conn)
        frontier = Frontier(crypto)
        empty = due.pop(0, None)
        if empty is not None:
            check_checkpoint(empty, frontier.root(), bytes(32), 0, report)
        tree_size = int(await conn.fetchval("SELECT size FROM merkle_head"))
        # The stored tree's inner nodes are checked on a second connection, in the same
        # snapshot, while this one scans the log.
        snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
        tree = asyncio.ensure_future(_check_tree(pool, snapshot, crypto))
        try:
            scan = Scan(due, frontier, report, progress, every)
            async with contextlib.aclosing(verify_rows(conn)) as spans:
                async for rows in spans:
                    problem = scan.rows(rows)
                    if isinstance(problem, Finding):
                        report.findings.append(problem)
                        break
                    if problem == "tree":
                        changed = int(rows[scan.stopped_at]["position"])
                        report.findings.append(await _classify(conn, changed, crypto))
                        break
            scanned = scan.finished
            chain = scan.chain
            if report.ok:
                await _check_heads(conn, report, chain, tree_size)
            altered = await tree
        finally:
            tree.cancel()
            with contextlib.suppress(BaseException):
                await tree
        if report.ok and altered is not None:
            report.findings.append(altered)
        for size in sorted(due) if scanned else ():
            if size > report.events:
                report.findings.append(
                    Finding(
                        "checkpoint beyond the log",
                        f"a checkpoint signs {size} events; the log holds {report.events}"
                        " (rows removed from the end)",
                        report.events + 1,
                    )
                )
                break
    report.access = await verify_chain(pool)
    report.findings.extend(report.access.findings)
    report.checkpoints = len(checkpoints)
    report.seconds = time.perf_counter() - started
    return report


def _check_signatures(checkpoints: list[Any], verifier: str, report: Report) -> None:
    for checkpoint in checkpoints:
        try:
            signed = verify_checkpoint(str(checkpoint["note"]), verifier)
        except NoteError as error:
            report.findings.append(
                Finding("bad signature", f"checkpoint at size {checkpoint['size']}: {error}")
            )
            return
        if signed.size != checkpoint["size"] or signed.root != bytes(checkpoint["root"]):
            report.findings.append(
                Finding(
                    "checkpoint row altered",
                    f"the row at size {checkpoint['size']} differs from the note it stores",
                )
            )
            return


async def _classify(conn: asyncpg.Connection, position: int, crypto: str) -> Finding:
    """Name what happened to the row whose leaf no longer matches the tree."""
    row = await conn.fetchrow(_ROW, position)
    stored = {
        int(r["idx"]) + 1: bytes(r["hash"])
        for r in await conn.fetch(
            "SELECT idx, hash FROM merkle_nodes WHERE level = 0 AND idx BETWEEN $1 AND $2",
            max(position - 1 - WINDOW, 0),
            position - 1 + WINDOW,
        )
    }
    sealed_at = {
        int(r["position"]): r["recorded_at"]
        for r in await conn.fetch(
            "SELECT position, recorded_at FROM ledger_seal WHERE position BETWEEN $1 AND $2",
            position - WINDOW,
            position + WINDOW,
        )
    }
    for other, tree_leaf in sorted(stored.items()):
        if other == position:
            continue
        # moved alone, or together with its seal row
        for recorded_at in {row["recorded_at"], sealed_at.get(other, row["recorded_at"])}:
            moved = {**dict(row), "recorded_at": recorded_at}
            if leaf_hash(leaf_bytes(moved, other), crypto) == tree_leaf:
                return Finding(
                    "reordered rows", f"this event was sealed at position {other}", position
                )
    following = await conn.fetchrow(_ROW, position + 1)
    if following is not None and (
        leaf_hash(leaf_bytes(following, position), crypto) == stored.get(position)
    ):
        return Finding(
            "inserted row",
            "an event that was never sealed stands here; the sealed one follows",
            position,
        )
    return Finding("changed row", "the event's bytes differ from those sealed", position)


async def _check_heads(
    conn: asyncpg.Connection, report: Report, chain: bytes, tree_size: int
) -> None:
    head = await conn.fetchrow("SELECT position, chain_hash FROM ledger_head")
    last = report.events
    if int(head["position"]) > last:
        report.findings.append(
            Finding(
                "missing row",
                f"the head records {head['position']} events; the log holds {last}",
                last + 1,
            )
        )
    elif int(head["position"]) < last:
        report.findings.append(
            Finding(
                "inserted row",
                f"the log holds {last} events; the head records {head['position']}",
                int(head["position"]) + 1,
            )
        )
    elif bytes(head["chain_hash"]) != chain:
        report.findings.append(Finding("broken chain", "the head's chain hash differs", last))
    elif tree_size > last:
        report.findings.append(
            Finding(
                "missing row", f"the tree holds {tree_size} leaves; the log holds {last}", last + 1
            )
        )


async def _check_tree(pool: asyncpg.Pool, snapshot: str, crypto: str) -> Finding | None:
    """The lowest stored inner node that is not the hash of its children, read in the
    exported ``snapshot``: the log's scan sees the same state."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        await conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        if crypto == SHA256_ED25519:
            return await _lowest_bad_node(conn, "sha256('\\x01'::bytea || l.hash || r.hash)")
        if await sm3_in_database(conn):
            return await _lowest_bad_node(conn, "digest('\\x01'::bytea || l.hash || r.hash, 'sm3')")
        return await _lowest_bad_node_here(conn, crypto)


_NODES = (
    "SELECT k.level, k.idx{} FROM merkle_nodes k"
    " LEFT JOIN merkle_nodes l ON l.level = k.level - 1 AND l.idx = 2 * k.idx"
    " LEFT JOIN merkle_nodes r ON r.level = k.level - 1 AND r.idx = 2 * k.idx + 1"
    " WHERE k.level > 0{}"
    " ORDER BY k.level, k.idx"  # the lowest bad node is the altered one
)


async def _lowest_bad_node(conn: asyncpg.Connection, node: str) -> Finding | None:
    """The check in SQL, ``node`` the expression of a node's hash from its children's."""
    where = f" AND (l.hash IS NULL OR r.hash IS NULL OR k.hash <> {node})"
    bad = await conn.fetchrow(_NODES.format("", where) + " LIMIT 1")
    return None if bad is None else _altered(bad)


async def _lowest_bad_node_here(conn: asyncpg.Connection, crypto: str) -> Finding | None:
    """The check here, where the database cannot compute the tree's hash (SM3 without
    pgcrypto): every inner node read with its children, in order, a cursor at a time."""
    query = _NODES.format(", k.hash, l.hash AS left, r.hash AS right", "")
    async for row in conn.cursor(query, prefetch=10_000):
        left, right = row["left"], row["right"]
        if left is None or right is None or node_hash(left, right, crypto) != row["hash"]:
            return _altered(row)
    return None


def _altered(bad: Any) -> Finding:
    first_leaf = (int(bad["idx"]) << int(bad["level"])) + 1
    return Finding(
        "tree node altered",
        f"the stored node at level {bad['level']}, index {bad['idx']} is not the hash of"
        " its children",
        first_leaf,
    )
