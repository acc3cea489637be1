"""`ledger verify`: recompute every leaf, the chain and the tree from the event rows and
hold them against the seal, the stored tree and every signed checkpoint; then the access
log's chain (``accesslog.verify_chain``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import asyncpg

from ledger.infra.accesslog import verify_chain
from ledger.infra.leaf import leaf_bytes
from ledger.infra.verify_report import Finding, Report
from ledger.offline import NoteError, leaf_hash, node_hash, verify_checkpoint

WINDOW = 16  # how far to look for a moved row when a leaf no longer matches

VERIFY_ROWS = (
    "SELECT coalesce(e.position, s.position) AS position, e.position IS NOT NULL AS has_event,"
    " s.position IS NOT NULL AS has_seal, e.stream_id, e.stream_version, e.topic, e.state,"
    " e.tags, s.recorded_at, s.chain_hash, m.hash AS tree_leaf"
    " FROM ledger_events e FULL JOIN ledger_seal s USING (position)"
    " LEFT JOIN merkle_nodes m ON m.level = 0 AND m.idx = coalesce(e.position, s.position) - 1"
    " ORDER BY 1"
)


class _Frontier:
    """The right edge of a Merkle tree being built leaf by leaf: its root at any size."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []  # (leaves, hash), sizes decreasing

    def push(self, leaf: bytes) -> None:
        size, current = 1, leaf
        while self.stack and self.stack[-1][0] == size:
            left = self.stack.pop()[1]
            current = node_hash(left, current)
            size *= 2
        self.stack.append((size, current))

    def root(self) -> bytes:
        if not self.stack:
            return hashlib.sha256(b"").digest()
        current = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            current = node_hash(left, current)
        return current


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
        chain, expected, frontier, last_good = bytes(32), 1, _Frontier(), 0
        empty = due.pop(0, None)
        if empty is not None:
            _check_checkpoint(empty, frontier.root(), chain, 0, report)
        scanned = False
        tree_size = int(await conn.fetchval("SELECT size FROM merkle_head"))
        async for row in conn.cursor(VERIFY_ROWS, prefetch=5000):
            position = int(row["position"])
            if position != expected or not row["has_event"]:
                report.findings.append(
                    Finding("missing row", "the log has no event here (deleted)", expected)
                )
                break
            if not row["has_seal"]:
                report.findings.append(Finding("unsealed row", "the event has no seal", position))
                break
            leaf = leaf_bytes(row)
            hashed = leaf_hash(leaf)
            chain = hashlib.sha256(chain + leaf).digest()
            if row["tree_leaf"] is not None and bytes(row["tree_leaf"]) != hashed:
                report.findings.append(await _classify(conn, row))
                break
            if bytes(row["chain_hash"]) != chain:
                report.findings.append(
                    Finding(
                        "broken chain",
                        "the sealed chain hash does not follow from the rows before it",
                        position,
                    )
                )
                break
            frontier.push(hashed)
            signed = due.pop(position, None)
            if signed is not None and _check_checkpoint(
                signed, frontier.root(), chain, last_good, report
            ):
                last_good = position
            report.events = position
            if progress is not None and position % every == 0:
                progress(position)
            expected += 1
        else:
            scanned = True
        if report.ok:
            await _check_heads(conn, report, chain, tree_size)
        if report.ok:
            await _check_tree(conn, report)
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


def _check_checkpoint(
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


async def _classify(conn: asyncpg.Connection, row: Any) -> Finding:
    """Name what happened to a row whose leaf no longer matches the tree."""
    position = int(row["position"])
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
            if leaf_hash(leaf_bytes(moved, other)) == tree_leaf:
                return Finding(
                    "reordered rows", f"this event was sealed at position {other}", position
                )
    following = await conn.fetchrow(
        "SELECT e.position, e.stream_id, e.stream_version, e.topic, e.state, e.tags,"
        " s.recorded_at FROM ledger_events e JOIN ledger_seal s USING (position)"
        " WHERE e.position = $1",
        position + 1,
    )
    if following is not None and leaf_hash(leaf_bytes(following, position)) == stored.get(position):
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


async def _check_tree(conn: asyncpg.Connection, report: Report) -> None:
    bad = await conn.fetchrow(
        "SELECT k.level, k.idx FROM merkle_nodes k"
        " LEFT JOIN merkle_nodes l ON l.level = k.level - 1 AND l.idx = 2 * k.idx"
        " LEFT JOIN merkle_nodes r ON r.level = k.level - 1 AND r.idx = 2 * k.idx + 1"
        " WHERE k.level > 0 AND (l.hash IS NULL OR r.hash IS NULL"
        "   OR k.hash <> sha256('\\x01'::bytea || l.hash || r.hash))"
        " ORDER BY k.level, k.idx LIMIT 1"  # the lowest bad node is the altered one
    )
    if bad is not None:
        first_leaf = (int(bad["idx"]) << int(bad["level"])) + 1
        report.findings.append(
            Finding(
                "tree node altered",
                f"the stored node at level {bad['level']}, index {bad['idx']} is not the hash of"
                " its children",
                first_leaf,
            )
        )
