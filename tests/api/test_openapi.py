"""The OpenAPI document: valid 3.1, served, and equal to the committed api/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from ledger.api.access import AUDITED
from ledger.api.openapi import build_openapi
from ledger.application.policy import PERSON_READS

COMMITTED = Path(__file__).resolve().parents[2] / "api" / "openapi.json"


def test_document_is_valid_openapi_3_1() -> None:
    document = build_openapi()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_committed_document_is_current() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == build_openapi(), "api/openapi.json is stale: run `make openapi`"


async def test_served_document_and_docs_page(client: TestClient[Any, Any]) -> None:
    served = await client.get("/openapi.json")
    assert served.status == 200
    assert await served.json() == build_openapi()
    page = await client.get("/docs")
    assert page.status == 200
    assert "/v1/units/{id}/chain" in await page.text()


# POSTs that are no command on a record of the log: the import (its lines are the
# commands), a webhook's subscription (operational state), the look-up by number (a read).
NOT_COMMANDS = ("/v1/import", "/v1/webhooks", "/v1/persons/lookup")


def test_every_command_documents_its_body_and_errors() -> None:
    for path, operations in build_openapi()["paths"].items():
        for method, operation in operations.items():
            if method == "post":
                assert "requestBody" in operation, path
                assert "422" in operation["responses"], path
                headers = {p["name"] for p in operation.get("parameters", [])}
                if "Idempotency-Key" in headers:  # a command: its preconditions
                    assert {"409", "412"} <= set(operation["responses"]), path
                else:  # a body that writes no record of the log's, or a read
                    assert path.startswith(NOT_COMMANDS), path


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, operations in build_openapi()["paths"].items()
        for method, operation in operations.items()
    ]


def _responses(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's answers, with references to components.responses resolved."""
    named = document["components"]["responses"]
    return {
        status: named[answer["$ref"].rsplit("/", 1)[1]] if "$ref" in answer else answer
        for status, answer in operation["responses"].items()
    }


def test_every_answer_is_named_with_its_problem_type() -> None:
    document = build_openapi()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    open_ones = {"healthz", "readyz", "openapi", "docs", "public_key"}
    for method, path, operation in _operations():
        name = operation["operationId"]
        answers = _responses(document, operation)
        for status, answer in answers.items():
            if int(status) >= 400 and name != "readyz":
                schema = answer["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (name, status)
        assert "422" in answers, name  # an unknown query parameter, everywhere
        if name in open_ones:
            assert operation["security"] == [] and "401" not in answers, name
            continue
        assert {"bearerAuth": []} in operation["security"], name
        assert {"401", "403"} <= set(answers), name
        assert answers["401"]["headers"]["WWW-Authenticate"]["required"] is True
        if name != "metrics":
            assert "Retry-After" in answers["429"]["headers"], name
            assert "Retry-After" in answers["503"]["headers"], name
        if "{" in path:
            assert "404" in answers, name
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= set(answers), name
            if not path.startswith(NOT_COMMANDS):  # a command: what it names, preconditions
                assert {"404", "409", "412"} <= set(answers), name
        if method == "get":
            assert not {"409", "412", "413", "415"} & set(answers), name


def test_the_access_purpose_is_documented_where_it_is_read() -> None:
    document = build_openapi()
    for _, _, operation in _operations():
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        name = operation["operationId"]
        assert ("X-Access-Purpose" in headers) == (name in AUDITED), name
        if name in PERSON_READS:
            assert "X-Access-Purpose" in _responses(document, operation)["400"]["description"]
    assert {"get_person", "person_assignments", "find_person", "person_reference"} | {
        "history"
    } == PERSON_READS


def test_a_redelivered_clue_and_readiness_answers_are_documented() -> None:
    paths = build_openapi()["paths"]
    received = paths["/v1/clues"]["post"]["responses"]
    assert {"200", "201"} <= set(received)
    schema = received["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ClueReceived"}
    assert (
        "already_received" in build_openapi()["components"]["schemas"]["ClueReceived"]["properties"]
    )
    ready = paths["/readyz"]["get"]["responses"]["503"]["content"]
    assert ready["application/json"]["schema"] == {"$ref": "#/components/schemas/Readiness"}
    assert set(
        paths["/v1/persons/{id}/evaluation-reference"]["get"]["responses"]["200"]["content"]
    ) == {"application/json", "text/csv"}
