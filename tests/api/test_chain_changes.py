"""What changed in a unit's chain, over HTTP: between two days (valid time) and between
two times (ledger time), each change with its person, post, document number and reason;
only inside the caller's jurisdiction; bad periods refused naming the parameter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.api.resources.chain_changes import ChainChanges
from ledger.application import Ledger
from tests.api.test_record_views import conforms, read
from tests.conftest import Issue, bearer
from tests.world import World, build_world

Client = TestClient[Any, Any]
PATH = "/v1/units/{id}/chain/changes"


@dataclass
class Changed:
    ours: World
    theirs: World
    newcomer: UUID  # person
    newcomer_post: UUID
    before: datetime  # recorded time of the last event before the changes


async def _post(client: Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status in (200, 201), await response.text()
    return dict(await response.json())


@pytest.fixture
async def changed(client: Client, ledger: Ledger, project: Any, pool: asyncpg.Pool) -> Changed:
    ours, theirs = await build_world(ledger), await build_world(ledger)
    await project()
    before = await pool.fetchval("SELECT max(recorded_at) FROM ledger_seal")
    newcomer = (await _post(client, "/v1/persons", {"name": "吴新任"}))["id"]
    post = await _post(
        client,
        "/v1/assignments",
        {"unit_id": str(ours.bureau), "person_id": newcomer, "role": "staff", "title": "科员"}
        | {"effective_from": "2022-03-01", "basis": "锡司干〔2022〕5号", "reason": "换届调整"},
    )
    await _post(
        client,
        f"/v1/assignments/{ours.clerk_post}/end",
        {"effective_to": "2022-03-01", "reason": "transferred", "note": "调任"}
        | {"basis": "锡委干〔2022〕12号"},
    )
    await _post(
        client,
        f"/v1/assignments/{ours.deputy_post}/portfolio",
        {"portfolio": ["law_enforcement", "other"], "effective_on": "2022-06-01"}
        | {"basis": "锡司发〔2022〕9号"},
    )
    await _post(
        client,
        f"/v1/assignments/{ours.head_post}/correct",
        {"field": "title", "new": "局长（正职）", "reason": "笔误"},
    )
    # A scoped caller's rows of the log are those row-level security finds through the
    # chain's read model: caught up here, not left to the worker's pace.
    await project()
    return Changed(ours, theirs, UUID(newcomer), UUID(post["id"]), before)


async def test_who_came_who_left_and_whose_portfolio_changed_between_two_days(
    client: Client, changed: Changed
) -> None:
    path = PATH.format(id=changed.ours.bureau)
    body = await read(client, f"{path}?from=2022-01-01&to=2022-12-31")
    conforms(body, PATH, ChainChanges)
    assert (body["valid_from"], body["valid_to"], body["known_from"]) == (
        "2022-01-01",
        "2022-12-31",
        None,
    )
    seen = [
        (i["kind"], i["on"], i["person_name"], i["title"], i["basis"], i["reason"])
        for i in body["items"]
    ]
    came_and_left = [
        ("assigned", "2022-03-01", "吴新任", "科员", "锡司干〔2022〕5号", "换届调整"),
        ("ended", "2022-03-01", "李科员", "科员", "锡委干〔2022〕12号", "调任"),
    ]
    assert sorted(seen[:2]) == sorted(came_and_left)
    assert seen[2] == (
        "portfolio_changed",
        "2022-06-01",
        "孙副局长",
        "副局长",
        "锡司发〔2022〕9号",
        None,
    )
    portfolio = body["items"][2]
    assert portfolio["previous_portfolio"] == ["law_enforcement"]
    assert portfolio["portfolio"] == ["law_enforcement", "other"]
    assert [i["end_reason"] for i in body["items"]][:2].count("transferred") == 1
    # The world's own posts all began on 2021-01-01; a correction has no day.
    first = await read(client, f"{path}?from=2021-01-01&to=2021-01-01")
    assert {i["person_name"] for i in first["items"]} == {"钱局长", "孙副局长", "李科员"}
    assert {i["kind"] for i in first["items"]} == {"assigned"}
    assert (await read(client, f"{path}?from=2023-01-01&to=2023-12-31"))["items"] == []


async def test_what_the_ledger_recorded_or_corrected_between_two_times(
    client: Client, changed: Changed
) -> None:
    path = PATH.format(id=changed.ours.bureau)
    since = changed.before.isoformat().replace("+00:00", "Z")
    later = (changed.before + timedelta(days=1)).isoformat()
    body = await read(client, f"{path}?known_from={since}&known_to={later.replace('+', '%2B')}")
    conforms(body, PATH, ChainChanges)
    kinds = [i["kind"] for i in body["items"]]
    assert kinds == ["assigned", "ended", "portfolio_changed", "corrected"]
    positions = [i["position"] for i in body["items"]]
    assert positions == sorted(positions)
    correction = body["items"][-1]
    assert (correction["field"], correction["old"], correction["new"]) == (
        "title",
        "局长",
        "局长（正职）",
    )
    assert (correction["on"], correction["reason"], correction["person_name"]) == (
        None,
        "笔误",
        "钱局长",
    )
    assert body["valid_from"] is None and body["known_from"] is not None
    # Known before anything changed: nothing.
    empty = await read(client, f"{path}?known_from=2000-01-01T00:00:00Z&known_to={since}")
    assert [i["kind"] for i in empty["items"]] == ["assigned"] * 3


async def test_a_city_scoped_caller_sees_the_changes_of_its_city_only(
    client: Client, issue: Issue, changed: Changed
) -> None:
    token = bearer(issue("inspector", unit=changed.ours.city, subject="inspector-ours"))
    query = "?from=2020-01-01&to=2024-12-31"
    ours = await client.get(PATH.format(id=changed.ours.bureau) + query, headers=token)
    assert ours.status == 200 and len((await ours.json())["items"]) == 6
    theirs = await client.get(PATH.format(id=changed.theirs.bureau) + query, headers=token)
    assert theirs.status == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "from"),
        ("from=2022-01-01", "to"),
        ("to=2022-01-01", "from"),
        ("from=2022-02-01&to=2022-01-01", "from"),
        ("from=1899-12-31&to=2022-01-01", "from"),
        ("from=2022-01-01&to=2200-01-01", "to"),
        ("from=2022-13-01&to=2022-12-31", "from"),
        ("from=2022-01-01&to=2022-12-31&known_from=2022-01-01T00:00:00Z", "known_from"),
        ("known_from=yesterday&known_to=2022-01-01T00:00:00Z", "known_from"),
        ("known_from=2022-01-01T00:00:00", "known_from"),
        ("known_from=2022-01-01T00:00:00Z", "known_to"),
        ("known_from=2022-02-01T00:00:00Z&known_to=2022-01-01T00:00:00Z", "known_from"),
        ("known_from=1800-01-01T00:00:00Z&known_to=2022-01-01T00:00:00Z", "known_from"),
        ("from=2022-01-01&to=2022-12-31&valid_at=2022-01-01", "valid_at"),
    ],
)
async def test_a_bad_period_is_refused_naming_the_parameter(
    client: Client, query: str, field: str
) -> None:
    response = await client.get(
        PATH.format(id="00000000-0000-4000-8000-000000000000") + "?" + query
    )
    assert response.status == 422, await response.text()
    assert (await response.json())["errors"][0]["field"] == field


async def test_an_unknown_unit_is_not_found(client: Client) -> None:
    response = await client.get(
        PATH.format(id="00000000-0000-4000-8000-000000000000") + "?from=2022-01-01&to=2022-01-02"
    )
    assert response.status == 404
