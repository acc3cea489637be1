"""SM mode against the default: a ledger that chains and hashes its Merkle tree with SM3 and
signs its checkpoints with SM2 (``ledger_parameters.crypto = 'sm3-sm2'``, LEDGER_CRYPTO=sm)
against one on SHA-256 and Ed25519, each pair measured in the same run on two fresh
databases, their repetitions interleaved.

The SHA-256 ledger has no ``ledger_parameters`` row (a ledger from before the parameters
is SHA-256); the SM one gets its row before anything is appended, as the service's first
start writes it. Where the database has no pgcrypto ``digest`` (the embedded server), an
SM append's chain links are computed by the application inside the append's transaction
(``infra.sealing``: BEGIN, ``ledger_append_batch(…, true)``, ``ledger_seal_batch``, COMMIT,
against the single statement of a SHA-256 append), and ``ledger verify`` checks the
tree's inner nodes in Python instead of in SQL.

The tree, checkpoint, verify and signature figures are measured on a log of 100,000 events
(× --scale) per mode, filled as ``verifiable.fill`` fills (so an SM fill goes through the
application's SM3 path). Each repetition builds the tree again from nothing: the bench
empties ``merkle_nodes`` (its append-only trigger lifted for that statement alone) first.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import structlog
from databases import Databases
from figures import Figure, Measured, percentile, timed
from verifiable import FILL_CLIENTS, PER_CALL, fill
from writes import append_events

from ledger.infra.checkpoints import Signer, load_signer, make_checkpoint
from ledger.infra.crypto import SM2_USER_ID, sm3_in_database
from ledger.infra.database import create_pool
from ledger.infra.merkle import Tree, extend_all
from ledger.infra.sealing import seals_here
from ledger.infra.verify import verify_ledger
from ledger.offline import SHA256_ED25519, SM3_SM2

ORIGIN = "ledger.bench/sm"
LOG = 100_000  # events of the log of the tree, checkpoint, verify figures (× --scale)
MIN_LOG = 10_000
CHECKPOINTS = 50  # make_checkpoint calls timed per repetition
SIGNATURES = 2_000  # raw signatures per repetition (× --scale)
MIN_SIGNATURES = 200
SM_ROW = "INSERT INTO ledger_parameters (crypto, sm2_user_id) VALUES ($1, $2)"
EMPTY_TREE = (
    "ALTER TABLE merkle_nodes DISABLE TRIGGER merkle_nodes_no_truncate",
    "TRUNCATE merkle_nodes",
    "ALTER TABLE merkle_nodes ENABLE TRIGGER merkle_nodes_no_truncate",
    "UPDATE merkle_head SET size = 0",
)


@dataclass(frozen=True)
class Mode:
    """One side of each pair: the ledger's algorithms, its keys' suffix, its name."""

    crypto: str
    suffix: str
    name: str


SHA = Mode(SHA256_ED25519, "", "SHA-256/Ed25519")
SM = Mode(SM3_SM2, "-sm", "SM3/SM2")
MODES = (SHA, SM)


async def ledger_pool(stack: contextlib.AsyncExitStack, dbs: Databases, mode: Mode) -> asyncpg.Pool:
    """A pool on a fresh ledger database in ``mode`` (its parameter row written first)."""
    url = await stack.enter_async_context(dbs.fresh(ledger=True))
    pool = await create_pool(url, 2, 10)
    stack.push_async_callback(pool.close)
    if mode is SM:
        await pool.execute(SM_ROW, SM3_SM2, SM2_USER_ID)
    return pool


async def _chain_where(pool: asyncpg.Pool) -> str:
    if await seals_here(pool):
        return (
            "SM3 chain links by the application, no pgcrypto here: BEGIN, ledger_append_batch,"
            " ledger_seal_batch, COMMIT"
        )
    return "SM3 chain links by pgcrypto's digest inside ledger_append_batch"


def paired(sha: Figure, sm: Figure, vs_a: bool) -> None:
    """The SM figure's baseline is its SHA twin; ``vs_a``: both compare with A too."""
    sm.ref = sha.key
    sha.ratios = sm.ratios = vs_a


async def appends(
    stack: contextlib.AsyncExitStack, dbs: Databases, per_call: int, calls: int, clients: int
) -> list[Measured]:
    """``EventStore.append`` (``writes.append_events``) in both modes, each on its database."""
    pair = []
    for mode in MODES:
        pool = await ledger_pool(stack, dbs, mode)
        measured = await append_events(pool, per_call, calls, clients)  # warms up too
        figure = measured.figure
        figure.key = f"M-append{per_call if per_call > 1 else ''}{mode.suffix}"
        figure.label = f"{figure.label}, {mode.name}"
        if mode is SM:
            figure.note = await _chain_where(pool)
        pair.append(measured)
    paired(pair[0].figure, pair[1].figure, vs_a=True)
    return pair


@dataclass
class Log:
    """A filled log in one mode, its signer, and the figures measured on it."""

    mode: Mode
    pool: asyncpg.Pool
    signer: Signer
    size: int
    tree: Figure
    checkpoint: Figure
    verify: Figure
    sign: Figure
    samples: list[float] = field(default_factory=list)  # make_checkpoint's, in seconds

    def figures(self) -> tuple[Figure, Figure, Figure, Figure]:
        return self.tree, self.checkpoint, self.verify, self.sign


async def filled(
    stack: contextlib.AsyncExitStack,
    dbs: Databases,
    mode: Mode,
    size: int,
    folder: Path,
    progress: Callable[[str], None],
) -> tuple[Log, Figure]:
    """A fresh ledger in ``mode`` filled with ``size`` events, and the fill's figure."""
    pool = await ledger_pool(stack, dbs, mode)
    progress(f"sm: filling the {mode.name} log, {size:,} events")
    seconds = await fill(pool, size, progress)
    vacuum = await timed(
        lambda: pool.execute("VACUUM ANALYZE ledger_events, ledger_seal", timeout=3600)
    )
    n = f"{size:,}"
    fill_figure = Figure(
        f"M-fill{mode.suffix}",
        f"fill: EventStore.append, {PER_CALL:,} events/call, {FILL_CLIENTS} clients,"
        f" {mode.name} (setup, once)",
        "events/s",
        [size / seconds],
        note=f"{n} events in {seconds:.1f} s; then VACUUM ANALYZE, {vacuum:.1f} s (in no row)",
    )
    if mode is SM:
        fill_figure.note += f"\n{await _chain_where(pool)}"
    with structlog.testing.capture_logs():  # the new key's warning: not onto the table
        signer = load_signer(ORIGIN, None, folder, mode.crypto)
    in_sql = mode is SHA or await sm3_in_database(pool)
    inner = "in SQL" if in_sql else "in Python (no pgcrypto: a cursor over every inner node)"
    log = Log(
        mode,
        pool,
        signer,
        size,
        Figure(
            f"M-tree{mode.suffix}",
            f"extend_all: Merkle tree over the {n} events, from empty, {mode.name}",
            "leaves/s",
        ),
        Figure(
            f"M-ckpt{mode.suffix}",
            f"make_checkpoint at {n} leaves (tree already at the head), {mode.name}",
            "checkpoints/s",
            note="each: extend_all (nothing to add), Tree.root, the seal read, the signature,"
            f" the insert; {CHECKPOINTS} a repetition",
        ),
        Figure(
            f"M-verify{mode.suffix}",
            f"verify_ledger over {n} events, 1 checkpoint, {mode.name}",
            "events/s",
            note=f"the tree's inner nodes checked {inner}",
        ),
        Figure(
            f"M-sign{mode.suffix}",
            f"raw signature of a checkpoint's body, {'SM2 with SM3' if mode is SM else 'Ed25519'}",
            "signs/s",
        ),
    )
    return log, fill_figure


async def empty_tree(pool: asyncpg.Pool) -> None:
    """The Merkle tree emptied (bench only), so that ``extend_all`` builds it again."""
    async with pool.acquire() as conn, conn.transaction():
        for statement in EMPTY_TREE:
            await conn.execute(statement)


async def log_round(log: Log, signatures: int) -> None:
    """One repetition on ``log``: the tree from empty, checkpoints, verify, raw signatures."""
    pool = log.pool
    await empty_tree(pool)
    seconds = await timed(lambda: extend_all(pool))
    if (built := await Tree(pool).size()) != log.size:
        raise RuntimeError(f"extend_all left a tree of {built:,} leaves, not {log.size:,}")
    log.tree.rates.append(log.size / seconds)

    note = await make_checkpoint(pool, log.signer)  # warm-up; the first round stores it
    times = [await timed(lambda: make_checkpoint(pool, log.signer)) for _ in range(CHECKPOINTS)]
    log.checkpoint.rates.append(len(times) / sum(times))
    log.samples += times

    report = await verify_ledger(pool, log.signer.verifier_key)
    if not report.ok or report.events != log.size or report.checkpoints != 1:
        raise RuntimeError(
            f"ledger verify did not pass on the {log.mode.name} log: {report.events:,} events,"
            f" {report.checkpoints} checkpoints, findings:"
            f" {'; '.join(map(str, report.findings))}"
        )
    log.verify.rates.append(report.rate)

    body = note[: note.index("\n\n") + 1].encode()  # the signed note's body
    key = log.signer.private_key
    started = time.perf_counter()
    for _ in range(signatures):
        key.sign(body)
    log.sign.rates.append(signatures / (time.perf_counter() - started))


async def sm_mode(
    dbs: Databases, scale: float, repeat: int, progress: Callable[[str], None]
) -> list[Figure]:
    """The section: appends (1 event a call, 8 clients; 100 a call, 1 client), the fill,
    then on the filled logs the tree, checkpoints, verify and raw signatures; SM against
    SHA-256 for each, the repetitions interleaved."""

    def n(count: float) -> int:
        return max(5, round(count * scale))

    size = max(MIN_LOG, round(LOG * scale)) // PER_CALL * PER_CALL
    signatures = max(MIN_SIGNATURES, round(SIGNATURES * scale))
    async with contextlib.AsyncExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ledger-bench-sm-")))
        progress("sm: EventStore.append on a SHA-256 ledger and an SM3 one")
        appended = [
            *await appends(stack, dbs, 1, n(4000), 8),
            *await appends(stack, dbs, 100, n(60), 1),
        ]
        made = [await filled(stack, dbs, mode, size, folder, progress) for mode in MODES]
        (sha, sha_fill), (sm, sm_fill) = made
        paired(sha_fill, sm_fill, vs_a=True)
        for sha_figure, sm_figure in zip(sha.figures(), sm.figures(), strict=True):
            paired(sha_figure, sm_figure, vs_a=False)
        for rep in range(repeat):
            progress(f"sm: round {rep + 1} of {repeat}")
            for measured in appended:
                if measured.once is not None:
                    measured.figure.rates.append(await measured.once())
            for log in (sha, sm):
                await log_round(log, signatures)
    for log in (sha, sm):
        log.checkpoint.p50_ms = percentile(log.samples, 50) * 1000
        log.checkpoint.p99_ms = percentile(log.samples, 99) * 1000
        log.checkpoint.note += (
            f"\np50 {log.checkpoint.p50_ms:.2f} ms, p99 {log.checkpoint.p99_ms:.2f} ms"
        )
    return [
        *(m.figure for m in appended),
        sha_fill,
        sm_fill,
        *(f for pair in zip(sha.figures(), sm.figures(), strict=True) for f in pair),
    ]
