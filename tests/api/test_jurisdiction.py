"""Jurisdiction: a unit's token sees and changes only that unit and the units below it.

Two cities, each with its bureau, inspection and finding. A token scoped to one city
reads its own findings, persons and events and none of the other's (404, never 403, so
nothing leaks), and its commands reaching the other city answer 403 and write nothing.
Reads are filtered by PostgreSQL row-level security; the last tests show the database role
the API reads as cannot bypass it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.application import Ledger
from ledger.infra.database import reading
from tests.conftest import Issue, bearer, log_count
from tests.world import World, build_world, raised_finding, started_inspection

Client = TestClient[Any, Any]


@pytest.fixture
async def cities(ledger: Ledger, project: Any) -> tuple[World, World, UUID, UUID]:
    ours, theirs = await build_world(ledger), await build_world(ledger)
    mine = await raised_finding(ledger, ours, await started_inspection(ledger, ours))
    other = await raised_finding(ledger, theirs, await started_inspection(ledger, theirs))
    await project()
    return ours, theirs, mine, other


async def _get(client: Client, path: str, token: str) -> tuple[int, Any]:
    # A purpose, as discipline and auditor state one for a person's data.
    response = await client.get(path, headers=bearer(token) | {"X-Access-Purpose": "review"})
    return response.status, await response.json()


async def test_reads_outside_the_jurisdiction_answer_404_and_lists_hold_only_its_own(
    client: Client, issue: Issue, cities: tuple[World, World, UUID, UUID]
) -> None:
    ours, theirs, mine, other = cities
    inspector = issue("inspector", unit=ours.city, subject="inspector-ours")
    assert (await _get(client, f"/v1/findings/{mine}", inspector))[0] == 200
    status, problem = await _get(client, f"/v1/findings/{other}", inspector)
    assert status == 404 and problem["status"] == 404
    _, page = await _get(client, "/v1/findings", inspector)
    assert [item["id"] for item in page["items"]] == [str(mine)]
    _, report = await _get(client, f"/v1/reports/open-loop?unit_id={ours.city}", inspector)
    assert report["totals"]["total"] == 1
    status, _ = await _get(client, f"/v1/reports/open-loop?unit_id={theirs.city}", inspector)
    assert status == 404
    # The whole-ledger admin sees both.
    _, everything = await _get(client, "/v1/findings", issue("admin"))
    assert {item["id"] for item in everything["items"]} == {str(mine), str(other)}

    discipline = issue("discipline", unit=ours.city, subject="jw-ours")
    assert (await _get(client, f"/v1/persons/{ours.head}", discipline))[0] == 200
    assert (await _get(client, f"/v1/persons/{theirs.head}", discipline))[0] == 404
    assert (await _get(client, f"/v1/history/{theirs.head}", discipline))[0] == 404
    assert (await _get(client, f"/v1/units/{theirs.city}", discipline))[0] == 404
    _, units = await _get(client, "/v1/units", discipline)
    assert [u["id"] for u in units["items"]] == [str(ours.city)]
    _, feed = await _get(client, "/v1/events?limit=500", discipline)
    streams = {item["stream_id"] for item in feed["items"]}
    assert str(ours.head) in streams and str(other) not in streams
    assert str(theirs.city) not in streams and str(mine) in streams


async def test_a_command_reaching_another_jurisdiction_answers_403_and_writes_nothing(
    client: Client, issue: Issue, pool: asyncpg.Pool, cities: tuple[World, World, UUID, UUID]
) -> None:
    ours, theirs, _, _ = cities
    personnel = bearer(issue("personnel", unit=ours.city, subject="hr-ours"))
    body = {
        "unit_id": str(theirs.bureau),
        "person_id": str(ours.clerk),
        "role": "staff",
        "title": "科员",
        "effective_from": "2024-06-01",
    }
    before = await log_count(pool)
    refused = await client.post("/v1/assignments", json=body, headers=personnel)
    assert refused.status == 403, await refused.text()
    problem = await refused.json()
    assert problem["errors"][0]["field"] == "unit_id"
    assert await log_count(pool) == before
    allowed = await client.post(
        "/v1/assignments", json=body | {"unit_id": str(ours.bureau)}, headers=personnel
    )
    assert allowed.status == 201, await allowed.text()
    # A unit below the jurisdiction may be registered; a new top-level unit may not.
    admin_ours = bearer(issue("admin", unit=ours.city, subject="admin-ours"))
    unit = {"name": "锡山区人民政府", "kind": "government", "level": "county"}
    below = await client.post(
        "/v1/units", json=unit | {"parent_id": str(ours.city)}, headers=admin_ours
    )
    assert below.status == 201, await below.text()
    top = await client.post("/v1/units", json=unit | {"name": "另一市"}, headers=admin_ours)
    assert top.status == 403
    assert (await top.json())["errors"][0]["field"] == "parent_id"


async def test_the_reader_role_cannot_bypass_row_level_security(
    pool: asyncpg.Pool, cities: tuple[World, World, UUID, UUID]
) -> None:
    ours, _, mine, _ = cities
    role = await pool.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'ledger_reader'"
    )
    assert role is not None and not any(role.values())
    owner_sees = await pool.fetchval("SELECT count(DISTINCT finding_id) FROM loop_findings")
    assert owner_sees == 2
    async with reading(pool, ours.city) as conn:
        assert await conn.fetchval("SELECT current_user") == "ledger_reader"
        rows = await conn.fetch("SELECT DISTINCT finding_id FROM loop_findings")
        assert [r["finding_id"] for r in rows] == [mine]
    async with pool.acquire() as conn, conn.transaction():
        # A reader that forgot to name its scope sees nothing at all.
        await conn.execute("SET LOCAL ROLE ledger_reader")
        assert await conn.fetchval("SELECT count(*) FROM loop_findings") == 0
        assert await conn.fetchval("SELECT count(*) FROM ledger_events") == 0
    async with reading(pool, None) as conn:
        assert await conn.fetchval("SELECT count(DISTINCT finding_id) FROM loop_findings") == 2
