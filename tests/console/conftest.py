"""The console's tests: the real app, the demo loaded through the application, and a
browser-like client signed in with a role's token (its cookie jar keeps the session)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.demo import load_demo
from ledger.infra.pii import load_pii_key
from ledger.infra.settings import Settings
from tests.conftest import Issue

Client = TestClient[Any, Any]
SignIn = Callable[..., Awaitable[Client]]


@pytest.fixture
async def world(pool: asyncpg.Pool, settings: Settings, client: Client) -> dict[str, Any]:
    """The demo, loaded and read by the read models the app serves."""
    summary = await load_demo(pool, load_pii_key(settings.pii_key, settings.data_dir))
    answer = await client.get(f"/v1/units?limit=1&min_position={summary['head']}")
    assert answer.status == 200
    return summary


@pytest.fixture
def sign_in(client: Client, issue: Issue) -> SignIn:
    """Sign the test client in to the console with ``role``'s token (its cookie jar keeps
    the session; a second sign-in replaces the first)."""

    async def signed(role: str = "inspector", unit: Any = None, next_: str = "/console/") -> Client:
        answer = await client.post(
            "/console/login",
            data={"token": issue(role, unit=unit, subject=f"console-{role}"), "next": next_},
            allow_redirects=False,
        )
        assert answer.status == 303, await answer.text()
        return client

    return signed
