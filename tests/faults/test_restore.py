"""Backup with point-in-time recovery, as ``infra/`` describes it: a base backup
(``pg_basebackup``) and the WAL archived as it fills (``archive_command``); the primary
lost; a new cluster restored from them to a named restore point. It holds every clue
acknowledged before that point and none after, `ledger verify` holds, and a `ledger serve`
on it writes on from the head."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.faults.conftest import Cluster, Rig, clue, private_rig, until
from tests.faults.replication import base_backup
from tests.faults.writes import SUBJECT, Sent, assert_sealed_and_gapless, clue_events, http

pytestmark = pytest.mark.faults

BATCH = 40  # clues written in each of the three stretches
POINT = "before-the-mistake"


async def written(session: aiohttp.ClientSession, url: str, stretch: str) -> list[Sent]:
    sent = [Sent(f"{stretch}-{n}", clue(f"{stretch}-{n:04d}")) for n in range(BATCH)]
    for request in sent:
        async with session.post(
            f"{url}/v1/clues", json=request.body, headers={"Idempotency-Key": request.key}
        ) as answer:
            assert answer.status == 201, await answer.text()
            request.answer = await answer.json()
    return sent


async def archiving(cluster: Cluster, archive: Path) -> None:
    """WAL segments copied to ``archive`` as they fill (a restart turns archive_mode on)."""
    conn = await asyncpg.connect(cluster.url("postgres"), timeout=10)
    try:
        await conn.execute("ALTER SYSTEM SET archive_mode = on")
        await conn.execute(
            f"ALTER SYSTEM SET archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'"
        )
    finally:
        await conn.close()
    await cluster.stop()
    await cluster.start()


async def test_a_point_in_time_restore_holds_the_log_to_that_point_and_verifies(
    tmp_path: Path,
) -> None:
    archive = Cluster().root  # a folder the database's user may write (a socket-less root)
    restored = Cluster()
    try:
        async with private_rig(tmp_path) as (cluster, rig):
            await archiving(cluster, archive)
            token = rig.token(Role.INTEGRATION, SUBJECT)
            api = await rig.serve("serve")
            async with http(token, 1) as session:
                first = await written(session, api.url, "first")
                await base_backup(cluster, restored)  # the restored cluster's data
                second = await written(session, api.url, "second")
                conn = await asyncpg.connect(rig.database_url, timeout=10)
                try:
                    await conn.execute(f"SELECT pg_create_restore_point('{POINT}')")
                    third = await written(session, api.url, "third")  # to be left out
                    segment = str(
                        await conn.fetchval("SELECT pg_walfile_name(pg_current_wal_lsn())")
                    )
                    await conn.execute("SELECT pg_switch_wal()")

                    async def archived() -> bool:
                        return (archive / segment).exists()

                    await until(archived, 30, "the last segment archived")
                finally:
                    await conn.close()
            assert await api.stop() == 0
            await cluster.stop("immediate")  # the primary is lost

        # The restore: the base backup, the archive, up to the restore point.
        (restored.data / "recovery.signal").touch()
        with (restored.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"restore_command = 'cp {archive}/%f %p'\n"
                f"recovery_target_name = '{POINT}'\n"
                "recovery_target_action = 'promote'\n"
                "archive_mode = off\n"
            )
        if restored.user is not None:
            shutil.chown(restored.data / "recovery.signal", restored.user)
        await restored.start()
        conn = await asyncpg.connect(restored.url("ledger"), timeout=10)
        try:

            async def promoted() -> bool:
                return not bool(await conn.fetchval("SELECT pg_is_in_recovery()"))

            await until(promoted, 60, "the restored cluster out of recovery")
            head = await assert_sealed_and_gapless(conn)
            kept = [*first, *second]
            streams = await clue_events(conn, [s.clue_id for s in [*kept, *third]])
            assert head == len(kept) == len(streams)
            for request in kept:
                assert request.answer is not None
                assert streams[request.clue_id] == [request.answer["position"]]
        finally:
            await conn.close()

        after = Rig(restored.url("ledger"), tmp_path / "data")  # the same keys
        try:
            status, out, err = await after.run("verify")
            assert status == 0, out + err
            assert f"ledger verified: {head:,} events" in out
            api = await after.serve("serve-restored")
            async with http(token, 1) as session:
                more = await written(session, api.url, "after")
            assert more[0].answer is not None and more[0].answer["position"] == head + 1
        finally:
            await after.close()
    finally:
        if restored.running:
            await restored.stop("immediate")
        restored.remove()
        shutil.rmtree(archive, ignore_errors=True)
