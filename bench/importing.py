"""History in bulk: `ledger import` of a province's five years against a raw COPY of the
same rows.

The file is the generated province (`ledger.demo.province`, seeded) at 0.55 × ``--scale``
(at 1.0: about a million events; the whole province is 1.9 million), written once to a
temporary file. Then, on a fresh ledger:

- I-import: the real `ledger import FILE` (a process of its own, as an operator runs it):
            every line checked through the commands' rules, the rows sealed and copied in one
            transaction; its rate is the command's own (from reading the file to the commit);
- I-copy:   the baseline: the very rows it wrote (events and seals), read back, COPYed by
            asyncpg into identical tables (`LIKE … INCLUDING ALL`: the same indexes) in one
            transaction;
- I-again:  the same file imported again: every line skipped, nothing written (lines/s);
- I-tree:   the Merkle tree over the imported log and a signed checkpoint (the sealer's work);
- I-verify: `ledger verify` of the imported ledger (the seal, the tree, the checkpoint).
- I-rss:    the peak resident memory of the import process (MB).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
from figures import Figure
from processes import run_measured

from ledger.demo.province import write_province
from ledger.infra.checkpoints import load_signer, make_checkpoint
from ledger.infra.verify import verify_ledger

LEDGER = Path(sys.executable).with_name("ledger")
EVENT_COLUMNS = ("position", "stream_id", "stream_version", "topic", "state", "tags")
SEAL_COLUMNS = ("position", "recorded_at", "chain_hash")
PROVINCE = 0.55  # of the generated province at --scale 1: about a million events


async def importing(
    url: str, pool: asyncpg.Pool, scale: float, say: Callable[[str], None]
) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="ledger-bench-import-") as folder:
        file = Path(folder) / "province.jsonl"
        with file.open("w", encoding="utf-8") as out:
            lines = write_province(out, scale=PROVINCE * scale)
        say(f"import: a province of {lines:,} lines written; `ledger import` it")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env |= {
            "LEDGER_DATABASE_URL": url,
            "LEDGER_DATA_DIR": folder,
            "LEDGER_LOG_LEVEL": "warning",
        }
        first = _import(file, env)
        say("import: the same file again, then the raw COPY of the same rows")
        again = _import(file, env)
        copy_rate = await _raw_copy(pool)
        say("import: the tree and a checkpoint, then ledger verify")
        signer = load_signer("ledger.bench/import", None, Path(folder))
        start = time.perf_counter()
        await make_checkpoint(pool, signer)
        tree_rate = first["events"] / (time.perf_counter() - start)
        start = time.perf_counter()
        report = await verify_ledger(pool, signer.verifier_key)
        verify_rate = first["events"] / (time.perf_counter() - start)
        assert report.ok, report.findings
    events = first["events"]
    return [
        _figure(
            "I-copy",
            f"raw asyncpg COPY of the same {events:,} rows + seals (baseline)",
            "events/s",
            copy_rate,
        ),
        _figure(
            "I-import",
            f"ledger import of {first['lines']:,} lines, {events:,} events",
            "events/s",
            first["events_per_second"],
            ref="I-copy",
        ),
        _figure(
            "I-again",
            "the same file again: every line skipped, nothing written",
            "lines/s",
            again["skipped"] / again["seconds"],
            ratios=False,
        ),
        _figure(
            "I-tree",
            "Merkle tree and a signed checkpoint over the import",
            "events/s",
            tree_rate,
            ratios=False,
        ),
        _figure(
            "I-verify",
            "ledger verify of the imported ledger",
            "events/s",
            verify_rate,
            ratios=False,
        ),
        _figure(
            "I-rss",
            "peak resident memory of the ledger import process",
            "MB",
            first["rss_mb"],
            ratios=False,
        ),
    ]


def _import(file: Path, env: dict[str, str]) -> dict[str, float]:
    ran = run_measured([str(LEDGER), "import", str(file), "--actor", "operator:bench"], env)
    if ran.returncode != 0:
        raise RuntimeError(f"ledger import failed: {ran.stderr[-2000:]}")
    summary: dict[str, float] = json.loads(ran.stdout)
    summary["rss_mb"] = ran.peak_mb
    return summary


async def _raw_copy(pool: asyncpg.Pool) -> float:
    """The imported rows, read back, COPYed into identical tables in one transaction."""
    async with pool.acquire() as conn:
        events = await conn.fetch(f"SELECT {', '.join(EVENT_COLUMNS)} FROM ledger_events")
        seals = await conn.fetch(f"SELECT {', '.join(SEAL_COLUMNS)} FROM ledger_seal")
        await conn.execute("CREATE TABLE bench_events (LIKE ledger_events INCLUDING ALL)")
        await conn.execute("CREATE TABLE bench_seal (LIKE ledger_seal INCLUDING ALL)")
        records = [tuple(r.values()) for r in events]
        seal_records = [tuple(r.values()) for r in seals]
        start = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("bench_events", records=records, columns=EVENT_COLUMNS)
            await conn.copy_records_to_table(
                "bench_seal", records=seal_records, columns=SEAL_COLUMNS
            )
        return len(records) / (time.perf_counter() - start)


def _figure(
    key: str, what: str, unit: str, rate: float, *, ratios: bool = True, ref: str | None = None
) -> Figure:
    return Figure(key, what, unit, rates=[rate], ratios=ratios, ref=ref)
