"""kill -9 of `ledger serve` under a write load: every acknowledged clue is in the log,
sealed and whole, and nothing half-written; a new server answers every request sent
again with its Idempotency-Key exactly once; `ledger verify` holds after."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.faults.conftest import Rig, caught_up, clue
from tests.faults.writes import (
    REQUEST_TIMEOUT,
    SUBJECT,
    Sent,
    assert_sealed_and_gapless,
    clue_events,
    http,
    keys_held,
    send_again,
)

pytestmark = pytest.mark.faults

CLIENTS = 16
LOAD_SECONDS = 2.0


async def write_until_killed(
    session: aiohttp.ClientSession, url: str, client: int, sent: list[Sent], killed: asyncio.Event
) -> None:
    """Send clues one after another; stop when the server is gone (and only then)."""
    n = 0
    while not killed.is_set():
        n += 1
        request = Sent(f"faults-{client}-{n}", clue(f"faults-{client:02d}-{n:05d}"))
        sent.append(request)
        try:
            async with session.post(
                f"{url}/v1/clues", json=request.body, headers={"Idempotency-Key": request.key}
            ) as answer:
                text = await answer.text()
        except (aiohttp.ClientError, TimeoutError):
            if killed.is_set():
                return  # in flight when the process died: not acknowledged
            raise
        assert answer.status == 201, f"{answer.status} before the kill: {text}"
        request.answer = json.loads(text)


async def test_a_killed_api_loses_no_acknowledged_clue_and_half_writes_none(rig: Rig) -> None:
    token = rig.token(Role.INTEGRATION, SUBJECT)
    worker = await rig.start("project", "project")
    api = await rig.serve("serve-1", "--no-projections")
    sent: list[Sent] = []
    killed = asyncio.Event()
    async with http(token, CLIENTS) as session:
        writers = [
            asyncio.create_task(write_until_killed(session, api.url, c, sent, killed))
            for c in range(CLIENTS)
        ]
        await asyncio.sleep(LOAD_SECONDS)
        killed.set()  # first: an error after this is the kill's
        await rig.kill(api)
        await asyncio.wait_for(asyncio.gather(*writers), REQUEST_TIMEOUT + 5)
    acknowledged = [s for s in sent if s.answer is not None]
    in_flight = [s for s in sent if s.answer is None]
    assert len(acknowledged) >= 50 and in_flight, "the kill came during the load"

    conn = await asyncpg.connect(rig.database_url, timeout=10)
    try:
        await assert_sealed_and_gapless(conn)
        streams = await clue_events(conn, [s.clue_id for s in sent])
        held = await keys_held(conn)
        for request in sent:
            positions = streams.get(request.clue_id)
            # All or nothing: the clue's event with its key, or neither.
            assert (positions is None) == (request.key not in held), request.key
            if positions is not None:
                assert positions == [held[request.key]["held_at"]]
                assert held[request.key]["id"] == str(request.clue_id)
        for request in acknowledged:
            assert request.answer is not None
            assert request.answer["id"] == str(request.clue_id)
            assert request.answer["version"] == 1
            assert streams[request.clue_id] == [request.answer["position"]]
        assert len(streams) == len(held) >= len(acknowledged)

        # A new server; every request sent again with its key.
        api = await rig.serve("serve-2", "--no-projections")
        limit = asyncio.Semaphore(CLIENTS)
        async with http(token, CLIENTS) as session:
            again = await asyncio.gather(*(send_again(session, api.url, s, limit) for s in sent))
        for request, (status, replayed, answer) in zip(sent, again, strict=True):
            assert status == 201, answer
            assert answer["id"] == str(request.clue_id)
            # Written before the kill (acknowledged or not): the first answer, replayed.
            assert replayed == (request.clue_id in streams), request.key
            if request.answer is not None:
                assert answer == request.answer
        head = await assert_sealed_and_gapless(conn)
        assert head == len(sent)  # one event per clue: none twice
        assert set(await clue_events(conn, [s.clue_id for s in sent])) == {s.clue_id for s in sent}
        assert set(await keys_held(conn)) == {s.key for s in sent}

        # The worker lived through it all and holds each clue once.
        await caught_up(conn, 30)
        current = await conn.fetchval("SELECT count(*) FROM rec_clues WHERE known_to IS NULL")
        assert current == len(sent)
    finally:
        await conn.close()
    assert await api.stop() == 0
    assert await worker.stop() == 0

    status, out, err = await rig.run("checkpoint")
    assert status == 0, err
    status, out, err = await rig.run("verify")
    assert status == 0, out + err
    assert f"ledger verified: {len(sent):,} events" in out
