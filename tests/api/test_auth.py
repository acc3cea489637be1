"""Bearer tokens: when configured, every /v1 request needs one, and it names the actor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ledger.api.app import create_app
from ledger.infra.settings import Settings


@pytest.fixture
async def secured(
    settings: Settings, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]
) -> TestClient[Any, Any]:
    settings = settings.model_copy(update={"api_tokens": {"s3cret": "inspector-7"}})
    return await aiohttp_client(create_app(settings))


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer wrong", "Basic czNjcmV0", "s3cret"]
)
async def test_missing_or_wrong_token_answers_401(
    secured: TestClient[Any, Any], authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await secured.post("/v1/persons", json={"name": "赵敏"}, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.content_type == "application/problem+json"
    events = await secured.get("/v1/events", headers={"Authorization": "Bearer s3cret"})
    assert (await events.json())["items"] == []


async def test_token_names_the_actor_recorded_in_the_event(secured: TestClient[Any, Any]) -> None:
    auth = {"Authorization": "Bearer s3cret", "X-Actor": "someone-else"}
    created = await secured.post("/v1/persons", json={"name": "赵敏"}, headers=auth)
    assert created.status == 201
    feed = await (await secured.get("/v1/events", headers=auth)).json()
    assert [item["data"]["actor"] for item in feed["items"]] == ["inspector-7"]


async def test_health_needs_no_token(secured: TestClient[Any, Any]) -> None:
    assert (await secured.get("/healthz")).status == 200
    assert (await secured.get("/readyz")).status == 200
