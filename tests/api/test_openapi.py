"""The OpenAPI document: valid 3.1, served, and equal to the committed api/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from openapi_spec_validator import validate

from ledger.api.openapi import build_openapi

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


def test_every_command_documents_its_body_and_errors() -> None:
    for path, operations in build_openapi()["paths"].items():
        for method, operation in operations.items():
            if method == "post":
                assert "requestBody" in operation, path
                assert {"409", "412", "422"} <= set(operation["responses"]), path
