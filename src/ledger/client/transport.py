"""One request of the client: the bearer token, the query and headers an operation names,
the body as JSON (or JSON Lines), the answer read into its model or raised as a
``ProblemError``; and ``send``, a command of the table answered ``Created``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self, TypedDict, TypeVar, Unpack
from urllib.parse import quote
from uuid import UUID

import aiohttp
from pydantic import BaseModel

from ledger.client.answers import Created
from ledger.client.errors import problem
from ledger.client.operations import NDJSON, Operation

M = TypeVar("M", bound=BaseModel)
Scalar = str | int | bool | date | datetime | UUID | None
PathValue = UUID | str | int
# A request body: one model; the lines of a JSON Lines body; or such a file's bytes as they are.
Payload = BaseModel | Sequence[BaseModel] | bytes


class Creating(TypedDict, total=False):
    """What a command that makes a record may say: ``idempotency_key`` (a retry with the
    same key and body is answered, not repeated)."""

    idempotency_key: str | None


class Conditions(Creating, total=False):
    """What a command on a record may say besides: ``if_match``, the stream version it
    expects (412, the current one in ``ProblemError.etag``, if another)."""

    if_match: int | None


class Waiting(TypedDict, total=False):
    """What a read of the read models may say: ``min_position``, the position it waits
    (bounded; else 503) for them to reach, such as the ``position`` of a command's answer."""

    min_position: int | None


class Known(Waiting, total=False):
    """And, where the read keeps its past: ``known_at``, the ledger time it reads as of
    (what the ledger knew then)."""

    known_at: datetime | None


class Paging(TypedDict, total=False):
    """What a list may say: ``limit``, the page's size, and ``cursor``, the previous page's
    ``next_cursor``."""

    limit: int | None
    cursor: str | None


class WaitingPage(Waiting, Paging, total=False):
    pass


class KnownPage(Known, Paging, total=False):
    pass


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


def path_ids(op: Operation, values: Sequence[PathValue]) -> dict[str, PathValue]:
    """The path's placeholders, in order, filled with ``values``."""
    names = re.findall(r"{(\w+)}", op.path)
    if len(names) != len(values):
        raise ValueError(f"{op.method} {op.path} names {len(names)} records, not {len(values)}")
    return dict(zip(names, values, strict=True))


def encode(op: Operation, body: Payload) -> bytes:
    """The body of a request: its model as JSON, or each line's model as a line of JSON
    Lines (a file's bytes are sent as they are)."""
    if isinstance(body, bytes):
        if op.body_media != NDJSON:
            raise TypeError(f"{op.method} {op.path} takes a {op.body}, not bytes")
        return body
    models = [body] if isinstance(body, BaseModel) else list(body)
    wrong = [type(m) for m in models if op.body is None or not isinstance(m, op.body)]
    if wrong or (op.body_media != NDJSON and len(models) != 1):
        raise TypeError(f"{op.method} {op.path} takes {op.body}, not {wrong or type(body)}")
    if op.body_media != NDJSON:
        return models[0].model_dump_json(exclude_unset=True).encode()
    return "".join(m.model_dump_json(exclude_unset=True) + "\n" for m in models).encode()


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
        ids: Mapping[str, PathValue],
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
        ids: Mapping[str, PathValue] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Payload | None = None,
    ) -> Any:
        """Send one request; the answer's JSON (or text), or ``ProblemError``."""
        url, params, sent = self.prepare(op, ids or {}, query or {}, headers or {})
        data = None
        if body is not None:
            data = encode(op, body)
            sent["Content-Type"] = op.body_media
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
        ids: Mapping[str, PathValue] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Payload | None = None,
    ) -> M:
        return model.model_validate(await self.call(op, ids, query, headers, body))

    async def send(
        self, op: Operation, body: BaseModel, *records: UUID, **conditions: Unpack[Conditions]
    ) -> Created:
        """Any command of the table (``operations``): its body, and the records its path
        names, in order (a case, then its sanction)."""
        headers = command_headers(conditions.get("if_match"), conditions.get("idempotency_key"))
        return await self.read(op, Created, path_ids(op, records), headers=headers, body=body)


async def raise_for_problem(response: aiohttp.ClientResponse) -> None:
    if response.status < 400:
        return
    text = await response.text()
    try:
        answer: Any = await response.json(content_type=None)
    except ValueError:
        answer = text
    raise problem(response.status, response.headers, answer)
