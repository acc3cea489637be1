"""Authority the procedure implies, over HTTP: referrals go to a body that holds people to
account, an extension's approver and a plan's owner hold a post where it matters that day,
a case is handled by a discipline body or personnel department over the person's unit.
Each refusal is a 409 problem naming the field, rule ``no_authority``, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from tests.api.test_bad_inputs import assert_problem, post
from tests.api.test_loop_commands import build_loop, finding_body
from tests.conftest import log_count

Client = TestClient[Any, Any]


@dataclass(frozen=True)
class Scene:
    """The loop's world (the inspector heads the office), plus: the city's personnel
    department and court; a district under the city with its own inspection office and
    discipline body; another city with its office and discipline body; a person who left
    the office before 2024 (``former``) and officials of the district and the other city
    offices; a finding of the inspection and one triaged from a clue."""

    ids: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


@pytest.fixture
async def scene(client: Client, headers: dict[str, str]) -> Scene:
    loop = await build_loop(client, headers)
    ids = loop.ids()

    async def make(path: str, **body: Any) -> str:
        return str((await post(client, path, body, headers))["id"])

    async def unit(name: str, kind: str, parent: str | None) -> str:
        return await make("/v1/units", name=name, kind=kind, level="municipal", parent_id=parent)

    async def posted(unit_id: str, name: str, since: str = "2021-01-01") -> tuple[str, str]:
        person = await make("/v1/persons", name=name)
        body = {"role": "leader", "title": "副主任", "effective_from": since}
        return person, await make("/v1/assignments", unit_id=unit_id, person_id=person, **body)

    ids["personnel"] = await unit("市委组织部", "personnel_department", loop.city)
    ids["court"] = await unit("市中级人民法院", "court", loop.city)
    ids["district"] = await unit("某区委", "party_committee", loop.city)
    ids["district_office"] = await unit("区委依法治区办", "inspection_body", ids["district"])
    ids["district_discipline"] = await unit("区纪委监委", "discipline_body", ids["district"])
    ids["elsewhere"] = await unit("另一市委", "party_committee", None)
    ids["elsewhere_office"] = await unit("另一市依法治市办", "inspection_body", ids["elsewhere"])
    ids["elsewhere_discipline"] = await unit("另一市纪委监委", "discipline_body", ids["elsewhere"])
    ids["district_official"], _ = await posted(ids["district_office"], "区督察")
    ids["elsewhere_official"], _ = await posted(ids["elsewhere_office"], "外市督察")
    ids["former"], former_post = await posted(loop.office, "原副主任")
    end = {"effective_to": "2024-01-01", "reason": "transferred"}
    await post(client, f"/v1/assignments/{former_post}/end", end, headers)
    ids["finding"] = await make("/v1/findings", **finding_body(loop))
    clue = await make(
        "/v1/clues",
        source="hotline_12345",
        external_id="12345-authority",
        summary="市民反映执法人员未出示证件",
        received_at="2024-04-02T09:30:00+08:00",
    )
    from_clue = {k: v for k, v in finding_body(loop).items() if k != "inspection_id"}
    triaged = {"outcome": "finding", "finding": from_clue}
    ids["clue_finding"] = str(
        (await post(client, f"/v1/clues/{clue}/triage", triaged, headers))["id"]
    )
    return Scene(ids)


FINDING = "/v1/findings/{finding}"
CLUE_FINDING = "/v1/findings/{clue_finding}"
CASES = "/v1/accountability-cases"


def extension(approver: str) -> dict[str, Any]:
    return {
        "new_deadline": "2024-10-31",
        "reason": "涉及多部门",
        "approver_person_id": approver,
        "extended_on": "2024-08-20",
    }


def referral(unit: str) -> dict[str, Any]:
    return {"to_unit_id": unit, "reason": "涉嫌失职", "referred_on": "2024-06-01"}


def plan(owner: str, on: str = "2024-05-20") -> dict[str, Any]:
    return {"measures": "补全执法记录", "owner_person_id": owner, "planned_on": on}


def case(scene: Scene, handler: str, person: str = "deputy") -> dict[str, Any]:
    return {
        "person_id": scene[person],
        "finding_ids": [scene["finding"]],
        "handling_unit_id": scene[handler],
        "opened_on": "2024-09-01",
    }


KIND, POST, TREE = "to account", "held no post", "jurisdiction"
# (path, body from the scene, the field the refusal names, a word of its detail)
REFUSALS: dict[str, tuple[str, Any, str, str]] = {
    "refer-to-an-inspection-body": (
        FINDING + "/refer",
        lambda s: referral(s["office"]),
        "to_unit_id",
        KIND,
    ),
    "refer-to-a-department": (
        FINDING + "/refer",
        lambda s: referral(s["bureau"]),
        "to_unit_id",
        KIND,
    ),
    "refer-to-a-court": (FINDING + "/refer", lambda s: referral(s["court"]), "to_unit_id", KIND),
    "extension-approved-from-the-inspected-unit": (
        FINDING + "/extend-deadline",
        lambda s: extension(s["deputy"]),
        "approver_person_id",
        POST,
    ),
    "extension-approved-by-another-inspection-body": (
        FINDING + "/extend-deadline",
        lambda s: extension(s["elsewhere_official"]),
        "approver_person_id",
        POST,
    ),
    "extension-approved-after-leaving-the-office": (
        FINDING + "/extend-deadline",
        lambda s: extension(s["former"]),
        "approver_person_id",
        POST,
    ),
    "clue-extension-approved-from-the-inspected-unit": (
        CLUE_FINDING + "/extend-deadline",
        lambda s: extension(s["head"]),
        "approver_person_id",
        POST,
    ),
    "clue-extension-approved-by-a-body-below": (
        CLUE_FINDING + "/extend-deadline",
        lambda s: extension(s["district_official"]),
        "approver_person_id",
        POST,
    ),
    "clue-extension-approved-by-another-tree": (
        CLUE_FINDING + "/extend-deadline",
        lambda s: extension(s["elsewhere_official"]),
        "approver_person_id",
        POST,
    ),
    "plan-owned-by-the-inspector": (
        FINDING + "/rectification-plan",
        lambda s: plan(s["inspector"]),
        "owner_person_id",
        POST,
    ),
    "plan-owned-by-the-city": (
        FINDING + "/rectification-plan",
        lambda s: plan(s["secretary"]),
        "owner_person_id",
        POST,
    ),
    "case-handled-by-the-inspection-body": (
        CASES,
        lambda s: case(s, "office"),
        "handling_unit_id",
        KIND,
    ),
    "case-handled-by-a-department": (CASES, lambda s: case(s, "bureau"), "handling_unit_id", KIND),
    "case-handled-by-a-discipline-body-below": (
        CASES,
        lambda s: case(s, "district_discipline"),
        "handling_unit_id",
        TREE,
    ),
    "case-handled-by-another-citys-discipline-body": (
        CASES,
        lambda s: case(s, "elsewhere_discipline"),
        "handling_unit_id",
        TREE,
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
async def test_without_authority_is_refused_409_naming_the_field_and_writes_nothing(
    name: str, client: Client, pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    path, body, field, why = REFUSALS[name]
    before = await log_count(pool)
    response = await client.post(path.format(**scene.ids), json=body(scene), headers=headers)
    problem = await assert_problem(response, 409, field, "no_authority")
    assert problem["title"] == "Conflict" and why in problem["detail"], problem
    assert await log_count(pool) == before


async def test_a_plan_owner_who_left_the_unit_before_the_plan_is_refused(
    client: Client, pool: asyncpg.Pool, headers: dict[str, str], scene: Scene
) -> None:
    stint = await post(
        client,
        "/v1/assignments",
        {
            "unit_id": scene["bureau"],
            "person_id": scene["former"],
            "role": "staff",
            "title": "科员",
            "effective_from": "2024-01-01",
        },
        headers,
    )
    end = {"effective_to": "2024-05-15", "reason": "transferred"}
    await post(client, f"/v1/assignments/{stint['id']}/end", end, headers)
    path = FINDING.format(**scene.ids) + "/rectification-plan"
    before = await log_count(pool)
    late = await client.post(path, json=plan(scene["former"], "2024-05-20"), headers=headers)
    await assert_problem(late, 409, "owner_person_id", "no_authority")
    assert await log_count(pool) == before
    # While the post was in effect, the same owner is accepted.
    early = await client.post(path, json=plan(scene["former"], "2024-05-12"), headers=headers)
    assert early.status == 200, await early.text()


async def test_the_bodies_with_authority_are_accepted(
    client: Client, headers: dict[str, str], scene: Scene
) -> None:
    async def ok(path: str, body: dict[str, Any]) -> None:
        response = await client.post(path.format(**scene.ids), json=body, headers=headers)
        assert response.status in (200, 201), await response.text()

    # The office's head approves for the inspection's finding and, as an inspection body
    # over the bureau, for the clue's finding.
    await ok(FINDING + "/extend-deadline", extension(scene["inspector"]))
    await ok(CLUE_FINDING + "/extend-deadline", extension(scene["inspector"]))
    await ok(FINDING + "/rectification-plan", plan(scene["deputy"]))
    # A case by the discipline body and one by the personnel department of the city.
    await ok(CASES, case(scene, "discipline"))
    await ok(CASES, case(scene, "personnel", person="head"))
    # Referral to the personnel department, then to the discipline body (of another finding).
    await ok(CLUE_FINDING + "/refer", referral(scene["personnel"]))
    await ok(FINDING + "/refer", referral(scene["discipline"]))
