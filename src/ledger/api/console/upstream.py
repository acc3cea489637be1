"""The console reads and writes through the service's own HTTP API, with the signed-in
caller's token: the same policy, jurisdiction, access log and answers as any client.

Requests go over loopback to the address the browser's connection arrived on (never to a
host the request names), carrying the caller's address for the access log with this
process's console secret (``api.access``), which no outside client knows.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from ledger.api.keys import CONSOLE_SECRET, UPSTREAM

CLIENT_HEADER = "X-Ledger-Console-Client"
SECRET_HEADER = "X-Ledger-Console"


@dataclass
class UpstreamError(Exception):
    """A problem answer of the API (or none at all: status 503), kept whole for the page."""

    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, status: int, body: bytes) -> UpstreamError:
        try:
            problem = json.loads(body)
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        return cls(
            status,
            str(problem.get("title", "Error")),
            str(problem.get("detail", "")),
            list(problem.get("errors") or []),
        )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _base(request: web.Request) -> str:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:
        raise UpstreamError(503, "Service unavailable", "the console has no local address")
    host, port = sockname[0], sockname[1]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def call(
    request: web.Request,
    method: str,
    path: str,
    token: str,
    *,
    params: Mapping[str, str] | None = None,
    body: Any = None,
    purpose: str | None = None,
    accept: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """One API request as the signed-in caller; a 4xx/5xx answer raises UpstreamError."""
    sent = {
        "Authorization": f"Bearer {token}",
        "Accept": accept,
        SECRET_HEADER: request.app[CONSOLE_SECRET],
        CLIENT_HEADER: request.remote or "",
        **(headers or {}),
    }
    if purpose is not None:
        sent["X-Access-Purpose"] = quote(purpose, safe="")
    query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    try:
        async with request.app[UPSTREAM].request(
            method, _base(request) + path, params=query, json=body, headers=sent
        ) as answer:
            data = await answer.read()
            if answer.status >= 400:
                raise UpstreamError.of(answer.status, data)
            return Answer(answer.status, dict(answer.headers), data)
    except aiohttp.ClientError as error:
        raise UpstreamError(
            503, "Service unavailable", f"the API did not answer: {error}"
        ) from None


async def get(
    request: web.Request, path: str, token: str, purpose: str | None = None, **params: Any
) -> Any:
    """GET a JSON answer."""
    answer = await call(
        request,
        "GET",
        path,
        token,
        params={k: str(v) for k, v in params.items() if v is not None},
        purpose=purpose,
    )
    return answer.json()


async def session(app: web.Application) -> AsyncIterator[None]:
    """The console's HTTP client, for the app's lifetime."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30), auto_decompress=True
    ) as client:
        app[UPSTREAM] = client
        yield


async def optional(read: Awaitable[Any]) -> Any:
    """A section of a page the caller's role may not read: None (the page says so), not an
    error page for the whole of it."""
    try:
        return await read
    except UpstreamError as refused:
        if refused.status == 403:
            return None
        raise
