"""Every look at a dossier is on the record: who, what, when, from where, why, outcome.

Reads of a person's record, evaluation reference and audit trail, of a unit's evaluation
reference, proof exports, and every 401 and 403 each append one access-log entry; the
purpose comes from ``X-Access-Purpose`` (percent-encoded UTF-8) and is required of
personnel, discipline and auditor tokens for a person's data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

import asyncpg
from aiohttp.test_utils import TestClient

from ledger.application import Ledger
from ledger.infra.accesslog import verify_chain
from tests.conftest import Issue, bearer
from tests.world import World, build_world

Client = TestClient[Any, Any]
PURPOSE = "干部任前考察"


async def _entries(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT subject, role, action, target_kind, target_id, person_id, path, outcome,"
        " purpose, client FROM access_log ORDER BY seq"
    )
    return [dict(r) for r in rows]


async def test_each_dossier_read_is_recorded_once_with_its_purpose(
    client: Client, issue: Issue, ledger: Ledger, project: Any, pool: asyncpg.Pool
) -> None:
    world: World = await build_world(ledger)
    await project()
    hr = bearer(issue("personnel", unit=world.city, subject="hr-zhang")) | {
        "X-Access-Purpose": quote(PURPOSE)
    }
    reads = [
        f"/v1/persons/{world.head}",
        f"/v1/persons/{world.head}/evaluation-reference?from=2024-01-01&to=2024-12-31",
        f"/v1/units/{world.bureau}/evaluation-reference?from=2024-01-01&to=2024-12-31",
    ]
    for path in reads:
        response = await client.get(path, headers=hr)
        assert response.status == 200, await response.text()
    not_audited = await client.get(f"/v1/units/{world.bureau}", headers=hr)
    assert not_audited.status == 200
    entries = await _entries(pool)
    assert [(e["action"], e["target_kind"], e["target_id"]) for e in entries] == [
        ("get_person", "person", world.head),
        ("person_reference", "person", world.head),
        ("unit_reference", "unit", world.bureau),
    ]
    assert {(e["subject"], e["role"], e["purpose"], e["outcome"]) for e in entries} == {
        ("hr-zhang", "personnel", PURPOSE, 200)
    }
    assert entries[0]["person_id"] == world.head and entries[2]["person_id"] is None
    assert all(e["client"] for e in entries)
    # The person's dossier shows who has looked at it.
    auditor = bearer(issue("auditor", subject="audit-li")) | {"X-Access-Purpose": "review"}
    looked = await client.get(f"/v1/access-log?person_id={world.head}", headers=auditor)
    assert looked.status == 200
    assert [i["subject"] for i in (await looked.json())["items"]] == ["hr-zhang", "hr-zhang"]
    report = await verify_chain(pool)
    assert report.ok and report.entries == len(await _entries(pool))


async def test_a_person_read_without_a_purpose_answers_400_naming_the_header(
    client: Client, issue: Issue, ledger: Ledger, project: Any, pool: asyncpg.Pool
) -> None:
    world = await build_world(ledger)
    await project()
    for role in ("personnel", "discipline", "auditor"):
        response = await client.get(f"/v1/persons/{world.head}", headers=bearer(issue(role)))
        assert response.status == 400, role
        problem = await response.json()
        assert problem["errors"][0]["field"] == "X-Access-Purpose"
    bad = bearer(issue("auditor")) | {"X-Access-Purpose": "%E5%B9"}  # cut UTF-8
    response = await client.get(f"/v1/persons/{world.head}", headers=bad)
    assert response.status == 400 and "UTF-8" in (await response.json())["detail"]
    # An inspector (or an admin) may read without one; the read is still recorded.
    response = await client.get(f"/v1/persons/{world.head}", headers=bearer(issue("inspector")))
    assert response.status == 200
    assert [e["outcome"] for e in await _entries(pool)] == [400, 400, 400, 400, 200]


async def test_refusals_are_recorded(client: Client, issue: Issue, pool: asyncpg.Pool) -> None:
    assert (await client.get("/v1/units", headers={"Authorization": "Bearer nope"})).status == 401
    forbidden = await client.post(
        "/v1/units", json={"name": "x"}, headers=bearer(issue("auditor", subject="audit-wu"))
    )
    assert forbidden.status == 403
    entries = await _entries(pool)
    assert [(e["subject"], e["action"], e["outcome"]) for e in entries] == [
        ("(no token)", "list_units", 401),
        ("audit-wu", "register_unit", 403),
    ]
    assert all(isinstance(e["path"], str) for e in entries)
    assert UUID(int=0) not in {e["target_id"] for e in entries}


async def test_the_purpose_is_read_only_where_the_access_log_records_it(
    client: Client, issue: Issue, pool: asyncpg.Pool
) -> None:
    bad = bearer(issue("auditor")) | {"X-Access-Purpose": "%E5%B9"}  # cut UTF-8
    assert (await client.get("/v1/units", headers=bad)).status == 200  # not read here
    refused = await client.get("/v1/access-log", headers=bad)
    assert refused.status == 400
    assert (await refused.json())["errors"][0]["field"] == "X-Access-Purpose"
    assert [(e["action"], e["outcome"]) for e in await _entries(pool)] == [("list_access_log", 400)]
