"""The core path over HTTP: register a unit, a person, an assignment; read the chain."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from ledger.projections.registry import PROJECTIONS


async def test_register_assign_and_read_chain(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    unit = await client.post(
        "/v1/units",
        json={"name": "南京市人民政府", "kind": "government", "level": "municipal"},
        headers=headers,
    )
    assert unit.status == 201
    unit_body = await unit.json()
    assert unit.headers["ETag"] == '"1"'
    person = await (await client.post("/v1/persons", json={"name": "王明"}, headers=headers)).json()
    assigned = await client.post(
        "/v1/assignments",
        json={
            "unit_id": unit_body["id"],
            "person_id": person["id"],
            "role": "principal",
            "principal_title": "government_head",
            "title": "市长",
            "effective_from": "2021-03-01",
        },
        headers=headers,
    )
    assert assigned.status == 201, await assigned.text()
    position = (await assigned.json())["position"]
    chain = await client.get(
        f"/v1/units/{unit_body['id']}/chain",
        params={"valid_at": "2022-01-01", "min_position": str(position)},
    )
    assert chain.status == 200
    body = await chain.json()
    assert [n["person_name"] for n in body["chain"]] == ["王明"]
    assert not any(g["kind"] == "no_principal" for g in body["gaps"])
    before = await client.get(
        f"/v1/units/{unit_body['id']}/chain", params={"valid_at": "2020-01-01"}
    )
    assert any(g["kind"] == "no_principal" for g in (await before.json())["gaps"])


async def test_metrics_count_requests_and_show_positions(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    created = await client.post("/v1/persons", json={"name": "周平"}, headers=headers)
    assert created.status == 201
    await client.get("/v1/persons/not-a-uuid")
    text = await (await client.get("/metrics")).text()
    assert 'ledger_http_requests_total{method="POST",route="/v1/persons",status="201"} 1.0' in text
    assert 'route="/v1/persons/{id}",status="422"' in text
    assert "ledger_log_head_position 1.0" in text
    assert 'ledger_projection_position{projection="chain_v1"}' in text


async def test_readiness_shows_the_head_and_every_read_model(
    client: TestClient[Any, Any], headers: dict[str, str]
) -> None:
    created = await client.post(
        "/v1/persons", json={"name": "周明"}, headers=headers | {"Content-Type": "application/json"}
    )
    position = (await created.json())["position"]
    await client.get(f"/v1/persons/{(await created.json())['id']}?min_position={position}")
    response = await client.get("/readyz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ready" and body["head"] >= position
    assert set(body["projections"]) == {p.name for p in PROJECTIONS}
    assert all(0 <= reached <= body["head"] for reached in body["projections"].values())
