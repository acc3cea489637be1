"""Primary failover: a primary and a synchronous streaming replica, the service given both
hosts (``target_session_attrs=read-write``). Under a write load the primary is stopped
hard (``pg_ctl stop -m immediate``: no checkpoint, every session cut) and the replica
promoted. The same `ledger serve` writes again within a bounded time, without a restart;
every acknowledged clue is on the new primary at the position it was answered with, the
log is gapless and sealed, each request sent again with its key has exactly one result,
the read models and the Merkle tree go on, and `ledger verify` holds."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.faults.conftest import caught_up, clue, sealed, until
from tests.faults.replication import replicated_rig
from tests.faults.writes import (
    SUBJECT,
    Sent,
    assert_sealed_and_gapless,
    clue_events,
    http,
    keys_held,
    send_again,
)

pytestmark = pytest.mark.faults

CLIENTS = 8
LOAD_SECONDS = 2.0  # before the primary is stopped, and again once writes succeed
WRITES_AGAIN_WITHIN = 20.0  # seconds from the promotion to the first acknowledged write


@dataclass
class Timeline:
    stopped: float = 0.0  # `pg_ctl stop -m immediate` of the primary had returned
    promoted: float = 0.0  # `pg_ctl promote -w` of the replica had returned
    first_after: float | None = None  # the first 201 of a request sent after the promotion


async def write(
    session: aiohttp.ClientSession,
    url: str,
    client: int,
    sent: list[Sent],
    refusals: list[int],
    timeline: Timeline,
    stop: asyncio.Event,
) -> None:
    """Send clues one after another; a request refused or cut off counts as unanswered
    (it is sent again with its key at the end), and the next one is sent at once."""
    n = 0
    while not stop.is_set():
        n += 1
        request = Sent(f"failover-{client}-{n}", clue(f"failover-{client:02d}-{n:05d}"))
        sent.append(request)
        began = time.monotonic()
        try:
            async with session.post(
                f"{url}/v1/clues", json=request.body, headers={"Idempotency-Key": request.key}
            ) as answer:
                text = await answer.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise AssertionError(f"no answer from the server: {error!r}") from error
        if answer.status == 201:
            request.answer = json.loads(text)
            if timeline.promoted and began >= timeline.promoted and timeline.first_after is None:
                timeline.first_after = time.monotonic()
            continue
        # Between the stop and the promotion: no primary anywhere, a prompt 503.
        assert answer.status == 503, f"{answer.status}: {text}"
        assert answer.content_type == "application/problem+json" and answer.headers["Retry-After"]
        refusals.append(answer.status)
        await asyncio.sleep(0.05)


async def test_a_promoted_replica_takes_the_writes_and_holds_every_acknowledged_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    async with replicated_rig(tmp_path_factory.mktemp("failover"), synchronous=True) as (
        pair,
        rig,
    ):
        token = rig.token(Role.INTEGRATION, SUBJECT)
        api = await rig.serve("serve", LEDGER_CHECKPOINT_INTERVAL="0.5", LEDGER_CONNECT_TIMEOUT="2")
        sent: list[Sent] = []
        refusals: list[int] = []
        timeline = Timeline()
        stop = asyncio.Event()
        async with http(token, CLIENTS) as session:
            writers = [
                asyncio.create_task(write(session, api.url, c, sent, refusals, timeline, stop))
                for c in range(CLIENTS)
            ]
            await asyncio.sleep(LOAD_SECONDS)
            before = sum(s.answer is not None for s in sent)
            await pair.primary.stop("immediate")
            timeline.stopped = time.monotonic()
            await asyncio.sleep(1.0)  # the writes meet no primary
            await pair.promote()
            timeline.promoted = time.monotonic()

            async def writing_again() -> bool:
                return timeline.first_after is not None

            await until(writing_again, WRITES_AGAIN_WITHIN, "an acknowledged write")
            await asyncio.sleep(LOAD_SECONDS)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*writers), 30)

            assert before >= 20, "the load ran before the stop"
            assert refusals, "no write met the missing primary"
            assert timeline.first_after is not None
            took = timeline.first_after - timeline.promoted
            print(
                f"\nfailover: {len(sent)} writes, {len(refusals)} answered 503;"
                f" writes again {took:.2f} s after the promotion,"
                f" {timeline.first_after - timeline.stopped:.2f} s after the stop"
            )
            assert api.running, api.output()

            acknowledged = [s for s in sent if s.answer is not None]
            conn = await asyncpg.connect(pair.standby.url("ledger"), timeout=10)
            try:
                # On the new primary: every acknowledged clue, at the position answered.
                streams = await clue_events(conn, [s.clue_id for s in sent])
                for request in acknowledged:
                    assert request.answer is not None
                    assert streams[request.clue_id] == [request.answer["position"]], request.key
                await assert_sealed_and_gapless(conn)
                held = await keys_held(conn)
                assert set(held) == {s.key for s in sent if s.clue_id in streams}

                # Each request sent again with its key: exactly one result.
                limit = asyncio.Semaphore(CLIENTS)
                again = await asyncio.gather(
                    *(send_again(session, api.url, s, limit) for s in sent)
                )
                for request, (status, replayed, answer) in zip(sent, again, strict=True):
                    assert status == 201, answer
                    assert replayed == (request.clue_id in streams), request.key
                    if request.answer is not None:
                        assert answer == request.answer
                head = await assert_sealed_and_gapless(conn)
                assert head == len(sent)  # one event per clue: none twice, none lost

                # The read models' worker and the sealer found the new primary too.
                await caught_up(conn, 30)
                await until(lambda: sealed(conn), 30, "the Merkle tree at the head")
            finally:
                await conn.close()
        assert await api.stop() == 0, api.output()
        status, out, err = await rig.run("checkpoint")
        assert status == 0, err
        status, out, err = await rig.run("verify")
        assert status == 0, out + err
        assert f"ledger verified: {len(sent):,} events" in out
