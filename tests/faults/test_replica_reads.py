"""Queries read from a streaming replica (``LEDGER_READ_DATABASE_URL``): there once its read
models have reached the query's ``min_position``, else on the primary; a 503 only when
neither has reached it within the bounded wait; the primary when the replica is down.
Where each query read is told by the ``ledger_reads_total`` metric, and by what a stale
replica does not hold yet (its replay paused)."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from tests.conftest import bearer
from tests.faults.conftest import until
from tests.faults.replication import replicated_rig

pytestmark = pytest.mark.faults


class Reads:
    """A client of one `ledger serve`, counting where its queries read."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url

    async def unit(self, name: str) -> tuple[str, int]:
        body = {"name": name, "kind": "department", "level": "municipal"}
        async with self.session.post(f"{self.url}/v1/units", json=body) as answer:
            assert answer.status == 201, await answer.text()
            made = await answer.json()
        return made["id"], made["position"]

    async def get(self, unit: str, **query: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.get(f"{self.url}/v1/units/{unit}", params=query) as answer:
            return answer.status, dict(await answer.json(content_type=None))

    async def counted(self) -> dict[str, float]:
        async with self.session.get(f"{self.url}/metrics") as answer:
            text = await answer.text()
        found = re.findall(r'^ledger_reads_total\{source="([^"]+)"\} (\S+)$', text, re.M)
        return {source: float(value) for source, value in found}

    async def where(self, unit: str, **query: Any) -> tuple[int, str]:
        """The status of a read of ``unit``, and the one database it read."""
        before = await self.counted()
        status, _ = await self.get(unit, **query)
        after = await self.counted()
        grew = [s for s, n in after.items() if n > before.get(s, 0)]
        assert len(grew) == 1, (before, after)
        return status, grew[0]


async def test_queries_read_a_replica_that_has_reached_their_position_else_the_primary(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    async with replicated_rig(tmp_path_factory.mktemp("replica"), synchronous=False) as (
        pair,
        rig,
    ):
        replica_url = f"postgresql://postgres@/ledger?host={pair.standby.root}"
        worker = await rig.start("project", "project")
        api = await rig.serve(
            "serve",
            "--no-projections",
            LEDGER_READ_DATABASE_URL=replica_url,
            LEDGER_MIN_POSITION_TIMEOUT="1",
            LEDGER_CONNECT_TIMEOUT="2",
        )
        token = rig.token(Role.ADMIN, "faults-replica")
        replica = await asyncpg.connect(pair.standby.url("ledger"), timeout=10)
        async with aiohttp.ClientSession(headers=bearer(token)) as session:
            reads = Reads(session, api.url)
            first, at = await reads.unit("无锡市司法局")

            async def on_the_replica() -> bool:
                return await reads.where(first, min_position=at) == (200, "replica-1")

            # Caught up by the worker on the primary, then replayed on the replica.
            await until(on_the_replica, 30, "the unit read on the replica")
            assert await reads.where(first) == (200, "replica-1")

            # Replay paused: the replica holds an earlier state.
            await replica.execute("SELECT pg_wal_replay_pause()")
            second, later = await reads.unit("无锡市审计局")
            status, said = await reads.get(second, min_position=later)
            assert status == 200 and said["name"] == "无锡市审计局"
            assert await reads.where(second, min_position=later) == (200, "primary")
            # Without min_position: the replica, stale; it does not know the unit yet.
            assert await reads.where(second) == (404, "replica-1")

            # Neither has reached it (the worker stopped too): 503 after the bounded wait.
            assert await worker.stop() == 0
            third, latest = await reads.unit("无锡市统计局")
            status, said = await reads.get(third, min_position=latest)
            assert status == 503 and "not yet" in said["detail"], said
            worker = await rig.start("project-2", "project")

            # Replay resumed: the replica reaches the position, and answers.
            await replica.execute("SELECT pg_wal_replay_resume()")

            async def third_on_the_replica() -> bool:
                return await reads.where(third, min_position=latest) == (200, "replica-1")

            await until(third_on_the_replica, 30, "the replica caught up")

            # The replica down: the primary answers, no 503.
            await replica.close()
            await pair.standby.stop("fast")
            for unit in (first, second, third):
                assert await reads.where(unit) == (200, "primary")
                assert await reads.where(unit, min_position=latest) == (200, "primary")
            assert api.running, api.output()
        assert await api.stop() == 0, api.output()
        assert await worker.stop() == 0
