"""The verifiability figures on a big log: its fill, the Merkle tree, a signed checkpoint,
``ledger verify`` and the proofs' latency.

The log is filled through ``EventStore.append`` and the shipped ``ledger_append_batch``
(so rows, seals and chain are exactly the product's), 1,000 events per call. The events
are realistic: blocks of ten made by the domain objects and the real mapper (a
department registered and renamed, four persons, a principal, two leaders reporting to
it and a staff member), instantiated over and over with fresh ids, codes and numbers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import StoredEvent
from figures import Figure, timed

from ledger.application.store import AggregateStore
from ledger.domain.assignment import Assignment
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import Category, PrincipalTitle, Role, UnitKind, UnitLevel
from ledger.infra.checkpoints import Signer, make_checkpoint
from ledger.infra.codec import make_mapper
from ledger.infra.eventstore import EventStore, NewEvent
from ledger.infra.merkle import Tree, extend_all, proof_record
from ledger.infra.verify import verify_ledger
from ledger.infra.verify_scan import verify_rows
from ledger.offline import leaf_hash, verify_consistency, verify_inclusion

PER_CALL = 1_000
FILL_CLIENTS = 2
TEMPLATES = 100
START = date(2024, 1, 1)
ORIGIN = "bench.example/ledger"
MB = 1024 * 1024


def _block(mapper: Any, token: str) -> list[NewEvent]:
    """Ten events of one department, as the commands would append them (same tags)."""
    who = {"actor": "bench", "source": "bench", "reason": None, "basis": None}
    unit = Unit(
        f"Department {token}",
        UnitKind.DEPARTMENT,
        UnitLevel.COUNTY,
        None,
        f"D-{token}",
        *who.values(),
    )
    unit.rename(f"Bureau {token}", date(2024, 6, 1), **who)
    persons = [Person(f"Person {token} {i}", f"P-{token}-{i}", *who.values()) for i in range(4)]

    def assign(person: Person, role: Role, reports_to: uuid.UUID | None) -> Assignment:
        principal = role is Role.PRINCIPAL
        return Assignment.assign(
            unit_id=unit.id,
            person_id=person.id,
            role=role,
            title={Role.PRINCIPAL: "Director", Role.LEADER: "Deputy director"}.get(role, "Officer"),
            principal_title=PrincipalTitle.UNIT_HEAD if principal else None,
            portfolio=[Category.MAJOR_DECISION if principal else Category.LAW_ENFORCEMENT],
            reports_to=reports_to,
            effective_from=START,
            **who,
        )

    head = assign(persons[0], Role.PRINCIPAL, None)
    others = [
        assign(persons[1], Role.LEADER, head.id),
        assign(persons[2], Role.LEADER, head.id),
        assign(persons[3], Role.STAFF, None),
    ]
    return AggregateStore(None, mapper).new_events([unit, *persons, head, *others])  # type: ignore[arg-type]


class History:
    """Blocks of ten realistic events, each a template made by the real mapper with its
    ids (in both the hex of the state and the text of the tags) and its token (names,
    codes, person numbers) replaced by fresh ones."""

    def __init__(self, templates: int) -> None:
        mapper = make_mapper()
        self.templates = []
        for _ in range(templates):
            token = uuid.uuid4().hex[:10]
            rows = _block(mapper, token)
            ids = list(dict.fromkeys(r.stored.originator_id for r in rows))
            self.templates.append((rows, ids, token))
        self.made = 0

    def block(self) -> list[NewEvent]:
        rows, ids, token = self.templates[self.made % len(self.templates)]
        self.made += 1
        fresh = {old: uuid.uuid4() for old in ids}
        new_token = uuid.uuid4().hex[:10]
        in_state = [(o.hex.encode(), n.hex.encode()) for o, n in fresh.items()]
        in_state.append((token.encode(), new_token.encode()))
        in_tags = [(str(o), str(n)) for o, n in fresh.items()]
        in_tags.append((token, new_token))
        out = []
        for row in rows:
            state = row.stored.state
            for old, new in in_state:
                if old in state:
                    state = state.replace(old, new)
            tags = []
            for tag in row.tags:
                for old_tag, new_tag in in_tags:
                    tag = tag.replace(old_tag, new_tag)
                tags.append(tag)
            stored = StoredEvent(
                originator_id=fresh[row.stored.originator_id],
                originator_version=row.stored.originator_version,
                topic=row.stored.topic,
                state=state,
            )
            out.append(NewEvent(stored, tags))
        return out

    def take(self, count: int) -> list[NewEvent]:
        return [e for _ in range(count // 10) for e in self.block()]


async def fill(pool: asyncpg.Pool, events: int, progress: Callable[[str], None]) -> float:
    """Append ``events`` events, ``PER_CALL`` per call from ``FILL_CLIENTS`` clients (the
    next batch is made while the last is written); returns the seconds taken."""
    store = EventStore(pool)
    history = History(TEMPLATES)
    batches = iter(range(events // PER_CALL))

    async def client() -> None:
        for batch in batches:
            await store.append(history.take(PER_CALL))
            if (batch + 1) * PER_CALL % 100_000 == 0:
                progress(f"filled {(batch + 1) * PER_CALL:,} events")

    async def clients() -> None:
        await asyncio.gather(*(client() for _ in range(FILL_CLIENTS)))

    return await timed(clients)


async def scan(pool: asyncpg.Pool) -> int:
    """Baseline for verify: the rows ``verify_ledger`` reads, read the same way (a range of
    positions a query, in a repeatable-read transaction), with nothing computed."""
    count = 0
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read"),
        contextlib.aclosing(verify_rows(conn)) as spans,
    ):
        async for rows in spans:
            count += len(rows)
    return count


async def _ms(work: Callable[[], Any]) -> float:
    return await timed(work) * 1000


async def _sizes(pool: asyncpg.Pool) -> tuple[float, str]:
    """The database's size in MB, and that of the log's tables (each with its indexes)."""
    row = await pool.fetchrow(
        "SELECT pg_database_size(current_database()) AS db,"
        " pg_total_relation_size('ledger_events') AS ledger_events,"
        " pg_total_relation_size('ledger_seal') AS ledger_seal,"
        " pg_total_relation_size('merkle_nodes') AS merkle_nodes"
    )
    tables = ", ".join(f"{name} {row[name] / MB:,.0f}" for name in list(row.keys())[1:])
    return row["db"] / MB, f"{row['db'] / MB:,.0f} MB ({tables} MB)"


async def _wal(pool: asyncpg.Pool) -> str:
    """The size of the server's WAL directory, if this user may read it."""
    try:
        size = await pool.fetchval("SELECT coalesce(sum(size), 0) FROM pg_ls_waldir()")
    except asyncpg.PostgresError as error:
        return f"not readable ({type(error).__name__})"
    return f"{size / MB:,.0f} MB"


async def verifiable(
    pool: asyncpg.Pool, events: int, progress: Callable[[str], None]
) -> list[Figure]:
    """Fill, tree, checkpoint, verify and proofs at ``events`` events."""
    size = events // PER_CALL * PER_CALL
    n = f"{size:,}"
    progress(f"verifiability: filling a log of {n} events")
    fill_seconds = await fill(pool, size, progress)
    _, filled_at = await _sizes(pool)
    wal_filled = await _wal(pool)
    vacuum_seconds = await timed(
        lambda: pool.execute("VACUUM ANALYZE ledger_events, ledger_seal", timeout=3600)
    )
    filled = Figure(
        "V-fill",
        f"fill: EventStore.append, {PER_CALL:,} events/call, {FILL_CLIENTS} clients (setup)",
        "events/s",
        [size / fill_seconds],
        note=f"{n} events in {fill_seconds:.1f} s; then VACUUM ANALYZE of the log, as"
        f" autovacuum would soon, {vacuum_seconds:.1f} s (in no row)",
    )

    progress("verifiability: extending the Merkle tree, signing a checkpoint")
    tree_seconds = await timed(lambda: extend_all(pool))
    tree = Tree(pool)
    if await tree.size() != size:
        raise RuntimeError(f"extend_all left a tree of {await tree.size():,} leaves, not {n}")
    extended = Figure(
        "V-tree", f"extend_all: Merkle tree over the {n} events", "leaves/s", [size / tree_seconds]
    )
    extended.note = f"{n} leaves in {tree_seconds:.1f} s"
    rooted = Figure("V-root", f"Tree.root at {n} leaves", "ms", latency=True)
    for _ in range(21):
        rooted.rates.append(await _ms(lambda: tree.root(size)))
    rooted.rates.pop(0)  # the first: warm-up
    signer = Signer(ORIGIN, Ed25519PrivateKey.generate())
    notes: list[str] = []

    async def sign() -> None:
        notes.append(await make_checkpoint(pool, signer))

    signed = Figure(
        "V-ckpt",
        f"make_checkpoint at {n} leaves (tree already at the head)",
        "ms",
        [await _ms(sign)],
        latency=True,
    )
    first = signed.rates[0]
    for _ in range(4):  # at the same size: the same work, the insert finds the row there
        signed.rates.append(await _ms(sign))
    signed.note = (
        f"the first call, which stored the checkpoint, {first:.1f} ms; each is extend_all"
        " (nothing to add), Tree.root, the seal read, the Ed25519 signature and the insert"
    )
    checkpoint = notes[0]

    progress(f"verifiability: reading the {n} rows verify reads (baseline), then verify")
    started = time.perf_counter()
    read = await scan(pool)
    scan_seconds = time.perf_counter() - started
    if read != size:
        raise RuntimeError(f"the scan read {read:,} rows, not {n}")
    scanned = Figure(
        "V-scan",
        "raw asyncpg cursor over verify's rows, nothing computed (baseline)",
        "rows/s",
        [size / scan_seconds],
    )
    report = await verify_ledger(
        pool, signer.verifier_key, lambda done: progress(f"verified {done:,} events")
    )
    if not report.ok or report.events != size or report.checkpoints < 1:
        for finding in report.findings:
            print(f"VERIFY FAILED: {finding}", file=sys.stderr, flush=True)
        raise RuntimeError(
            f"ledger verify did not pass on the bench log: {report.events:,} events,"
            f" {report.checkpoints} checkpoints, findings: {'; '.join(map(str, report.findings))}"
        )
    verified = Figure(
        "V-verify",
        f"verify_ledger (`ledger verify`) over {n} events",
        "events/s",
        [report.rate],
        ref="V-scan",
        note=f"ok: {report.events:,} events, {report.checkpoints}"
        f" checkpoint{'s' * (report.checkpoints != 1)} in"
        f" {report.seconds:.1f} s (leaf bytes, leaf hash, chain, tree root, checkpoint)",
    )
    proved = await proofs(pool, size, checkpoint, progress)
    largest, detail = await _sizes(pool)
    max_wal = await pool.fetchval("SHOW max_wal_size")
    disk = Figure(
        "V-disk",
        f"pg_database_size at its largest: {n} events, tree, checkpoint",
        "MB",
        [largest],
        ratios=False,
        note=f"after the fill: {filled_at}\n"
        f"at the end: {detail}; tables with their indexes\n"
        f"the server's WAL directory (the whole server's, max_wal_size {max_wal}):"
        f" {wal_filled} after the fill, {await _wal(pool)} at the end",
    )
    return [filled, disk, extended, rooted, signed, scanned, verified, *proved]


async def proofs(
    pool: asyncpg.Pool, size: int, checkpoint: str, progress: Callable[[str], None]
) -> list[Figure]:
    """Latency of inclusion and consistency proofs at ``size`` leaves, and of their offline
    checks; every proof is also checked against the tree's root."""
    progress("verifiability: proof latency")
    rng = random.Random(20240101)
    tree = Tree(pool)
    root = await tree.root(size)
    n = f"{size:,}"
    included = Figure("Q-inc", f"Tree.inclusion at {n} leaves, random leaf", "ms", latency=True)
    recorded = Figure(
        "Q-rec",
        "proof_record of one random event (leaf read, inclusion, root)",
        "ms",
        latency=True,
    )
    offline = Figure("Q-off", "offline verify_inclusion of one such proof", "µs", latency=True)
    consistent = Figure(
        "Q-con", f"Tree.consistency, random (from, to) up to {n}", "ms", latency=True
    )
    for position in [rng.randint(1, size) for _ in range(5)]:  # warm-up
        await proof_record(pool, [position], size, checkpoint)
        await tree.consistency(max(1, position - 1), size)
    for _ in range(1000):
        index = rng.randrange(size)
        included.rates.append(await _ms(lambda index=index: tree.inclusion(index, size)))
    records = []
    for _ in range(1000):
        position = rng.randint(1, size)
        started = time.perf_counter()
        records.append(await proof_record(pool, [position], size, checkpoint))
        recorded.rates.append((time.perf_counter() - started) * 1000)
    for record in records:
        event = record["events"][0]
        hashed = leaf_hash(base64.b64decode(event["leaf"]))
        path = [base64.b64decode(h) for h in event["inclusion_proof"]]
        started = time.perf_counter()
        verify_inclusion(event["position"] - 1, size, hashed, path, root)
        offline.rates.append((time.perf_counter() - started) * 1e6)
    pairs = [sorted(rng.sample(range(1, size + 1), 2)) for _ in range(300)]
    checked = []
    for first, second in pairs:
        started = time.perf_counter()
        proof = await tree.consistency(first, second)
        consistent.rates.append((time.perf_counter() - started) * 1000)
        checked.append((first, second, proof))
    for first, second, proof in checked:  # not timed: each needs two roots read first
        verify_consistency(first, second, await tree.root(first), await tree.root(second), proof)
    lengths = sorted(len(r["events"][0]["inclusion_proof"]) for r in records)
    included.note = f"{lengths[0]}–{lengths[-1]} hashes per proof; 2 queries (tree size, nodes)"
    recorded.note = (
        "5 queries: the leaf, the tree size and nodes for the path, again for the root;"
        " every record below checked offline against the root"
    )
    consistent.note = "every proof checked offline (verify_consistency) against both roots"
    return [included, recorded, offline, consistent]
