"""A primary and a streaming replica of it, both private clusters of one test: PostgreSQL's
own physical replication, as an operator (or Patroni) would set it up."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.faults.conftest import Cluster, Rig

STANDBY = "standby1"  # the replica's application_name, named by synchronous_standby_names
STREAMING_WITHIN = 30.0


@dataclass
class Pair:
    primary: Cluster
    standby: Cluster

    def url(self, database: str = "ledger") -> str:
        """Both hosts; a connection goes to whichever of them takes writes."""
        hosts = f"{self.primary.root},{self.standby.root}"
        return f"postgresql://postgres@/{database}?host={hosts}&target_session_attrs=read-write"

    async def promote(self) -> None:
        """The replica becomes a primary (``pg_ctl promote``, waiting until it is one)."""
        await self.standby._run("pg_ctl", "-D", str(self.standby.data), "-w", "promote")


async def base_backup(source: Cluster, target: Cluster, *options: str) -> None:
    """``pg_basebackup`` of the running ``source`` into ``target``'s data folder (its WAL
    streamed alongside, so the copy is whole on its own)."""
    await target._run(
        "pg_basebackup",
        *("-D", str(target.data), "-h", str(source.root), "-U", "postgres"),
        *("-X", "stream", "-c", "fast", "--no-sync", *options),
    )


async def standby_of(primary: Cluster, *, synchronous: bool) -> Cluster:
    """A replica made by ``pg_basebackup`` from the running ``primary``, started and
    streaming; with ``synchronous``, a commit on the primary waits for its WAL to be
    flushed on the replica too (synchronous_commit=on), so an acknowledged commit is on
    both."""
    standby = Cluster()
    # -R: standby.signal, and primary_conninfo in postgresql.auto.conf
    await base_backup(primary, standby, "-R")
    with (standby.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"primary_conninfo = 'host={primary.root} user=postgres application_name={STANDBY}'\n"
            # Queries on the replica hold back the cleanup they would conflict with.
            "hot_standby_feedback = on\n"
        )
    await standby.start()
    admin = await asyncpg.connect(primary.url("postgres"), timeout=10)
    try:
        if synchronous:
            # Set on the primary alone: a promoted replica must not wait for a standby.
            await admin.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{STANDBY}'")
            await admin.execute("SELECT pg_reload_conf()")
        wanted = "sync" if synchronous else "async"
        deadline = time.monotonic() + STREAMING_WITHIN
        while (
            await admin.fetchval(
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = $1", STANDBY
            )
            != wanted
        ):
            assert time.monotonic() < deadline, f"the replica is not streaming ({wanted})"
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    return standby


@contextlib.asynccontextmanager
async def replicated_rig(folder: Path, *, synchronous: bool) -> AsyncIterator[tuple[Pair, Rig]]:
    """A primary with an empty database ``ledger`` and a streaming replica of it; a rig
    given both hosts (``Pair.url``); after, every process and both clusters stopped and
    removed."""
    data_dir = folder / "data"
    data_dir.mkdir()
    primary = Cluster()
    standby: Cluster | None = None
    rig: Rig | None = None
    try:
        await primary.init()
        await primary.start()
        admin = await asyncpg.connect(primary.url("postgres"), timeout=10)
        try:
            await admin.execute('CREATE DATABASE "ledger"')
        finally:
            await admin.close()
        standby = await standby_of(primary, synchronous=synchronous)
        pair = Pair(primary, standby)
        rig = Rig(pair.url(), data_dir)
        yield pair, rig
    finally:
        if rig is not None:
            await rig.close()
        for cluster in (standby, primary):
            if cluster is not None:
                if cluster.running:
                    with contextlib.suppress(AssertionError, TimeoutError):
                        await cluster.stop("immediate")
                cluster.remove()
