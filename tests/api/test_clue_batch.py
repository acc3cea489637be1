"""Clues in at volume: `POST /v1/clues/batch` answers for every item, writes the new ones
in one append, and never half-writes an item."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import asyncpg
from aiohttp.test_utils import TestClient

from tests.conftest import Issue, bearer, log_count

Client = TestClient[Any, Any]


def clue(n: int, unit: str | None, **changed: Any) -> dict[str, Any]:
    return {
        "source": "hotline_12345",
        "external_id": f"12345-2025-{n:06d}",
        "summary": f"市民反映第{n}号：执法人员未出示证件",
        "received_at": "2025-03-02T09:00:00+08:00",
        "unit_id": unit,
    } | changed


async def unit(client: Client, name: str, parent: str | None = None) -> str:
    body = {"name": name, "kind": "department", "level": "municipal", "parent_id": parent}
    answer = await client.post("/v1/units", json=body)
    assert answer.status == 201, await answer.text()
    return str((await answer.json())["id"])


async def send(client: Client, clues: list[Any], **headers: str) -> dict[str, Any]:
    answer = await client.post("/v1/clues/batch", json={"clues": clues}, headers=headers)
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def test_each_item_is_answered_for_and_the_new_ones_are_one_append(
    client: Client, pool: asyncpg.Pool
) -> None:
    bureau = await unit(client, "无锡市司法局")
    before = await log_count(pool)
    body = [
        clue(1, bureau),
        clue(2, bureau),
        clue(1, bureau),  # the same key again, the same content: received once
        clue(3, None, received_at="yesterday"),
        clue(4, None, external_id=""),
        clue(5, bureau, summary="另一份内容") | {"external_id": "12345-2025-000002"},
    ]
    answer = await send(client, body)
    statuses = [item["status"] for item in answer["items"]]
    assert statuses == [
        "created",
        "created",
        "already_received",
        "rejected",
        "rejected",
        "conflicting",
    ]
    assert answer["counts"] == {
        "created": 2,
        "already_received": 1,
        "conflicting": 1,
        "rejected": 2,
    }
    first, second = answer["items"][0], answer["items"][1]
    assert second["position"] == first["position"] + 1 == answer["position"]
    assert answer["items"][2]["id"] == first["id"]
    assert answer["items"][3]["errors"][0]["field"] == "clues[3].received_at"
    assert answer["items"][4]["errors"][0]["field"] == "clues[4].external_id"
    conflict = answer["items"][5]
    assert conflict["differing"] == ["summary"]
    assert conflict["stored"]["summary"] == clue(2, bureau)["summary"]
    assert conflict["delivered"]["summary"] == "另一份内容"
    assert await log_count(pool) == before + 2
    # One append: one transaction, one recorded time for the two.
    times = await pool.fetch(
        "SELECT DISTINCT recorded_at FROM ledger_seal WHERE position > $1", before
    )
    assert len(times) == 1
    held = await client.get(
        "/v1/clues",
        params={"source": "hotline_12345", "external_id": "12345-2025-000001"}
        | {"min_position": str(answer["position"])},
    )
    assert (await held.json())["id"] == first["id"]


async def test_sending_the_same_batch_again_writes_nothing(
    client: Client, pool: asyncpg.Pool
) -> None:
    bureau = await unit(client, "无锡市司法局")
    body = [clue(n, bureau) for n in range(20)]
    first = await send(client, body)
    assert first["counts"]["created"] == 20
    before = await log_count(pool)
    again = await send(client, body)
    assert again["counts"] == {
        "created": 0,
        "already_received": 20,
        "conflicting": 0,
        "rejected": 0,
    }
    assert [i["id"] for i in again["items"]] == [i["id"] for i in first["items"]]
    assert again["position"] is None
    assert await log_count(pool) == before


async def test_an_unknown_unit_or_one_outside_the_callers_jurisdiction_rejects_that_item(
    client: Client, issue: Issue, pool: asyncpg.Pool
) -> None:
    city = await unit(client, "无锡市人民政府")
    bureau = await unit(client, "无锡市司法局", city)
    elsewhere = await unit(client, "南京市司法局")
    token = bearer(issue("integration", unit=UUID(city), subject="hotline"))
    body = [
        clue(1, bureau),
        clue(2, elsewhere),
        clue(3, "4f7e1f7c-0000-4000-8000-000000000000"),
    ]
    answer = await send(client, body, **token)
    assert [i["status"] for i in answer["items"]] == ["created", "rejected", "rejected"]
    rules = [i["errors"][0]["rule"] for i in answer["items"][1:]]
    assert rules == ["jurisdiction", "not_found"]
    assert answer["items"][1]["errors"][0]["field"] == "clues[1].unit_id"
    assert (await client.get(f"/v1/clues/{answer['items'][1]['id']}")).status == 404


async def test_the_batch_itself_is_refused_when_it_is_empty_too_long_or_not_a_list(
    client: Client, pool: asyncpg.Pool
) -> None:
    before = await log_count(pool)
    for body, field in (
        ({"clues": []}, "clues"),
        ({"clues": [clue(n, None) for n in range(1001)]}, "clues"),
        ({"clues": "many"}, "clues"),
        ({}, "clues"),
        ({"clues": [clue(1, None)], "extra": 1}, "extra"),
    ):
        answer = await client.post("/v1/clues/batch", json=body)
        assert answer.status == 422, body
        problem = await answer.json()
        assert problem["errors"][0]["field"] == field
    assert await log_count(pool) == before


async def test_a_thousand_clues_are_one_append_and_concurrent_deliveries_create_each_once(
    client: Client, pool: asyncpg.Pool
) -> None:
    bureau = await unit(client, "无锡市司法局")
    body = [clue(n, bureau) for n in range(1000)]
    before = await log_count(pool)
    one, other = await asyncio.gather(send(client, body), send(client, body))
    created = one["counts"]["created"] + other["counts"]["created"]
    assert created == 1000
    assert one["counts"]["already_received"] + other["counts"]["already_received"] == 1000
    assert await log_count(pool) == before + 1000
    winner = one if one["counts"]["created"] else other
    positions = [i["position"] for i in winner["items"]]
    assert positions == list(range(positions[0], positions[0] + 1000))
