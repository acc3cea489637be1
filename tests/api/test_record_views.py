"""Reads of the records over HTTP: inspections, cases, clues, bulletins, assessments."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from ledger.api.keys import LEDGER, POOL
from ledger.api.openapi import build_openapi
from ledger.api.resources.assessments import IndicatorSetView, UnitAssessments
from ledger.api.resources.bulletins import BulletinView
from ledger.api.resources.cases import CaseView
from ledger.api.resources.clues import ClueView
from ledger.api.resources.inspections import InspectionView
from tests.integration.test_records_projection import Loop, loop

Client = TestClient[Any, Any]


@pytest.fixture
async def made(client: Client) -> Loop:
    return await loop(client.app[LEDGER])


async def head(client: Client) -> int:
    return int(await client.app[POOL].fetchval("SELECT max(position) FROM ledger_events"))


def conforms(body: dict[str, Any], path: str, model: type[BaseModel]) -> None:
    """The answer validates against its response model and the published schema."""
    model.model_validate(body)
    document = build_openapi()
    answer = document["paths"][path]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [e.message for e in errors[:5]]


async def read(client: Client, url: str, status: int = 200) -> dict[str, Any]:
    separator = "&" if "?" in url else "?"
    response = await client.get(f"{url}{separator}min_position={await head(client)}")
    assert response.status == status, await response.text()
    return dict(await response.json())


async def test_an_inspection_with_its_evidence_and_findings(client: Client, made: Loop) -> None:
    body = await read(client, f"/v1/inspections/{made.inspection}")
    conforms(body, "/v1/inspections/{id}", InspectionView)
    assert (body["stage"], body["version"], body["organizer_name"]) == (
        "closed",
        5,
        "市委依法治市办",
    )
    assert body["targets"] == [{"id": str(made.world.bureau), "name": "无锡市司法局"}]
    (evidence,) = body["evidence"]
    assert (evidence["method"], evidence["document"]) == ("document_review", "督察材料〔2024〕7号")
    assert [f["id"] for f in body["findings"]] == [str(made.finding)]
    assert body["findings"][0]["description"] == "行政执法“三项制度”落实不到位，执法记录不全"
    assert body["position"] == await head(client)


async def test_a_case_shows_each_sanction_now_originally_and_every_step(
    client: Client, made: Loop
) -> None:
    body = await read(client, f"/v1/accountability-cases/{made.case}")
    conforms(body, "/v1/accountability-cases/{id}", CaseView)
    assert (body["person_name"], body["handling_unit_name"]) == ("孙副局长", "市纪委监委")
    sanctions = {s["id"]: s for s in body["sanctions"]}
    modified = sanctions[str(made.modified)]
    assert (modified["kind"], modified["original_kind"], modified["state"]) == (
        "admonishment_talk",
        "party_discipline",
        "modified",
    )
    assert [s["step"] for s in modified["steps"]] == ["imposed", "appealed", "modified"]
    assert sanctions[str(made.revoked)]["in_force"] is False
    # What the ledger said before the modification: still the original kind, under appeal.
    recorded_at = await client.app[POOL].fetchval(
        "SELECT recorded_at FROM ledger_seal WHERE position = $1", made.before_modification
    )
    known_at = recorded_at.isoformat().replace("+00:00", "Z")
    earlier = await read(client, f"/v1/accountability-cases/{made.case}?known_at={known_at}")
    conforms(earlier, "/v1/accountability-cases/{id}", CaseView)
    before = {s["id"]: s for s in earlier["sanctions"]}[str(made.modified)]
    assert (before["kind"], before["state"]) == ("party_discipline", "appealed")
    assert earlier["position"] <= made.before_modification


async def test_a_clue_by_id_and_by_its_key_in_the_other_system(client: Client, made: Loop) -> None:
    body = await read(client, f"/v1/clues/{made.clue}")
    conforms(body, "/v1/clues/{id}", ClueView)
    assert (body["source"], body["outcome"], body["unit_name"]) == (
        "hotline_12345",
        "finding",
        "无锡市司法局",
    )
    assert body["finding_id"] is not None
    found = await read(client, "/v1/clues?source=hotline_12345&external_id=12345-2024-000871")
    conforms(found, "/v1/clues", ClueView)
    assert found == body
    await read(client, "/v1/clues?source=petition&external_id=12345-2024-000871", 404)
    dismissed = await read(client, f"/v1/clues/{made.dismissed_clue}")
    assert (dismissed["outcome"], dismissed["finding_id"]) == ("dismissed", None)


async def test_a_bulletin_names_its_recipients(client: Client, made: Loop) -> None:
    body = await read(client, f"/v1/bulletins/{made.bulletin}")
    conforms(body, "/v1/bulletins/{id}", BulletinView)
    assert [(r["name"], r["kind"]) for r in body["recipients"]] == [
        ("市纪委监委", "discipline_body"),
        ("市委组织部", "personnel_department"),
    ]
    assert body["inspection_title"] == "2024年度法治政府建设督察"


async def test_indicator_set_and_a_units_assessments_keep_the_first(
    client: Client, made: Loop
) -> None:
    body = await read(client, f"/v1/assessments/indicator-sets/{made.indicator_set}")
    conforms(body, "/v1/assessments/indicator-sets/{id}", IndicatorSetView)
    assert [(i["code"], i["weight"]) for i in body["indicators"]] == [("A1", 60), ("A2", 40)]
    body = await read(client, f"/v1/units/{made.world.bureau}/assessments")
    conforms(body, "/v1/units/{id}/assessments", UnitAssessments)
    (item,) = body["items"]
    assert (item["year"], item["version"], item["total"], item["grade"]) == (2024, 2, 82.2, "good")
    assert [(e["version"], e["total"]) for e in item["earlier"]] == [(1, 86.0)]
    empty = await read(client, f"/v1/units/{made.world.city}/assessments")
    assert empty["items"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/inspections/{}",
        "/v1/accountability-cases/{}",
        "/v1/clues/{}",
        "/v1/bulletins/{}",
        "/v1/assessments/indicator-sets/{}",
        "/v1/units/{}/assessments",
    ],
)
async def test_unknown_id_is_404_and_a_bad_one_422(client: Client, path: str) -> None:
    missing = await client.get(path.format(uuid4()))
    assert missing.status == 404
    assert missing.content_type == "application/problem+json"
    bad = await client.get(path.format("not-a-uuid"))
    assert bad.status == 422
    assert (await bad.json())["errors"][0]["field"] == "id"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("external_id=x", "source"),
        ("source=fax&external_id=x", "source"),
        ("source=petition&external_id=x&status=pending", "status"),
        ("source=petition&external_id=", "external_id"),
        (f"source=petition&external_id={'x' * 129}", "external_id"),
        ("source=petition&external_id=x&known_at=yesterday", "known_at"),
    ],
)
async def test_clue_look_up_names_the_bad_parameter(client: Client, query: str, field: str) -> None:
    response = await client.get(f"/v1/clues?{query}")
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == field
