"""A successor takes over a post: the lines of those who reported to the predecessor move."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient


async def _post(client: TestClient[Any, Any], path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        path,
        json=body,
    )
    assert response.status in (200, 201), await response.text()
    return dict(await response.json())


async def _chain(client: TestClient[Any, Any], unit: str, day: str, position: int) -> Any:
    response = await client.get(
        f"/v1/units/{unit}/chain", params={"valid_at": day, "min_position": str(position)}
    )
    assert response.status == 200
    return await response.json()


async def test_line_moves_to_successor_from_a_date(client: TestClient[Any, Any]) -> None:
    unit = (
        await _post(
            client,
            "/v1/units",
            {"name": "无锡市司法局", "kind": "department", "level": "municipal"},
        )
    )["id"]
    people = [(await _post(client, "/v1/persons", {"name": n}))["id"] for n in ("甲", "乙", "丙")]
    old_head = await _post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit,
            "person_id": people[0],
            "role": "principal",
            "principal_title": "unit_head",
            "title": "局长",
            "effective_from": "2019-01-01",
        },
    )
    deputy = await _post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit,
            "person_id": people[1],
            "role": "leader",
            "title": "副局长",
            "portfolio": ["law_enforcement"],
            "reports_to": old_head["id"],
            "effective_from": "2019-02-01",
        },
    )
    await _post(
        client,
        f"/v1/assignments/{old_head['id']}/end",
        {"effective_to": "2022-01-06", "reason": "transferred"},
    )
    new_head = await _post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit,
            "person_id": people[2],
            "role": "principal",
            "principal_title": "unit_head",
            "title": "局长",
            "effective_from": "2022-01-06",
        },
    )

    gap = await _chain(client, unit, "2022-03-01", new_head["position"])
    assert any(
        g["kind"] == "reports_to_ended" and g["assignment_id"] == deputy["id"] for g in gap["gaps"]
    )

    moved = await _post(
        client,
        f"/v1/assignments/{deputy['id']}/line",
        {"reports_to": new_head["id"], "effective_on": "2022-01-06"},
    )
    after = await _chain(client, unit, "2022-03-01", moved["position"])
    assert [n["person_name"] for n in after["chain"][0]["reports"]] == ["乙"]
    assert not any(g["kind"] in ("reports_to_ended", "no_line") for g in after["gaps"])
    before = await _chain(client, unit, "2020-01-01", moved["position"])
    assert before["chain"][0]["person_name"] == "甲"
    assert before["chain"][0]["reports"][0]["reports_to"] == old_head["id"]


async def test_line_to_an_ended_assignment_is_refused(client: TestClient[Any, Any]) -> None:
    unit = (
        await _post(
            client,
            "/v1/units",
            {"name": "无锡市信访局", "kind": "department", "level": "municipal"},
        )
    )["id"]
    people = [(await _post(client, "/v1/persons", {"name": n}))["id"] for n in ("丁", "戊")]
    head = await _post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit,
            "person_id": people[0],
            "role": "principal",
            "principal_title": "unit_head",
            "title": "局长",
            "effective_from": "2019-01-01",
        },
    )
    staff = await _post(
        client,
        "/v1/assignments",
        {
            "unit_id": unit,
            "person_id": people[1],
            "role": "staff",
            "title": "科员",
            "effective_from": "2019-01-01",
        },
    )
    await _post(
        client,
        f"/v1/assignments/{head['id']}/end",
        {"effective_to": "2020-01-01", "reason": "retired"},
    )
    refused = await client.post(
        f"/v1/assignments/{staff['id']}/line",
        json={"reports_to": head["id"], "effective_on": "2021-01-01"},
    )
    assert refused.status == 409
    problem = await refused.json()
    assert problem["errors"][0]["field"] == "reports_to"
