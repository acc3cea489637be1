"""Helpers shared by the route modules: bodies, context, query parameters, answers."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from ledger.api.errors import ApiError, check_plus_as_space, from_validation, invalid
from ledger.api.keys import ACTOR, POSITION, PRINCIPAL, SETTINGS
from ledger.application import CommandResult, Context

M = TypeVar("M", bound=BaseModel)

MAX_KEY_LENGTH = 200
# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
_INTEGER = re.compile(r"-?[0-9]+")
_VERSION = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def to_json(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Decimal):  # scores and weights: a JSON number, as they were sent
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(body, default=to_json, option=orjson.OPT_NON_STR_KEYS),
        content_type="application/json",
        headers=headers,
    )


async def read_body(request: web.Request, model: type[M]) -> M:
    """Parse the JSON body into ``model``; 415, 400 or 422 with the field and rule if not."""
    if request.content_type != "application/json":
        raise ApiError(
            415,
            "Unsupported media type",
            f"send the body as application/json, not {request.content_type or 'nothing'}",
        )
    raw = await request.read()
    if not raw.strip():
        raise ApiError(400, "Malformed JSON", "the request needs a JSON object body")
    try:
        json.loads(raw)
    except ValueError as error:  # also a number over int's digit limit
        raise ApiError(400, "Malformed JSON", f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise ApiError(400, "Malformed JSON", "the body nests too deeply") from None
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        raise from_validation(error) from None


def context(request: web.Request, body: BaseModel) -> Context:
    """Actor, idempotency key, request hash and expected version of a command."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        raise invalid("Idempotency-Key", "format", f"1 to {MAX_KEY_LENGTH} printable characters")
    digest = hashlib.sha256(
        f"{request.method} {request.path}\n".encode()
        + json.dumps(body.model_dump(mode="json", by_alias=True), sort_keys=True).encode()
    ).digest()
    return Context(
        actor=request[ACTOR],
        source=request.headers.get("X-Source", "api")[:64],
        idempotency_key=key,
        request_hash=digest,
        expected_version=_if_match(request),
        jurisdiction=request[PRINCIPAL].unit,
        today=request.app[SETTINGS].today(),
    )


def _if_match(request: web.Request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not _VERSION.fullmatch(value):
        raise invalid("If-Match", "etag", 'If-Match must be a version as an ETag, e.g. "3"')
    return int(value)


def command_answer(request: web.Request, result: CommandResult, status: int = 200) -> web.Response:
    request[POSITION] = result.position
    headers = {"ETag": f'"{result.version}"'}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(result.as_json(), status=status, headers=headers)


def path_uuid(request: web.Request, name: str = "id") -> UUID:
    try:
        return UUID(request.match_info[name])
    except ValueError:
        raise invalid(name, "uuid", f"{name} must be a UUID") from None


def query_uuid(request: web.Request, name: str) -> UUID | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise invalid(name, "uuid", f"{name} must be a UUID") from None


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise invalid(name, "integer", f"{name} must be an integer")
    value = int(raw) if len(raw) <= 20 else high + 1  # no int() of a 5000-digit string
    if not low <= value <= high:
        raise invalid(name, "range", f"{name} must be between {low} and {high}")
    return value


def query_bool(request: web.Request, name: str) -> bool | None:
    """``true`` or ``false``; None when absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise invalid(name, "boolean", f"{name} must be true or false")
    return raw == "true"


def query_choice(request: web.Request, name: str, choices: Sequence[str]) -> str | None:
    """One of ``choices`` (codes of a vocabulary); None when absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise invalid(name, "enum", f"{name} must be one of: " + ", ".join(choices))
    return raw


def query_date(request: web.Request, name: str) -> date | None:
    """A ``YYYY-MM-DD`` date between 1900 and 2199; None when absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    # fromisoformat alone would also take 20240101 and 2024-W01-1.
    try:
        day = date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None:
        raise invalid(name, "date", f"{name} must be a date, YYYY-MM-DD")
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise invalid(name, "range", f"{name} must be between 1900-01-01 and 2199-12-31")
    return day


def query_period(request: web.Request) -> tuple[date, date]:
    """The required ``from`` and ``to`` dates (both days included), from not after to."""
    start, end = query_date(request, "from"), query_date(request, "to")
    for name, day in (("from", start), ("to", end)):
        if day is None:
            raise invalid(name, "missing", f"{name} is required (YYYY-MM-DD)")
    assert start is not None and end is not None
    if start > end:
        raise invalid("from", "range", "from must not be after to")
    return start, end


def query_valid_at(request: web.Request) -> date:
    """``valid_at`` as a date (a datetime counts by its own calendar day); by default today,
    in the service's time zone."""
    raw = request.query.get("valid_at")
    if raw is None:
        return request.app[SETTINGS].today()
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else datetime.fromisoformat(raw).date()
    except ValueError:
        check_plus_as_space("valid_at", raw)
        raise invalid(
            "valid_at", "date", "valid_at must be YYYY-MM-DD or an RFC 3339 time"
        ) from None
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise invalid("valid_at", "range", "valid_at must be between 1900-01-01 and 2199-12-31")
    return day


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=to_json).encode()).decode()


def decode_cursor(request: web.Request) -> list[Any] | None:
    raw = request.query.get("cursor")
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, UnicodeDecodeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None
    if not isinstance(values, list):
        raise invalid("cursor", "cursor", "cursor is not one this service issued")
    return values
