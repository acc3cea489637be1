"""GET /v1/access-log: filters, cursor paging, the published schema, bad parameters.

Entries are recorded straight into the log under subjects of their own, so the answers
stay the same whatever the service itself records about these requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from ledger.api.openapi import build_openapi
from ledger.infra.accesslog import AccessEntry, record
from ledger.offline import access_entry_hash

PERSON = uuid4()


async def _seed(pool: asyncpg.Pool) -> None:
    for n in range(5):
        person = PERSON if n < 4 else uuid4()
        await record(
            pool,
            AccessEntry(
                subject="审计员甲" if n % 2 == 0 else "审计员乙",
                role="auditor",
                action="get_person_evaluation",
                path=f"/v1/persons/{person}/evaluation",
                outcome=200,
                request_id=f"r{n}",
                target_kind="person",
                target_id=person,
                person_id=person,
                purpose="任前审查",
            ),
        )


async def _get(
    client: TestClient[Any, Any], headers: dict[str, str], **params: str
) -> dict[str, Any]:
    response = await client.get("/v1/access-log", params=params, headers=headers)
    assert response.status == 200, await response.text()
    return dict(await response.json())


async def test_pages_filters_and_schema(
    client: TestClient[Any, Any], headers: dict[str, str], pool: asyncpg.Pool
) -> None:
    await _seed(pool)
    first = await _get(client, headers, subject="审计员甲", limit="2")
    document = build_openapi()
    schema = document["paths"]["/v1/access-log"]["get"]["responses"]["200"]["content"]
    validator = Draft202012Validator(
        {**schema["application/json"]["schema"], "components": document["components"]}
    )
    validator.validate(first)
    assert [i["request_id"] for i in first["items"]] == ["r0", "r2"]
    rest = await _get(client, headers, subject="审计员甲", cursor=first["next_cursor"])
    assert [i["request_id"] for i in rest["items"]] == ["r4"] and rest["next_cursor"] is None

    item = first["items"][0]
    assert item["purpose"] == "任前审查" and UUID(item["person_id"]) == PERSON
    at = datetime.fromisoformat(item["at"])
    hashed = access_entry_hash(bytes.fromhex(item["prev_hash"]), {**item, "at": at})
    assert hashed.hex() == item["entry_hash"]  # each item rechecks alone

    about = await _get(client, headers, person_id=str(PERSON), subject="审计员乙")
    assert [i["request_id"] for i in about["items"]] == ["r1", "r3"]
    first_at, last_at = (i["at"].replace("+00:00", "Z") for i in about["items"])
    days = {"from": first_at[:10], "to": last_at[:10]}  # whole days, both included
    assert len((await _get(client, headers, subject="审计员乙", **days))["items"]) == 2
    since = await _get(client, headers, subject="审计员乙", **{"from": last_at})
    assert [i["request_id"] for i in since["items"]] == ["r3"]
    before = await _get(client, headers, subject="审计员乙", to=f"{first_at[:10]}T00:00:00Z")
    assert before["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"person_id": "someone"}, "person_id"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "2024-06-01T12:00:00"}, "to"),  # no offset
        ({"from": "2024-06-02", "to": "2024-06-01"}, "from"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4Il0="}, "cursor"),  # ["x"]
    ],
)
async def test_bad_parameters(
    client: TestClient[Any, Any], headers: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/access-log", params=params, headers=headers)
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == field
