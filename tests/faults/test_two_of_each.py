"""Two `ledger serve --no-projections` and two `ledger project` on one database, under a
mixed load sent to both servers in turn (clues, whole closed loops, a unit's chain): one
worker is active at a time, holding the workers' advisory lock; kill -9 of it and the
other takes over within seconds, its read models reaching the head while the load goes
on and, in the end, equal to a rebuild. A request sent again to the other server is
answered as it was the first time, and the log holds one record per Idempotency-Key."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import pytest
from eventsourcing.utils import get_topic

from ledger.domain.access import Role
from ledger.domain.catalogue import event_types
from ledger.domain.clue import clue_id
from ledger.domain.vocab import ClueSource
from tests.conftest import bearer
from tests.faults.conftest import (
    WORKER_LOCK,
    Process,
    Rig,
    caught_up,
    clue,
    lock_backends,
    lock_holders,
    sealed,
    tracked,
    until,
)
from tests.readmodels import assert_as_a_rebuild

pytestmark = pytest.mark.faults

WRITERS, LOOPS, READERS = 6, 2, 4  # twelve clients, each sending to both servers in turn
REQUEST_TIMEOUT = 10.0  # an answer slower than this fails the test
LOAD_SECONDS = 3.0  # of load before the kill, and again once the other worker caught up
TAKEOVER_WITHIN = 10.0  # seconds from the kill to the other worker active, at the head
AT_HEAD_WITHIN = 30.0  # seconds, once the load stopped, to the head (read models, tree)
CLUES, LOOPER, READER = "faults-two-clues", "faults-two-loops", "faults-two-reader"


@dataclass(frozen=True)
class Reply:
    status: int
    replayed: bool  # Idempotent-Replayed: true
    said: dict[str, Any]


@dataclass(frozen=True)
class World:
    bureau: str  # inspected; its principal owns every rectification plan
    head: str  # the bureau's principal
    inspection: str  # started 2024-05-06, targets the bureau


async def build_world(session: aiohttp.ClientSession, url: str, token: str) -> World:
    """A bureau with its principal, an inspection body with its own, and an inspection of
    the bureau, started: enough for a finding to go round the loop."""

    async def post(path: str, body: dict[str, Any]) -> str:
        async with session.post(f"{url}{path}", json=body, headers=bearer(token)) as answer:
            said = await answer.text()
        assert answer.status in (200, 201), f"{path}: {answer.status} {said}"
        return str(json.loads(said)["id"])

    bureau = await post(
        "/v1/units", {"name": "无锡市司法局", "kind": "department", "level": "municipal"}
    )
    office = await post(
        "/v1/units", {"name": "市委依法治市办", "kind": "inspection_body", "level": "municipal"}
    )
    head = await post("/v1/persons", {"name": "钱局长"})
    inspector = await post("/v1/persons", {"name": "周督察"})
    for unit, person, title in ((bureau, head, "局长"), (office, inspector, "主任")):
        post_held = {
            "unit_id": unit,
            "person_id": person,
            "role": "principal",
            "title": title,
            "principal_title": "unit_head",
            "effective_from": "2021-01-01",
        }
        await post("/v1/assignments", post_held)
    plan = {
        "title": "2024年度法治政府建设督察",
        "year": 2024,
        "organizer_unit_id": office,
        "target_unit_ids": [bureau],
        "team": [inspector],
        "topics": ["law_enforcement"],
        "starts_on": "2024-05-06",
        "ends_on": "2024-05-20",
    }
    inspection = await post("/v1/inspections", plan)
    await post(f"/v1/inspections/{inspection}/start", {"started_on": "2024-05-06"})
    return World(bureau, head, inspection)


def raising(world: World) -> dict[str, Any]:
    return {
        "unit_id": world.bureau,
        "inspection_id": world.inspection,
        "category": "law_enforcement",
        "severity": "high",
        "description": "行政执法记录不全",
        "found_on": "2024-05-10",
        "deadline": "2024-08-31",
    }


def closing(world: World) -> list[tuple[str, dict[str, Any]]]:
    """The steps of a raised finding to its close, rectified."""
    plan = {
        "measures": "补全执法记录，建立月度核查",
        "owner_person_id": world.head,
        "deadline": "2024-08-15",
        "planned_on": "2024-05-20",
    }
    return [
        ("rectification-plan", plan),
        ("progress", {"reported_on": "2024-06-30", "summary": "记录已补全", "complete": True}),
        ("verify", {"verified_on": "2024-07-25", "note": "抽查无误"}),
        ("close", {"outcome": "rectified", "closed_on": "2024-07-26"}),
    ]


class Load:
    """Twelve clients, each sending one request after another, to the two servers in
    turn, until told to stop. What came back other than expected is kept in ``wrong``;
    ``keys``: by the subject that sent them, every Idempotency-Key and the id its record
    must have."""

    def __init__(self, urls: list[str], world: World, tokens: dict[str, str]) -> None:
        self.urls, self.world, self.tokens = urls, world, tokens
        self.stop = asyncio.Event()
        self.wrong: list[str] = []
        self.done: Counter[str] = Counter()
        self.keys: dict[str, dict[str, str]] = {CLUES: {}, LOOPER: {}}

    def url(self, turn: int) -> str:
        return self.urls[turn % len(self.urls)]

    async def send(
        self,
        session: aiohttp.ClientSession,
        url: str,
        path: str,
        subject: str,
        body: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Reply | None:
        """The answer, or None (kept in ``wrong``) when none came in time."""
        headers = bearer(self.tokens[subject]) | ({"Idempotency-Key": key} if key else {})
        method = "GET" if body is None else "POST"
        try:
            async with session.request(
                method, f"{url}{path}", json=body, headers=headers
            ) as answer:
                text = await answer.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            self.wrong.append(f"{method} {path} to {url}: {error!r}")
            return None
        replayed = answer.headers.get("Idempotent-Replayed") == "true"
        said = json.loads(text) if answer.content_type.endswith("json") else {"text": text}
        return Reply(answer.status, replayed, said if isinstance(said, dict) else {"list": said})

    def expect(self, kind: str, reply: Reply | None, *statuses: int) -> Reply | None:
        if reply is None:
            return None
        if reply.status not in statuses:
            self.wrong.append(f"{kind}: {reply.status} {str(reply.said)[:300]}")
            return None
        self.done[kind] += 1
        return reply

    async def write(self, session: aiohttp.ClientSession, client: int) -> None:
        """New clues; every third sent again to the other server once answered, every
        fifth to both servers at once."""
        n = 0
        while not self.stop.is_set():
            n += 1
            key, body = f"two-{client}-{n}", clue(f"two-{client:02d}-{n:05d}")
            made = str(clue_id(ClueSource(body["source"]), body["external_id"]))
            self.keys[CLUES][key] = made
            here, there = self.url(client + n), self.url(client + n + 1)
            if n % 5 == 0:
                replies = await asyncio.gather(
                    self.send(session, here, "/v1/clues", CLUES, body, key),
                    self.send(session, there, "/v1/clues", CLUES, body, key),
                )
                self.raced(key, made, [r for r in replies if r is not None])
                continue
            first = self.expect(
                "clue", await self.send(session, here, "/v1/clues", CLUES, body, key), 201
            )
            if first is None:
                continue
            if first.said.get("id") != made or first.replayed:
                self.wrong.append(f"{key}: {first}")
            if n % 3 == 0:
                self.again(
                    key, first, await self.send(session, there, "/v1/clues", CLUES, body, key)
                )

    def again(self, key: str, first: Reply, reply: Reply | None) -> None:
        """A request sent again to the other server: the first answer, replayed."""
        if reply is None:
            return
        if reply == Reply(first.status, True, first.said):
            self.done["sent again"] += 1
        else:
            self.wrong.append(f"{key} sent again: {reply}, first {first}")

    def raced(self, key: str, made: str, replies: list[Reply]) -> None:
        """The same request to both servers at once: one appended it; the other answered
        it replayed, or (had it read the clue's stream after the first commit but the
        keys before) as a clue already received; both with the same id, version and
        position."""
        if len(replies) < 2:
            return
        kinds = sorted(
            (r.status, r.replayed, bool(r.said.get("already_received"))) for r in replies
        )
        held = {(r.said.get("id"), r.said.get("version"), r.said.get("position")) for r in replies}
        allowed = (
            [(200, False, True), (201, False, False)],
            [(201, False, False), (201, True, False)],
        )
        if kinds in allowed and len(held) == 1 and next(iter(held))[0] == made:
            self.done["raced"] += 1
        else:
            self.wrong.append(f"{key} sent to both at once: {replies}")

    async def close_loops(self, session: aiohttp.ClientSession, client: int) -> None:
        """Findings raised (sent again to the other server) and taken to their close,
        each step to the server the last one did not go to."""
        n = 0
        while not self.stop.is_set():
            n += 1
            key, body = f"two-loop-{client}-{n}", raising(self.world)
            here, there = self.url(client + n), self.url(client + n + 1)
            raised = self.expect(
                "raise", await self.send(session, here, "/v1/findings", LOOPER, body, key), 201
            )
            if raised is None:
                continue
            finding = str(raised.said["id"])
            self.keys[LOOPER][key] = finding
            self.again(
                key, raised, await self.send(session, there, "/v1/findings", LOOPER, body, key)
            )
            for step, (action, change) in enumerate(closing(self.world), start=client + n):
                path = f"/v1/findings/{finding}/{action}"
                reply = await self.send(session, self.url(step), path, LOOPER, change)
                if self.expect(action, reply, 200) is None:
                    break
            else:
                self.done["closed loops"] += 1

    async def read(self, session: aiohttp.ClientSession, client: int) -> None:
        path = f"/v1/units/{self.world.bureau}/chain"
        n = 0
        while not self.stop.is_set():
            n += 1
            self.expect("chain", await self.send(session, self.url(client + n), path, READER), 200)

    async def run(self, session: aiohttp.ClientSession) -> None:
        await asyncio.gather(
            *(self.write(session, c) for c in range(WRITERS)),
            *(self.close_loops(session, c) for c in range(LOOPS)),
            *(self.read(session, c) for c in range(READERS)),
        )


async def in_batches(conn: asyncpg.Connection) -> list[str]:
    """The processes inside a batch: a transaction that locked a tracking row."""
    rows = await conn.fetch(
        "SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND l.relation = 'projection_tracking'::regclass AND l.mode = 'RowShareLock'"
        " AND l.granted"
    )
    return sorted(row["application_name"] for row in rows)


class Watch:
    """Every 20 ms, on a connection of its own: who holds the workers' lock, and who is
    inside a batch."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[tuple[float, list[str], list[str]]] = []
        self.stop = asyncio.Event()

    async def run(self) -> None:
        conn = await asyncpg.connect(self.url, timeout=10)
        try:
            while not self.stop.is_set():
                holders, working = await lock_holders(conn), await in_batches(conn)
                self.seen.append((time.monotonic(), holders, working))
                await asyncio.sleep(0.02)
        finally:
            await conn.close()

    def working(self, start: float, end: float) -> set[str]:
        """The processes seen inside a batch between ``start`` and ``end``."""
        return {name for at, _, names in self.seen if start <= at <= end for name in names}


async def standing_by(conn: asyncpg.Connection, name: str) -> bool:
    """Whether the process ``name`` has a connection whose last statement tried the
    workers' lock: a worker waiting for it."""
    trying = await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
        " AND strpos(query, $2) > 0",
        name,
        f"pg_try_advisory_lock(hashtext('{WORKER_LOCK}'))",
    )
    return bool(trying)


@dataclass
class Takeover:
    killed: float  # SIGKILL sent (time.monotonic())
    ended: float  # seconds after it: the process gone and its backends ended
    left: int  # the lowest position of a read model then
    locked: float  # seconds after the kill: the other worker held the lock
    head: int  # the head of the log then
    at_head: float  # seconds after the kill: every read model of the other worker at ``head``

    def __str__(self) -> str:
        return (
            f"backends ended after {self.ended:.2f} s, the lock held by the other after"
            f" {self.locked:.2f} s, its read models from {self.left} to the head of then"
            f" ({self.head}) after {self.at_head:.2f} s"
        )


async def take_over(
    rig: Rig, conn: asyncpg.Connection, active: Process, standby: Process
) -> Takeover:
    """kill -9 of the active worker (its backends ended: its lock released); the times
    until the standby holds the lock, then has every read model at the head of then."""
    killed = time.monotonic()
    await rig.kill(active)
    ended = time.monotonic() - killed
    _, positions = await tracked(conn)
    left = min(positions.values())

    async def holds() -> bool:
        return await lock_holders(conn) == [standby.name]

    await until(holds, TAKEOVER_WITHIN - ended, f"{standby.name} holding the lock", 0.01)
    locked = time.monotonic() - killed
    head, _ = await tracked(conn)

    async def at_head() -> bool:
        _, positions = await tracked(conn)
        return min(positions.values()) >= head

    await until(at_head, TAKEOVER_WITHIN - locked, f"the read models at {head}", 0.01)
    return Takeover(killed, ended, left, locked, head, time.monotonic() - killed)


async def test_one_worker_of_two_is_active_and_the_other_takes_over_a_kill(
    rig: Rig, pool: asyncpg.Pool, record_property: Callable[[str, object], None]
) -> None:
    # First and alone: it makes the signing and PII keys every other process reads.
    first = await rig.serve("serve-a", "--no-projections")
    workers = {
        name: await rig.start(name, "project", LEDGER_CHECKPOINT_INTERVAL="0.5")
        for name in ("project-a", "project-b")
    }
    second = await rig.serve("serve-b", "--no-projections")
    tokens = {
        CLUES: rig.token(Role.INTEGRATION, CLUES),
        LOOPER: rig.token(Role.ADMIN, LOOPER),
        READER: rig.token(Role.ADMIN, READER),
    }
    conn = await asyncpg.connect(rig.database_url, timeout=10)
    watch = Watch(rig.database_url)
    watching = asyncio.create_task(watch.run())
    try:
        await until(lambda: one_holder(conn), 30, "a worker holding the lock")
        [held] = await lock_holders(conn)
        active = workers[held]
        [standby] = [w for w in workers.values() if w is not active]
        await until(lambda: standing_by(conn, standby.name), 30, f"{standby.name} waiting")

        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        connector = aiohttp.TCPConnector(limit=4 * (WRITERS + LOOPS + READERS))
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            world = await build_world(session, first.url, tokens[LOOPER])

            async def chain_served() -> bool:
                path = f"{second.url}/v1/units/{world.bureau}/chain"
                async with session.get(path, headers=bearer(tokens[READER])) as answer:
                    return answer.status == 200

            await until(chain_served, 30, "the bureau's chain served")
            load = Load([first.url, second.url], world, tokens)
            began = time.monotonic()
            running = asyncio.create_task(load.run(session))
            try:
                await asyncio.sleep(LOAD_SECONDS)
                _, positions = await tracked(conn)
                assert min(positions.values()) > 0, positions
                assert await lock_holders(conn) == [active.name]
                assert active.running and standby.running
                answered = load.done.total()
                takeover = await take_over(rig, conn, active, standby)
                assert takeover.head > takeover.left, f"nothing left to apply: {takeover}"
                assert load.done.total() > answered, "the load went on through the takeover"
                await asyncio.sleep(LOAD_SECONDS)
                later, _ = await tracked(conn)
                assert later > takeover.head, "the log grew after the takeover"
            finally:
                load.stop.set()
                await asyncio.wait_for(running, 6 * REQUEST_TIMEOUT)  # a loop ends whole
        measured = f"takeover: {takeover}; answered: {dict(load.done)}"
        print(f"\n{measured}")
        record_property("takeover_lock_seconds", round(takeover.locked, 3))
        record_property("takeover_at_head_seconds", round(takeover.at_head, 3))
        assert not load.wrong, f"{len(load.wrong)} unexpected: {load.wrong[:5]}; {measured}"
        for kind in ("clue", "sent again", "raced", "closed loops", "chain"):
            assert load.done[kind] > 0, f"no {kind}: {measured}"

        head, _ = await caught_up(conn, AT_HEAD_WITHIN)
        await until(lambda: sealed(conn), AT_HEAD_WITHIN, "the Merkle tree at the head")
        assert await lock_holders(conn) == [standby.name]
        watch.stop.set()
        await watching
        assert len(watch.seen) > 50, "the lock was watched throughout"
        assert not [seen for seen in watch.seen if len(seen[1]) > 1], "two held the lock"
        # Only the worker holding the lock works: the other waits, and then takes over.
        assert watch.working(began, takeover.killed) <= {active.name}
        gone = takeover.killed + takeover.ended  # its backends too
        assert watch.working(gone, time.monotonic()) <= {standby.name}

        await one_record_per_key(conn, load.keys)
    finally:
        watch.stop.set()
        await asyncio.wait_for(watching, 10)
        await conn.close()
    for process in (standby, first, second):
        assert await process.stop() == 0, process.output()

    await assert_as_a_rebuild(pool, head)


async def one_holder(conn: asyncpg.Connection) -> bool:
    return len(await lock_holders(conn)) == 1


async def one_record_per_key(conn: asyncpg.Connection, keys: dict[str, dict[str, str]]) -> None:
    """Every key held once, with the id its answers named; each clue received and each
    finding raised once in the log, every one of them under a key."""
    for subject, event in ((CLUES, "Clue.Received"), (LOOPER, "Finding.Raised")):
        rows = await conn.fetch(
            "SELECT key, result->>'id' AS id FROM ledger_idempotency WHERE actor = $1", subject
        )
        assert {row["key"]: row["id"] for row in rows} == keys[subject], subject
        made = await conn.fetch(
            "SELECT stream_id::text AS id, count(*) AS n FROM ledger_events WHERE topic = $1"
            " GROUP BY stream_id",
            get_topic(event_types()[event]),
        )
        assert {row["id"] for row in made} == set(keys[subject].values()), event
        assert {row["n"] for row in made} == {1}, event


async def test_a_worker_whose_lock_session_ended_stops_working(rig: Rig) -> None:
    api = await rig.serve("serve", "--no-projections")
    workers = {name: await rig.start(name, "project") for name in ("project-a", "project-b")}
    headers = bearer(rig.token(Role.INTEGRATION, CLUES))
    conn = await asyncpg.connect(rig.database_url, timeout=10)
    watch = Watch(rig.database_url)
    watching = asyncio.create_task(watch.run())
    try:
        await until(lambda: one_holder(conn), 30, "a worker holding the lock")
        [(pid, held)] = await lock_backends(conn)
        [other] = [name for name in workers if name != held]
        # That one session ended (an administrator, a timeout, a cut connection): the
        # process and its other connections live on.
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)

        async def taken_over() -> bool:
            return await lock_holders(conn) == [other]

        await until(taken_over, TAKEOVER_WITHIN, f"{other} holding the lock", 0.01)
        settled = time.monotonic() + 1.0  # a batch begun before may still end
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
            n = 0
            while time.monotonic() < settled + LOAD_SECONDS:
                n += 1
                async with session.post(
                    f"{api.url}/v1/clues", json=clue(f"lock-lost-{n:05d}")
                ) as answer:
                    assert answer.status == 201, await answer.text()
        assert all(worker.running for worker in workers.values())
        await caught_up(conn, AT_HEAD_WITHIN)
        watch.stop.set()
        await watching
        assert await lock_holders(conn) == [other]
        working = watch.working(settled, time.monotonic())
        assert held not in working, f"inside batches after the takeover: {working}"
    finally:
        watch.stop.set()
        await asyncio.wait_for(watching, 10)
        await conn.close()
