"""The ordered event feed: pages by position, and the live SSE stream."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp.test_utils import TestClient


async def _register(client: TestClient[Any, Any], headers: dict[str, str], n: int) -> None:
    for i in range(n):
        response = await client.post("/v1/persons", json={"name": f"人员{i}"}, headers=headers)
        assert response.status == 201


async def test_feed_pages_in_order_with_seal(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    await _register(client, headers, 5)
    first = await (await client.get("/v1/events", params={"limit": "3"})).json()
    assert [i["position"] for i in first["items"]] == [1, 2, 3]
    assert first["next_cursor"] == 3
    rest = await (await client.get("/v1/events", params={"after": "3"})).json()
    assert [i["position"] for i in rest["items"]] == [4, 5]
    assert rest["next_cursor"] is None
    item = first["items"][0]
    assert (item["type"], item["schema_version"]) == ("Person.Registered", 2)
    assert item["data"]["name"] == "人员0" and item["actor"] == "tester"
    assert "actor" not in item["data"]  # the act's who, why and basis are the envelope's
    assert len(bytes.fromhex(item["chain_hash"])) == 32


async def test_stream_sends_existing_then_live_events_and_resumes(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    await _register(client, headers, 2)
    response = await client.get("/v1/events/stream", headers={"Last-Event-ID": "1"})
    assert response.headers["Content-Type"] == "text/event-stream"
    await _register(client, headers, 1)
    seen: list[dict[str, Any]] = []

    async def read() -> None:
        async for line in response.content:
            if line.startswith(b"data: "):
                seen.append(json.loads(line[6:]))
                if len(seen) == 2:
                    return

    await asyncio.wait_for(read(), timeout=10)
    response.close()
    assert [s["position"] for s in seen] == [2, 3]
    assert seen[1]["data"]["name"] == "人员0"


async def test_stream_ends_quietly_when_the_client_leaves(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    await _register(client, headers, 1)
    response = await client.get("/v1/events/stream", headers={"Last-Event-ID": "²"})
    first = await asyncio.wait_for(response.content.readline(), timeout=10)
    assert first == b"id: 1\n"  # an unreadable Last-Event-ID starts from the beginning
    response.close()
    await _register(client, headers, 1)  # the server writes to a closed stream
    await asyncio.sleep(0.5)
    health = await client.get("/healthz")
    assert health.status == 200


async def test_every_event_the_ledger_writes_is_served(client: TestClient[Any, Any]) -> None:
    """The demo writes every kind of event (scores as decimals, lists of ids, dates): the
    feed, the live stream and the audit trail serve them all."""
    from ledger.api.keys import POOL
    from ledger.demo import load_demo

    head = (await load_demo(client.app[POOL]))["head"]
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        response = await client.get("/v1/events", params={"after": str(after), "limit": "500"})
        assert response.status == 200, await response.text()
        page = await response.json()
        items += page["items"]
        if page["next_cursor"] is None:
            break
        after = page["next_cursor"]
    assert [i["position"] for i in items] == list(range(1, head + 1))
    first_of_kind = {i["type"].split(".")[0]: i for i in reversed(items)}
    assert {"Inspection", "Finding", "AccountabilityCase", "Clue", "Bulletin"} <= set(first_of_kind)
    scored = next(i for i in items if i["type"].endswith("Assessment.UnitAssessed"))
    assert all(isinstance(v, int | float) for v in scored["data"]["scores"].values())
    for kind, item in first_of_kind.items():
        trail = await client.get(f"/v1/history/{item['stream_id']}")
        assert trail.status == 200, (kind, await trail.text())
    async with client.get(
        "/v1/events/stream", params={"after": str(head - 60)}, timeout=5
    ) as stream:
        seen = 0
        async for line in stream.content:
            if line.startswith(b"data:"):
                json.loads(line[5:])
                seen += 1
                if seen == 60:
                    break
    assert seen == 60
