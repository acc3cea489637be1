"""Reads of one record by id, and pages of records newest first: the answer shape the
inspections, cases, clues, bulletins and assessments resources share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import decode_cursor, encode_cursor, json_response, path_uuid
from ledger.api.positions import read_position
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION
from ledger.infra.database import Pool
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.records import NAME as RECORDS

Fetch = Callable[[Pool, UUID, int], Awaitable[dict[str, Any] | None]]


READ = (KNOWN_AT, MIN_POSITION)


async def answer_record(
    request: web.Request, what: str, fetch: Fetch, *projections: str
) -> web.Response:
    item_id = path_uuid(request)
    position, known_at = await read_position(request, CHAIN, RECORDS, *projections)
    found = await fetch(await reader(request), item_id, position)
    if found is None:
        raise ApiError(
            404,
            "Not found",
            f"no {what} with id {item_id}"
            + (f" known at {known_at.isoformat()}" if known_at else ""),
        )
    answer = {"known_at": known_at, "position": position, **found}
    return json_response(answer, headers={"ETag": f'"{found["version"]}"'})


UUID_SCHEMA = {"type": "string", "format": "uuid"}


PAGE = (KNOWN_AT, LIMIT, CURSOR, MIN_POSITION)


def after_day_and_id(request: web.Request) -> tuple[date, UUID] | None:
    """The (day, id) a page continues after, from ``cursor``."""
    cursor = decode_cursor(request)
    if cursor is None:
        return None
    try:
        day, last = cursor
        return date.fromisoformat(day), UUID(last)
    except (ValueError, TypeError, AttributeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None


def page_of(
    items: list[dict[str, Any]], limit: int, day: str, known_at: Any, position: int
) -> web.Response:
    """The first ``limit`` items (one more was read to know whether a page follows)."""
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1][day], items[-1]["id"]])
    answer = {"known_at": known_at, "position": position, "items": items}
    return json_response(answer | {"next_cursor": next_cursor})
