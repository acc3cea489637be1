"""Disk full under a write load: the ledger's database lives on a small tmpfs of its own (a
tablespace), which is filled up while clues are written. Every answer is a 201 or a
prompt 503 problem+json with Retry-After (the server's "could not extend file: No space
left on device", class 53), none a 500; nothing is half-written; once room is made the same
`ledger serve` writes again without a restart, and no acknowledged clue is lost.

The WAL stays on the cluster's own disk: a full WAL disk makes PostgreSQL itself stop
(PANIC), which is the database restart of test_database_restart.py. Mounting needs root:
elsewhere the test is skipped, saying so."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.faults.conftest import PG_USER, caught_up, clue, private_rig, sealed, until
from tests.faults.writes import SUBJECT, Sent, assert_sealed_and_gapless, clue_events, http

pytestmark = pytest.mark.faults

CLIENTS = 8
ROOM = "48m"  # the tmpfs: the new database (about 8 MB) and what the load writes
LEFT = 256 * 1024  # bytes left free by the filler: a few extensions of the log's files
FULL_FOR = 2.0  # seconds the load runs against the full disk
WRITES_AGAIN_WITHIN = 15.0


@contextmanager
def small_disk() -> Iterator[Path]:
    """A tmpfs of ``ROOM`` mounted on a folder of /tmp, owned by the database's user."""
    folder = Path(tempfile.mkdtemp(prefix="faults-disk-"))  # reachable by that user
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={ROOM},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here (root needed): {mounted.stderr.strip()}")
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, PG_USER)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def fill(disk: Path) -> Path:
    """A file taking all the room on ``disk`` but ``LEFT`` bytes."""
    filler = disk / "filler"
    room = os.statvfs(disk)
    size = max(0, room.f_bavail * room.f_frsize - LEFT)
    with filler.open("wb") as out:
        out.truncate(0)
        chunk = b"\0" * (1 << 20)
        while size > 0:
            size -= out.write(chunk[: min(size, len(chunk))])
    return filler


async def write(
    session: aiohttp.ClientSession,
    url: str,
    client: int,
    sent: list[Sent],
    refused: list[str],
    stop: asyncio.Event,
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        request = Sent(f"full-{client}-{n}", clue(f"full-{client:02d}-{n:05d}"))
        sent.append(request)
        async with session.post(
            f"{url}/v1/clues", json=request.body, headers={"Idempotency-Key": request.key}
        ) as answer:
            text = await answer.text()
        if answer.status == 201:
            request.answer = json.loads(text)
            continue
        assert answer.status == 503, f"{answer.status}: {text}"
        assert answer.content_type == "application/problem+json" and answer.headers["Retry-After"]
        refused.append(text)
        await asyncio.sleep(0.05)


async def test_a_full_disk_answers_503_writes_nothing_half_and_recovers_when_room_is_made(
    tmp_path: Path,
) -> None:
    with small_disk() as disk:
        async with private_rig(tmp_path) as (cluster, rig):
            admin = await asyncpg.connect(cluster.url("postgres"), timeout=10)
            try:
                await admin.execute('DROP DATABASE "ledger"')
                await admin.execute(f"CREATE TABLESPACE small LOCATION '{disk}'")
                await admin.execute('CREATE DATABASE "ledger" TABLESPACE small')
            finally:
                await admin.close()
            token = rig.token(Role.INTEGRATION, SUBJECT)
            api = await rig.serve("serve", LEDGER_CHECKPOINT_INTERVAL="0.5")
            sent: list[Sent] = []
            refused: list[str] = []
            stop = asyncio.Event()
            async with http(token, CLIENTS) as session:
                writers = [
                    asyncio.create_task(write(session, api.url, c, sent, refused, stop))
                    for c in range(CLIENTS)
                ]
                await asyncio.sleep(1.0)
                filler = fill(disk)

                async def refusing() -> bool:
                    return len(refused) >= 10

                await until(refusing, 30, "writes refused on the full disk")
                await asyncio.sleep(FULL_FOR)
                filler.unlink()
                made_room = time.monotonic()
                at = len(sent)

                async def writing_again() -> bool:
                    return any(s.answer is not None for s in sent[at:])

                await until(writing_again, WRITES_AGAIN_WITHIN, "writes acknowledged again")
                took = time.monotonic() - made_room
                print(f"\ndisk full: {len(refused)} refused; writes again {took:.2f} s after")
                await asyncio.sleep(1.0)
                stop.set()
                await asyncio.wait_for(asyncio.gather(*writers), 30)
            assert all("out of room" in text for text in refused), refused[:3]
            assert api.running, api.output()

            conn = await asyncpg.connect(rig.database_url, timeout=10)
            try:
                head = await assert_sealed_and_gapless(conn)
                streams = await clue_events(conn, [s.clue_id for s in sent])
                acknowledged = [s for s in sent if s.answer is not None]
                for request in acknowledged:
                    assert request.answer is not None
                    assert streams[request.clue_id] == [request.answer["position"]]
                # Refused means not written: the log holds the acknowledged ones alone.
                assert head == len(streams) == len(acknowledged)
                await caught_up(conn, 30)
                await until(lambda: sealed(conn), 30, "the Merkle tree at the head")
            finally:
                await conn.close()
            assert await api.stop() == 0, api.output()
            status, out, err = await rig.run("verify")
            assert status == 0, out + err
