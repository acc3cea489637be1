"""Limits and headers: a token over its rate answers 429 with Retry-After, and every page
carries the security headers (a body over the limit: tests/api/test_bad_inputs.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.infra.settings import Settings
from tests.conftest import Issue, bearer


async def test_a_token_over_its_rate_answers_429_with_retry_after(
    settings: Settings,
    issue: Issue,
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
) -> None:
    tight = settings.model_copy(update={"rate_limit": 60, "rate_burst": 3})
    client = await aiohttp_client(create_app(tight))
    busy, other = bearer(issue("inspector", subject="busy")), bearer(issue("inspector"))
    statuses = [(await client.get("/v1/units", headers=busy)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await client.get("/v1/units", headers=busy)
    assert refused.status == 429 and refused.content_type == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert "60 requests a minute" in (await refused.json())["detail"]
    assert (await client.get("/v1/units", headers=other)).status == 200  # per token
    assert (await client.get("/healthz")).status == 200  # the open routes are not counted


async def test_pages_carry_security_headers(client: TestClient[Any, Any]) -> None:
    page = await client.get("/docs")
    assert page.status == 200 and page.content_type == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    answer = await client.get("/v1/units")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"
