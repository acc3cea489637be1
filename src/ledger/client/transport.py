"""One request of the client: the bearer token, the query and headers an operation names,
the body as JSON, the answer read into its model or raised as a ``ProblemError``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote
from uuid import UUID

import aiohttp
from pydantic import BaseModel

from ledger.client.errors import problem
from ledger.client.operations import Operation

M = TypeVar("M", bound=BaseModel)
Scalar = str | int | bool | date | datetime | UUID | None


def query_value(value: Scalar | list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def purpose_header(purpose: str | None) -> dict[str, str]:
    """``X-Access-Purpose``, percent-encoded UTF-8 (a header carries no Chinese as is)."""
    return {} if purpose is None else {"X-Access-Purpose": quote(purpose, safe="")}


def command_headers(if_match: int | None, idempotency_key: str | None) -> dict[str, str]:
    headers = {}
    if if_match is not None:
        headers["If-Match"] = f'"{if_match}"'
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return headers


class Transport:
    """The session, the base URL and the token. Give a session to share one (its
    connection pool, its timeouts); otherwise the client opens its own and closes it with
    ``close()`` or ``async with``."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        source: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._source = source
        self._session = session
        self._owned = session is None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._owned and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    def prepare(
        self,
        op: Operation,
        ids: Mapping[str, UUID | str],
        query: Mapping[str, Any],
        headers: Mapping[str, str],
    ) -> tuple[str, dict[str, str], dict[str, str]]:
        """The URL, query and headers of a request; a parameter or header the operation
        does not name is a mistake of the client's own (``ValueError``)."""
        unknown = [k for k in query if k not in op.query]
        unknown += [k for k in headers if k not in op.headers]
        if unknown:
            raise ValueError(f"{op.method} {op.path} takes no {', '.join(unknown)}")
        path = op.path
        for name, value in ids.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        sent = {"Accept": op.media, **headers}
        if self._token is not None:
            sent["Authorization"] = f"Bearer {self._token}"
        if self._source is not None:
            sent["X-Source"] = self._source
        params = {k: query_value(v) for k, v in query.items() if v is not None}
        return self.base_url + path, params, sent

    async def call(
        self,
        op: Operation,
        ids: Mapping[str, UUID | str] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: BaseModel | None = None,
    ) -> Any:
        """Send one request; the answer's JSON (or text), or ``ProblemError``."""
        url, params, sent = self.prepare(op, ids or {}, query or {}, headers or {})
        data = None
        if body is not None:
            if op.body is None or not isinstance(body, op.body):
                raise TypeError(f"{op.method} {op.path} takes {op.body}, not {type(body)}")
            data = body.model_dump_json(exclude_unset=True).encode()
            sent["Content-Type"] = "application/json"
        async with self.session.request(
            op.method, url, params=params, headers=sent, data=data
        ) as response:
            await raise_for_problem(response)
            if op.media == "application/json":
                return await response.json()
            return await response.text()

    async def read(
        self,
        op: Operation,
        model: type[M],
        ids: Mapping[str, UUID | str] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: BaseModel | None = None,
    ) -> M:
        return model.model_validate(await self.call(op, ids, query, headers, body))


async def raise_for_problem(response: aiohttp.ClientResponse) -> None:
    if response.status < 400:
        return
    text = await response.text()
    try:
        answer: Any = await response.json(content_type=None)
    except ValueError:
        answer = text
    raise problem(response.status, response.headers, answer)
