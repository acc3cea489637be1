"""An SM ledger on a PostgreSQL that computes SM3 itself (the distribution's PostgreSQL with
pgcrypto, in a private cluster): the chain's links are pgcrypto's, and they are the bytes
the application computes where the database cannot (``infra/sealing.py`` on the embedded
server); `ledger verify` checks the stored tree in SQL with SM3, and finds an altered node.

Skipped, saying so, where no such PostgreSQL is installed (Debian: ``postgresql-15``)."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from ledger.application import Context, Ledger
from ledger.application.commands import RegisterPerson
from ledger.bootstrap import prepare
from ledger.infra.checkpoints import load_signer, make_checkpoint
from ledger.infra.codec import make_mapper
from ledger.infra.crypto import sm3_in_database
from ledger.infra.database import create_pool
from ledger.infra.eventstore import EventStore
from ledger.infra.leaf import leaf_bytes
from ledger.infra.sealing import seals_here
from ledger.infra.verify import verify_ledger
from ledger.offline import SM3_SM2, node_hash, sm3

INSTALLED = sorted(
    p.parent
    for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")
    if Path(f"/usr/share/postgresql/{p.parents[1].name}/extension/pgcrypto.control").exists()
)
pytestmark = pytest.mark.skipif(
    not INSTALLED, reason="no PostgreSQL with pgcrypto installed (Debian: postgresql-15)"
)
USER = "postgres" if os.geteuid() == 0 else None  # initdb refuses root


async def _run(tool: Path, *args: str) -> None:
    done = await asyncio.create_subprocess_exec(
        str(tool), *args, user=USER, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    _, err = await asyncio.wait_for(done.communicate(), 60)
    assert done.returncode == 0, f"{tool.name}: {err.decode()}"


@pytest.fixture(scope="module")
async def pg_url() -> AsyncIterator[str]:
    """A private cluster of the newest installed PostgreSQL with pgcrypto, on a socket."""
    binaries = INSTALLED[-1]
    root = Path(tempfile.mkdtemp(prefix="sm-pg-"))
    if USER is not None:
        shutil.chown(root, USER)
    data = root / "data"
    try:
        await _run(binaries / "initdb", "-D", str(data), "-U", "postgres", "--auth=trust",
                   "--no-sync", "--encoding=utf8")  # fmt: skip
        await _run(binaries / "pg_ctl", "-D", str(data), "-o", f"-h '' -k {root}",
                   "-l", str(root / "log"), "-w", "start")  # fmt: skip
        admin = await asyncpg.connect(f"postgresql://postgres@/postgres?host={root}")
        await admin.execute('CREATE DATABASE "ledger"')
        await admin.close()
        yield f"postgresql://postgres@/ledger?host={root}"
    finally:
        if (data / "postmaster.pid").exists():
            await _run(binaries / "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


async def test_pgcrypto_links_are_the_applications_and_verify_checks_the_tree_in_sql(
    pg_url: str, tmp_path: Path
) -> None:
    pool = await create_pool(pg_url, 1, 4)
    try:
        await prepare(pool, crypto="sm")  # installs pgcrypto, checks its SM3 of "abc"
        assert await sm3_in_database(pool) and not await seals_here(pool)
        for size in (0, 1, 55, 56, 64, 1000):
            previous, leaf = secrets.token_bytes(32), secrets.token_bytes(size)
            linked = await pool.fetchval(
                "SELECT ledger_chain_step('sm3-sm2', $1, $2)", previous, leaf
            )
            assert bytes(linked) == sm3(previous + leaf), size

        ledger = Ledger(EventStore(pool), make_mapper(), secrets.token_bytes(32))
        for n in range(20):
            await ledger.persons.register_person(
                Context(actor="tester"), RegisterPerson(name=f"人员{n:02d}", person_no=f"S-{n}")
            )
        rows = await pool.fetch(
            "SELECT e.*, s.recorded_at, s.chain_hash FROM ledger_events e"
            " JOIN ledger_seal s USING (position) ORDER BY position"
        )
        chain = bytes(32)
        for row in rows:  # as infra/sealing.links computes each link
            chain = sm3(chain + leaf_bytes(row))
            assert chain == bytes(row["chain_hash"]), row["position"]
        assert len(rows) == 20

        signer = load_signer("ledger.test/pgcrypto", None, tmp_path, SM3_SM2)
        await make_checkpoint(pool, signer)
        report = await verify_ledger(pool, signer.verifier_key)
        assert report.ok and report.events == 20, report.findings
        fake = node_hash(bytes(32), bytes(32), SM3_SM2)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                "UPDATE merkle_nodes SET hash = $1 WHERE level = 2 AND idx = 1", fake
            )
        report = await verify_ledger(pool, signer.verifier_key)
        assert not report.ok and report.findings[0].kind == "tree node altered"
    finally:
        await pool.close()
