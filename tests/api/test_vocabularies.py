"""GET /v1/vocabularies: every code with its Chinese label, for any role."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator

from ledger.api.openapi import build_openapi
from ledger.domain.vocab import ALL
from tests.conftest import Issue, bearer

Client = TestClient[Any, Any]


async def test_every_vocabulary_with_its_labels_matching_the_schema(client: Client) -> None:
    response = await client.get("/v1/vocabularies")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert len(body) == len(ALL)
    assert {"code": "discipline_body", "label": "纪检监察机关"} in body["unit_kind"]
    assert [t["label"] for t in body["role"]] == ["主要负责人", "班子成员", "工作人员"]
    assert {t["code"] for t in body["sanction_kind"]} >= {"admonishment_talk", "party_discipline"}
    document = build_openapi()
    answer = document["paths"]["/v1/vocabularies"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    assert not sorted(validator.iter_errors(body), key=str)


async def test_any_role_reads_them_and_unknown_parameters_are_refused(
    client: Client, issue: Issue
) -> None:
    token = bearer(issue("integration", subject="another-system"))
    assert (await client.get("/v1/vocabularies", headers=token)).status == 200
    refused = await client.get("/v1/vocabularies?lang=en", headers=token)
    assert refused.status == 422
    assert (await refused.json())["errors"][0]["field"] == "lang"
    assert (await client.get("/v1/vocabularies", headers={"Authorization": ""})).status == 401
