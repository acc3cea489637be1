"""Where queries read with read replicas configured (``LEDGER_READ_DATABASE_URL``,
``api.sources``): the replica when it has reached the position asked for, the primary when
it is down. Here the "replica" is a second pool on the test database (it has always
reached the primary's position); a real streaming replica, lagging and stopped, is
tests/faults/test_replica_reads.py."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.api.keys import SOURCES
from ledger.infra.settings import Settings
from tests.conftest import Issue, bearer

Client = Callable[..., Awaitable[TestClient[Any, Any]]]
UNIT = {"name": "无锡市司法局", "kind": "department", "level": "municipal"}


async def counted(client: TestClient[Any, Any]) -> dict[str, float]:
    text = await (await client.get("/metrics")).text()
    found = re.findall(r'^ledger_reads_total\{source="([^"]+)"\} (\S+)$', text, re.M)
    return {source: float(value) for source, value in found}


async def test_reads_go_to_the_replicas_in_turn_once_they_have_reached_the_position(
    settings: Settings, issue: Issue, aiohttp_client: Client
) -> None:
    two = f"{settings.database_url} {settings.database_url}"  # two replicas, by spaces
    app = create_app(settings.model_copy(update={"read_database_url": two}))
    client = await aiohttp_client(app, headers=bearer(issue("admin")))
    made = await (await client.post("/v1/units", json=UNIT)).json()
    at = {"min_position": made["position"]}
    assert (await client.get(f"/v1/units/{made['id']}", params=at)).status == 200
    before = await counted(client)  # the replicas have reached it, as the primary had
    for _ in range(4):
        answer = await client.get(
            f"/v1/units/{made['id']}", params={"min_position": made["position"]}
        )
        assert answer.status == 200 and (await answer.json())["name"] == UNIT["name"]
    after = await counted(client)
    grew = {source: n - before.get(source, 0) for source, n in after.items()}
    assert {source: n for source, n in grew.items() if n} == {"replica-1": 2.0, "replica-2": 2.0}
    # A unit's jurisdiction reads the replica too, through its row-level security.
    scoped = bearer(issue("inspector", unit=made["id"]))
    answer = await client.get(f"/v1/units/{made['id']}/chain", headers=scoped)
    assert answer.status == 200, await answer.text()
    assert sum((await counted(client)).values()) == sum(after.values()) + 1
    assert [r.name for r in app[SOURCES].replicas] == ["replica-1", "replica-2"]


async def test_a_replica_down_leaves_its_queries_to_the_primary(
    settings: Settings, issue: Issue, aiohttp_client: Client, tmp_path: Path
) -> None:
    gone = f"postgresql://postgres@/ledger?host={tmp_path}"  # no server on that socket
    app = create_app(settings.model_copy(update={"read_database_url": gone}))
    client = await aiohttp_client(app, headers=bearer(issue("admin")))
    made = await (await client.post("/v1/units", json=UNIT)).json()
    at = {"min_position": made["position"]}
    for query in (at, {}, at):  # the first waits for the read model (on the primary)
        answer = await client.get(f"/v1/units/{made['id']}", params=query)
        assert answer.status == 200, await answer.text()
    assert await counted(client) == {"primary": 3.0}
    assert app[SOURCES].replicas[0].resting_until > 0  # tried once, then left out
