"""`make bench`: the ledger's writes, catch-up, closed loop and verification against baselines.

Starts its own embedded PostgreSQL in a temporary directory (or uses
LEDGER_BENCH_DATABASE_URL, a URL of a database on a server where the user may create
databases), makes a fresh database per scenario and prints one table. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from baseline_es import application_save, postgres_env
from catchup import projection
from clues_in import clues_in
from commands import assign_into_full_unit, register_persons
from databases import Databases, bench_server
from figures import Figure, table
from guarded import guarded
from http_load import http_load
from importing import _import, importing
from loop import closed_loop
from province_read import province_read
from replicated import replicated
from report import records, write_json, write_page
from seal import UnsealedStore, create_unsealed
from sm_mode import sm_mode
from verifiable import verifiable
from webhooks_out import webhooks_out
from writes import append_events, raw_insert

from ledger.demo.province import write_province
from ledger.infra.codec import make_mapper
from ledger.infra.database import create_pool
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import catch_up


def machine(load: tuple[float, float], server: dict[str, str]) -> dict[str, Any]:
    """The facts of the machine the run ran on, as the results file has them."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    return {
        "cores": os.cpu_count(),
        "cpu": models[0] if models else platform.processor() or "unknown CPU",
        "system": platform.system(),
        "kernel": platform.release(),
        "load_at_start": load[0],
        "load_at_end": load[1],
        "python": platform.python_version(),
        "libraries": {
            p: metadata.version(p) for p in ("asyncpg", "eventsourcing", "psycopg") if _installed(p)
        },
        "postgresql": server,
    }


def machine_facts(facts: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """The lines above the table."""
    pg = facts["postgresql"]
    versions = ", ".join(f"{name} {v}" for name, v in facts["libraries"].items())
    quick = ["quick:      true (--quick: every section small, to catch rot; not figures)"]
    return [
        *(quick if args.quick else []),
        f"machine:    {facts['cores']} cores ({facts['cpu']}), {facts['system']}"
        f" {facts['kernel']}; 1-min load average {facts['load_at_start']:.2f} at start,"
        f" {facts['load_at_end']:.2f} at end",
        f"postgresql: {pg['version']}, {pg['server']}; fsync={pg['fsync']},"
        f" synchronous_commit={pg['synchronous_commit']}, shared_buffers={pg['shared_buffers']}",
        f"python:     {facts['python']}; {versions}",
        f"run:        --scale {args.scale} --repeat {args.repeat}; each rate is the"
        " median over the repetitions, ratios are of medians",
    ]


async def server_facts(admin_url: str, embedded: bool) -> dict[str, str]:
    conn = await asyncpg.connect(admin_url)
    try:
        shown = {
            name: await conn.fetchval(f"SHOW {name}")
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        }
    finally:
        await conn.close()
    return {
        "version": shown.pop("server_version"),
        "server": "embedded (unix socket)" if embedded else "LEDGER_BENCH_DATABASE_URL",
        **shown,
    }


def _installed(package: str) -> bool:
    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


async def compared(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """The baselines, the appends (seal on and off) and the commands, their repetitions
    interleaved.

    Every scenario is set up first, each in its own fresh database; then each round runs
    one repetition of every scenario in turn, so a burst of outside load on the machine
    falls on all of them alike rather than on one.
    """
    reps = args.repeat

    def n(count: float) -> int:
        return max(5, round(count * args.scale))

    async with contextlib.AsyncExitStack() as stack:

        async def empty_db() -> str:
            return await stack.enter_async_context(dbs.fresh(ledger=False))

        async def ledger_pool(**options: Any) -> asyncpg.Pool:
            url = await stack.enter_async_context(dbs.fresh(ledger=True))
            if options:
                pool = await asyncpg.create_pool(url, min_size=2, max_size=10, **options)
            else:
                pool = await create_pool(url, 2, 10)
            stack.push_async_callback(pool.close)
            return pool

        progress("setting up: baselines A (raw asyncpg) and B (eventsourcing.postgres)")
        ready = [
            await raw_insert(stack, await empty_db(), n(1000), 1),
            await raw_insert(stack, await empty_db(), n(1200), 8),
        ]
        for per_save, saves, threads in ((1, n(400), 1), (1, n(480), 8), (100, n(24), 1)):
            env = postgres_env(dbs.params(await empty_db()))
            ready.append(await application_save(stack, env, per_save, saves, threads))
        progress("setting up: EventStore.append (seal on, and off) and Ledger commands")

        async def unsealed_pool() -> asyncpg.Pool:
            pool = await ledger_pool()
            await create_unsealed(pool)
            return pool

        off = ("-off", ", seal off (bench copy)")
        e1 = await append_events(await ledger_pool(), 1, n(600), 1)
        e1_off = await append_events(await unsealed_pool(), 1, n(600), 1, off, UnsealedStore)
        e100 = await append_events(await ledger_pool(), 100, n(60), 1)
        e100_off = await append_events(await unsealed_pool(), 100, n(60), 1, off, UnsealedStore)
        e1.figure.ref, e100.figure.ref = e1_off.figure.key, e100_off.figure.key  # seal on/off
        ready += [
            e1,
            e1_off,
            await append_events(await ledger_pool(), 1, n(960), 8),
            e100,
            e100_off,
            await register_persons(await ledger_pool(), n(250)),
        ]
        for existing, commands, settled in (
            (10, 90, True),
            (100, 60, True),
            (1000, 20, True),
            (10, 90, False),
        ):
            ready.append(
                await assign_into_full_unit(
                    await ledger_pool(), existing, n(commands), reps, settled
                )
            )
        for rep in range(reps):
            progress(f"round {rep + 1} of {reps}")
            for measured in ready:
                if measured.once is not None:
                    measured.figure.rates.append(await measured.once())
    return [m.figure for m in ready]


async def on_ledger(
    dbs: Databases, work: Callable[[str, asyncpg.Pool], Awaitable[list[Figure]]]
) -> list[Figure]:
    """Run ``work`` on a fresh ledger database (its URL and a pool), then close the pool."""
    async with dbs.fresh(ledger=True) as url:
        pool = await create_pool(url, 2, 10)
        try:
            return await work(url, pool)
        finally:
            await pool.close()


async def replica_cost(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """`EventStore.append` on a private primary alone, with an asynchronous streaming
    replica, with that replica synchronous (its own two clusters, not ``dbs``'s server)."""
    return await replicated(args.scale, args.repeat, progress)


async def caught_up(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    progress("projection: making the history, then catch-up and rebuild")
    size, reps = max(100, round(10_000 * args.scale)), min(args.repeat, 3)
    return await on_ledger(dbs, lambda _, pool: projection(pool, size, reps, 4))


async def looped(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """The closed loop (findings raised and closed, their read models and queries), each
    against a baseline measured in the same database."""
    reps = min(args.repeat, 3)
    return await on_ledger(dbs, lambda _, pool: closed_loop(pool, args.scale, reps, progress))


async def verified(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """Fill, tree, checkpoint, ``ledger verify`` and proofs on a log of a million events
    (times ``--scale``), each measured once (the proofs over many samples)."""
    size = max(10_000, round(1_000_000 * args.scale))
    return await on_ledger(dbs, lambda _, pool: verifiable(pool, size, progress))


async def sm_compared(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """SM mode (SM3 chain and tree, SM2 checkpoints) against SHA-256/Ed25519, each pair on
    two fresh databases of the same run: appends, fill, tree, checkpoint, verify, signing."""
    return await sm_mode(dbs, args.scale, args.repeat, progress)


async def read_guarded(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """The read path behind identities and row-level security, against the bare query."""
    progress("guarded reads: the demo data set, then the read path five ways")
    reps = min(args.repeat, 3)
    return await on_ledger(dbs, lambda url, pool: guarded(url, pool, args.scale, reps))


async def clues_delivered(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """Clues in batches of 1,000 against one a request, over HTTP."""
    progress("clues in: one a request, then batches of 1,000")
    reps = min(args.repeat, 3)
    return await on_ledger(dbs, lambda url, pool: clues_in(url, pool, args.scale, reps))


async def hooks_delivered(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """Webhook deliveries against signed POSTs to the same receiver."""
    progress("webhooks out: the floor, then one and ten subscriptions")
    reps = min(args.repeat, 3)
    return await on_ledger(dbs, lambda url, pool: webhooks_out(url, pool, args.scale, reps))


async def imported(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """`ledger import` of a generated province against a raw COPY of the same rows."""
    progress("import: generating the province")
    return await on_ledger(dbs, lambda url, pool: importing(url, pool, args.scale, progress))


async def province_side(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """The read side on the generated province at two sizes (about 100k and 1M events)."""
    return await province_read(dbs, args.scale, args.repeat, progress)


HTTP_PROVINCE = 0.055  # of the generated province at --scale 1: about 100,000 events


async def http_side(dbs: Databases, args: argparse.Namespace) -> list[Figure]:
    """The API over HTTP under 32 clients (a real `ledger serve`), on a generated province
    of about 100,000 events (× --scale), imported and caught up first. Last: it writes."""
    async with dbs.fresh(ledger=True) as url:
        with tempfile.TemporaryDirectory(prefix="ledger-bench-http-") as folder:
            file = Path(folder) / "province.jsonl"
            with file.open("w", encoding="utf-8") as out:
                lines = write_province(out, scale=HTTP_PROVINCE * args.scale)
            progress(f"http: a province of {lines:,} lines; `ledger import` it, catch up")
            env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
            env |= {"LEDGER_DATABASE_URL": url, "LEDGER_DATA_DIR": folder}
            _import(file, env | {"LEDGER_LOG_LEVEL": "warning"})
        pool = await create_pool(url, 1, 2)
        try:
            for projection in PROJECTIONS:
                await catch_up(pool, make_mapper(), projection, 2_000, TABLES[projection.name])
        finally:
            await pool.close()
        return await http_load(url, args.scale, args.repeat, progress)


SECTIONS = {
    "writes": compared,
    "replicated": replica_cost,
    "catchup": caught_up,
    "loop": looped,
    "verify": verified,
    "sm": sm_compared,
    "guarded": read_guarded,
    "clues": clues_delivered,
    "webhooks": hooks_delivered,
    "import": imported,
    "province": province_side,
    "http": http_side,
}


def progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


# --quick: every section at its smallest meaningful size. Two repetitions, not one, so
# that what runs only between repetitions (resets of read models, new subscriptions) runs.
QUICK = {"scale": 0.01, "repeat": 2}
DEFAULTS = {"scale": 1.0, "repeat": 5}


async def run(
    admin_url: str, port: int | None, embedded: bool, args: argparse.Namespace
) -> tuple[list[tuple[str, Figure]], dict[str, str], dict[str, float]]:
    """Every section asked for: its figures (each with its section's name), the server's
    facts, and each section's seconds."""
    dbs = Databases(admin_url, port)
    await dbs.make_template()
    try:
        figures: list[tuple[str, Figure]] = []
        seconds: dict[str, float] = {}
        for name, section in SECTIONS.items():
            if not args.only or name in args.only:
                started = time.perf_counter()
                figures += [(name, f) for f in await section(dbs, args)]
                seconds[name] = round(time.perf_counter() - started, 2)
                progress(f"section {name}: {seconds[name]:.1f} s")
        return figures, await server_facts(admin_url, embedded), seconds
    finally:
        await dbs.drop_template()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, help="multiply every size by this (default 1.0; --quick 0.01)"
    )
    parser.add_argument(
        "--repeat", type=int, help="repetitions per scenario (default 5; --quick 2)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="every section at a small size, in well under 3 minutes: to catch rot, not for"
        " figures; writes bench/results/quick.json, never latest.json or BENCHMARKS.md",
    )
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        default=set(),
        help=f"run only these sections (comma-separated: {', '.join(SECTIONS)})",
    )
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.scale <= 0 or args.repeat < 1:
        parser.error("--scale must be above 0 and --repeat at least 1")
    if args.only - set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")
    return args


def measure(
    args: argparse.Namespace,
) -> tuple[list[tuple[str, Figure]], dict[str, str], dict[str, float]]:
    """``run`` on the embedded server it starts (and removes), or on LEDGER_BENCH_DATABASE_URL's."""
    with bench_server(progress) as (admin_url, port, embedded):
        return asyncio.run(run(admin_url, port, embedded, args))


def commit() -> str | None:
    """The tree's commit (``-dirty`` if it has changes), if it is a git checkout."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def show(facts: dict[str, Any], args: argparse.Namespace, figures: list[Figure]) -> None:
    """The machine facts and the table, on stdout."""
    print("\n".join(machine_facts(facts, args)))
    print()
    print(table(figures, "A", "B"))
    for figure in figures:
        if figure.error:
            print(f"\n{figure.key} did not run: {figure.error}")


def outcome(
    args: argparse.Namespace,
    facts: dict[str, Any],
    started_at: str,
    wall: float,
    measured: tuple[list[tuple[str, Figure]], dict[str, float]],
) -> dict[str, Any]:
    """The results file's object (bench/README.md, "The outputs")."""
    figures, seconds = measured
    return {
        "machine": facts,
        "args": {
            "scale": args.scale,
            "repeat": args.repeat,
            "only": sorted(args.only),
            "quick": args.quick,
        },
        "quick": args.quick,
        "command": shlex.join(["bench/run.py", *sys.argv[1:]]),
        "commit": commit(),
        "started_at": started_at,
        "wall_seconds": round(wall, 2),
        "section_seconds": seconds,
        "figures": records(figures),
    }


def main() -> None:
    args = parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    figures, server, seconds = measure(args)
    facts = machine((load_at_start, os.getloadavg()[0]), server)
    show(facts, args, [f for _, f in figures])
    wall = time.perf_counter() - started
    print(f"\nwall time of the whole run: {wall:.1f} s")
    result = outcome(args, facts, started_at, wall, (figures, seconds))
    progress(f"results written to {write_json(result)}")
    if not args.quick:
        progress(f"table written to {write_page(result)}")


if __name__ == "__main__":
    main()
