"""Console tests: the real app on a real port, a browser's session (its own cookie jar)
per signed-in user, and the loop's small world built over the API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from tests.api.test_bad_inputs import post
from tests.api.test_loop_commands import Loop, build_loop, finding_body

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
