"""Live answers conform to the schemas the OpenAPI document publishes."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from ledger.api.openapi import build_openapi


def _validator(document: dict[str, Any], path: str) -> Draft202012Validator:
    answer = document["paths"][path]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": document["components"]})


@pytest.fixture
async def world(client: TestClient[Any, Any], headers: dict[str, str]) -> dict[str, Any]:
    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=headers)
        assert response.status in (200, 201), await response.text()
        return dict(await response.json())

    city = await post(
        "/v1/units",
        {"name": "无锡市人民政府", "kind": "government", "level": "municipal", "code": "wx.gov"},
    )
    bureau = await post(
        "/v1/units",
        {
            "name": "无锡市司法局",
            "kind": "department",
            "level": "municipal",
            "parent_id": city["id"],
        },
    )
    mayor = await post("/v1/persons", {"name": "周市长", "person_no": "P-1"})
    deputy = await post("/v1/persons", {"name": "吴副市长"})
    clerk = await post("/v1/persons", {"name": "郑科员"})
    head = await post(
        "/v1/assignments",
        {
            "unit_id": city["id"],
            "person_id": mayor["id"],
            "role": "principal",
            "principal_title": "government_head",
            "title": "市长",
            "effective_from": "2021-01-01",
        },
    )
    leader = await post(
        "/v1/assignments",
        {
            "unit_id": city["id"],
            "person_id": deputy["id"],
            "role": "leader",
            "title": "副市长",
            "portfolio": ["law_enforcement"],
            "reports_to": head["id"],
            "effective_from": "2021-02-01",
        },
    )
    last = await post(
        "/v1/assignments",
        {
            "unit_id": city["id"],
            "person_id": clerk["id"],
            "role": "staff",
            "title": "科员",
            "effective_from": "2021-03-01",
        },
    )
    return {
        "city": city["id"],
        "bureau": bureau["id"],
        "mayor": mayor["id"],
        "leader": leader["id"],
        "position": last["position"],
    }


@pytest.mark.parametrize(
    ("request_path", "path"),
    [
        ("/v1/units/{city}", "/v1/units/{id}"),
        ("/v1/units", "/v1/units"),
        ("/v1/units?parent_id={city}", "/v1/units"),
        ("/v1/units/{city}/chain?valid_at=2022-01-01", "/v1/units/{id}/chain"),
        ("/v1/units/{city}/chain?valid_at=2020-01-01", "/v1/units/{id}/chain"),
        ("/v1/units/{city}/chain?known_at=2099-01-01T00:00:00Z", "/v1/units/{id}/chain"),
        ("/v1/persons/{mayor}", "/v1/persons/{id}"),
        ("/v1/assignments/{leader}?valid_at=2022-01-01", "/v1/assignments/{id}"),
        ("/v1/events", "/v1/events"),
    ],
)
async def test_answer_matches_its_schema(
    client: TestClient[Any, Any], world: dict[str, Any], request_path: str, path: str
) -> None:
    separator = "&" if "?" in request_path else "?"
    url = request_path.format(**world)
    if path != "/v1/events":  # the feed reads the log itself: it has no min_position
        url += f"{separator}min_position={world['position']}"
    response = await client.get(url)
    assert response.status == 200, await response.text()
    body = await response.json()
    errors = sorted(_validator(build_openapi(), path).iter_errors(body), key=str)
    assert not errors, [e.message for e in errors[:5]]
    assert body
