"""Search: GET /v1/search, GET /v1/persons?name=, the filters of GET /v1/units.

Two cities built alike (``tests.world``: the same unit and person names in each), so a
token scoped to one city finding nothing of the other shows the jurisdiction holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from ledger.api.openapi import build_openapi
from ledger.application import Ledger
from ledger.application.commands import RegisterUnit
from ledger.domain.vocab import UnitKind, UnitLevel
from tests.conftest import Issue, bearer
from tests.world import CTX, World, build_world, raised_finding, started_inspection

Client = TestClient[Any, Any]


@dataclass
class Cities:
    ours: World
    theirs: World
    government: UUID  # 无锡市人民政府, code 320200, under our city
    finding: UUID
    inspection: UUID
    token: dict[str, str]  # an inspector of our city

    def theirs_ids(self) -> set[str]:
        t = self.theirs
        return {str(i) for i in (t.city, t.bureau, t.office, t.head, t.deputy, t.clerk)}


@pytest.fixture
async def cities(ledger: Ledger, project: Any, issue: Issue) -> Cities:
    ours, theirs = await build_world(ledger), await build_world(ledger)
    government = await ledger.units.register_unit(
        CTX,
        RegisterUnit(
            name="无锡市人民政府",
            kind=UnitKind.GOVERNMENT,
            level=UnitLevel.MUNICIPAL,
            parent_id=ours.city,
            code="320200",
        ),
    )
    inspection = await started_inspection(ledger, ours)
    finding = await raised_finding(ledger, ours, inspection)
    await raised_finding(ledger, theirs, await started_inspection(ledger, theirs))
    await project()
    token = bearer(issue("inspector", unit=ours.city, subject="inspector-ours"))
    return Cities(ours, theirs, government.id, finding, inspection, token)


async def _get(client: Client, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    response = await client.get(url, headers=headers)
    return response.status, await response.json()


def _schema_errors(path: str, body: Any) -> list[str]:
    document = build_openapi()
    answer = document["paths"][path]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    return [e.message for e in validator.iter_errors(body)]


async def test_a_chinese_substring_finds_units_of_the_jurisdiction_only(
    client: Client, cities: Cities
) -> None:
    c = cities
    status, body = await _get(client, "/v1/search?q=无锡", c.token)
    assert status == 200, body
    assert _schema_errors("/v1/search", body) == []
    units = {h["id"]: h["label"] for h in body["items"] if h["kind"] == "unit"}
    assert units == {
        str(c.government): "无锡市人民政府",
        str(c.ours.city): "无锡市委",
        str(c.ours.bureau): "无锡市司法局",
    }
    _, body = await _get(client, "/v1/search?q=司法", c.token)
    assert [h["id"] for h in body["items"]] == [str(c.ours.bureau)]
    # the whole ledger sees both cities' bureaus
    _, both = await _get(client, "/v1/search?q=司法", {})
    assert {h["id"] for h in both["items"]} == {str(c.ours.bureau), str(c.theirs.bureau)}


async def test_persons_findings_inspections_and_codes_are_found(
    client: Client, cities: Cities
) -> None:
    c = cities
    _, body = await _get(client, "/v1/search?q=局长", c.token)
    assert {h["id"] for h in body["items"]} == {str(c.ours.head), str(c.ours.deputy)}
    assert {h["kind"] for h in body["items"]} == {"person"}
    _, body = await _get(client, "/v1/search?q=执法记录", c.token)
    assert [(h["kind"], h["id"]) for h in body["items"]] == [("finding", str(c.finding))]
    _, body = await _get(client, "/v1/search?q=法治政府建设督察", c.token)
    assert [(h["kind"], h["id"]) for h in body["items"]] == [("inspection", str(c.inspection))]
    _, body = await _get(client, "/v1/search?q=320200", c.token)
    assert body["items"] == [
        {
            "kind": "unit",
            "id": str(c.government),
            "label": "无锡市人民政府",
            "snippet": "320200",
            "score": 1.0,
        }
    ]


async def test_the_best_match_comes_first(client: Client, cities: Cities) -> None:
    c = cities
    _, body = await _get(client, "/v1/search?q=无锡市委", c.token)
    assert body["items"][0] == {
        "kind": "unit",
        "id": str(c.ours.city),
        "label": "无锡市委",
        "score": 1.0,
    }
    _, body = await _get(client, "/v1/search?q=市&limit=500", c.token)
    scores = [h["score"] for h in body["items"]]
    assert scores == sorted(scores, reverse=True) and len(scores) > 5
    # the shorter name holding 无锡 is the closer match
    _, body = await _get(client, "/v1/search?q=无锡&kind=unit", c.token)
    assert body["items"][0]["label"] == "无锡市委"


async def test_pages_follow_each_other_without_a_gap_or_a_repeat(
    client: Client, cities: Cities
) -> None:
    c = cities
    _, whole = await _get(client, "/v1/search?q=市&limit=500", c.token)
    seen: list[str] = []
    url = "/v1/search?q=市&limit=2"
    while True:
        status, body = await _get(client, url, c.token)
        assert status == 200 and len(body["items"]) <= 2
        seen += [h["id"] for h in body["items"]]
        if body["next_cursor"] is None:
            break
        url = f"/v1/search?q=市&limit=2&cursor={body['next_cursor']}"
    assert seen == [h["id"] for h in whole["items"]]
    assert not set(seen) & c.theirs_ids()


async def test_a_role_finds_only_the_kinds_it_may_read(
    client: Client, cities: Cities, issue: Issue
) -> None:
    c = cities
    personnel = bearer(issue("personnel", unit=c.ours.city, subject="hr-ours"))
    _, body = await _get(client, "/v1/search?q=执法", personnel)
    assert body["items"] == []  # findings are not the personnel department's to read
    _, body = await _get(client, "/v1/search?q=钱局长", personnel)
    assert [h["id"] for h in body["items"]] == [str(c.ours.head)]


async def test_persons_by_name(client: Client, cities: Cities) -> None:
    c = cities
    status, body = await _get(client, "/v1/persons?name=局长", c.token)
    assert status == 200, body
    assert _schema_errors("/v1/persons", body) == []
    assert [p["name"] for p in body["items"]] == ["孙副局长", "钱局长"]  # by name
    assert {p["id"] for p in body["items"]} == {str(c.ours.head), str(c.ours.deputy)}
    _, first = await _get(client, "/v1/persons?limit=1", c.token)
    _, second = await _get(client, f"/v1/persons?limit=1&cursor={first['next_cursor']}", c.token)
    assert first["items"][0]["id"] != second["items"][0]["id"]
    _, everyone = await _get(client, "/v1/persons?name=局长", {})
    assert len(everyone["items"]) == 4


async def test_units_by_name_code_kind_and_subtree(client: Client, cities: Cities) -> None:
    c = cities

    async def ids(query: str) -> list[str]:
        status, body = await _get(client, f"/v1/units?{query}", c.token)
        assert status == 200, body
        assert _schema_errors("/v1/units", body) == []
        return [u["id"] for u in body["items"]]

    assert await ids("name=司法") == [str(c.ours.bureau)]
    assert await ids("code=320200") == [str(c.government)]
    assert await ids("kind=discipline_body") == [str(c.ours.discipline)]
    assert await ids(f"under={c.ours.bureau}") == [str(c.ours.bureau)]
    assert len(await ids(f"under={c.ours.city}")) == 6
    assert await ids(f"under={c.theirs.city}") == []  # outside: nothing below it either
    assert await ids(f"under={c.ours.city}&kind=government&name=无锡") == [str(c.government)]
    assert await ids("") == [str(c.ours.city)]  # no filter: the top level, as before


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/search", "q"),
        ("/v1/search?q=", "q"),
        ("/v1/search?q=%20%20", "q"),
        ("/v1/search?q=" + "长" * 101, "q"),
        ("/v1/search?q=a%01b", "q"),
        ("/v1/search?q=a%00b", "q"),
        ("/v1/search?q=无锡&kind=clue", "kind"),
        ("/v1/search?q=无锡&limit=0", "limit"),
        ("/v1/search?q=无锡&cursor=bm90IGEgY3Vyc29y", "cursor"),
        ("/v1/search?q=无锡&cursor=WyJOYU4iLCAidW5pdCIsIDFd", "cursor"),
        ("/v1/persons?name=", "name"),
        ("/v1/persons?cursor=WzEsIDJd", "cursor"),
        ("/v1/units?kind=city", "kind"),
        ("/v1/units?under=nope", "under"),
        ("/v1/units?code=", "code"),
        ("/v1/units?name=" + "a" * 101, "name"),
    ],
)
async def test_bad_input_is_422_naming_the_parameter(client: Client, url: str, field: str) -> None:
    response = await client.get(url)
    assert response.status == 422, await response.text()
    problem = await response.json()
    assert problem["errors"][0]["field"] == field


async def test_wildcards_are_text_and_a_single_character_still_matches(
    client: Client, cities: Cities
) -> None:
    c = cities
    _, body = await _get(client, "/v1/search?q=%25", c.token)
    assert body["items"] == []
    _, body = await _get(client, "/v1/search?q=_", c.token)
    assert body["items"] == []
    _, body = await _get(client, "/v1/search?q=委&kind=unit", c.token)
    assert {h["label"] for h in body["items"]} == {"无锡市委", "市纪委监委", "市委组织部"} | {
        "市委依法治市办"
    }
