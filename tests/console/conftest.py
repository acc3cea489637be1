"""The console's tests: the real app, the demo loaded through the application, or the
loop's small world built over the API; a browser-like client signed in with a role's token
(its cookie jar keeps the session), or several, each with a cookie jar of its own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.demo import load_demo
from ledger.infra.pii import load_pii_key
from ledger.infra.settings import Settings
from tests.api.test_bad_inputs import post
from tests.api.test_loop_commands import Loop, build_loop, finding_body
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


Browse = Callable[..., Awaitable[aiohttp.ClientSession]]


@pytest.fixture
async def loop_world(client: TestClient[Any, Any], project: Callable[[], Awaitable[int]]) -> Loop:
    world = await build_loop(client, {})
    await project()
    return world


Raise = Callable[..., Awaitable[str]]


@pytest.fixture
def raise_finding(
    client: TestClient[Any, Any], loop_world: Loop, project: Callable[[], Awaitable[int]]
) -> Raise:
    """``await raise_finding(**changes)``: a finding of the loop's inspection, read models
    caught up."""

    async def raised(**changes: Any) -> str:
        body = finding_body(loop_world, **changes)
        finding = str((await post(client, "/v1/findings", body, {}))["id"])
        await project()
        return finding

    return raised


@pytest.fixture
async def browse(client: TestClient[Any, Any]) -> AsyncIterator[Browse]:
    """``await browse(token)``: a signed-in browser session of its own (cookies apart)."""
    opened: list[aiohttp.ClientSession] = []

    async def sign_in(token: str) -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(
            base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        opened.append(session)
        data = {"token": token, "next": "/console/"}
        async with session.post("/console/login", data=data, allow_redirects=False) as answer:
            assert answer.status == 303, await answer.text()
        return session

    yield sign_in
    for session in opened:
        await session.close()


def hidden(html: str, form_action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``form_action`` in a page."""
    start = html.index(f'action="{form_action}"')
    form = html[start : html.index("</form>", start)]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))


async def page_text(session: aiohttp.ClientSession, path: str) -> tuple[int, str]:
    async with session.get(path) as answer:
        return answer.status, await answer.text()


async def submit(
    session: aiohttp.ClientSession, action: str, data: dict[str, str]
) -> tuple[int, str, str]:
    """Post a form as a browser does (without following the redirect): status, the
    redirect's target and the page."""
    async with session.post(action, data=data, allow_redirects=False) as answer:
        return answer.status, answer.headers.get("Location", ""), await answer.text()
