"""Units: register, read, list, rename, move, dissolve; the responsibility chain."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api import schemas
from ledger.api.commanding import command
from ledger.api.errors import ApiError, invalid
from ledger.api.http import (
    decode_cursor,
    encode_cursor,
    json_response,
    path_uuid,
    query_int,
    query_position,
    query_uuid,
    query_valid_at,
    wait_for_position,
)
from ledger.api.keys import POOL
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION, VALID_AT, Param, route
from ledger.application.commands import DissolveUnit, MoveUnit, RegisterUnit, RenameUnit
from ledger.projections.chain import queries as chain_query

TAG = "units"


command(
    "POST",
    "/v1/units",
    "Register a unit",
    tag=TAG,
    body=RegisterUnit,
    status=201,
    handler=lambda ledger: ledger.units.register_unit,
)


@route(
    "GET",
    "/v1/units/{id}",
    "Read a unit",
    tag=TAG,
    query=(MIN_POSITION,),
    response=schemas.UnitView,
)
async def get_unit(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    await wait_for_position(request)
    unit = await chain_query.get_unit(request.app[POOL], unit_id)
    if unit is None:
        raise ApiError(404, "Not found", f"no unit with id {unit_id}")
    return json_response(unit, headers={"ETag": f'"{unit["version"]}"'})


@route(
    "GET",
    "/v1/units",
    "List units (top level, or under a parent)",
    tag=TAG,
    query=(
        Param(
            "parent_id",
            "Only the units directly under this unit.",
            {"type": "string", "format": "uuid"},
        ),
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=schemas.UnitPage,
)
async def list_units(request: web.Request) -> web.Response:
    parent_id = query_uuid(request, "parent_id")
    limit = query_int(request, "limit", 50, 1, 500)
    cursor = decode_cursor(request)
    after = None
    if cursor is not None:
        try:
            after = _after(cursor)
        except ValueError:
            raise invalid("cursor", "cursor", "cursor is not one this service issued") from None
    await wait_for_position(request)
    items = await chain_query.list_units(
        request.app[POOL], parent_id, limit + 1, after, roots_only=parent_id is None
    )
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1]["name"], items[-1]["id"]])
    return json_response({"items": items, "next_cursor": next_cursor})


def _after(cursor: list[Any]) -> tuple[str, UUID]:
    """The (name, id) a page continues after; ValueError if this service did not issue it."""
    name, last = cursor
    if not isinstance(name, str) or "\x00" in name:  # PostgreSQL text cannot hold NUL
        raise ValueError("not a unit name")
    name.encode()  # nor a lone surrogate: UnicodeEncodeError
    return name, UUID(str(last))


command(
    "POST",
    "/v1/units/{id}/rename",
    "Rename a unit",
    tag=TAG,
    body=RenameUnit,
    handler=lambda ledger: ledger.units.rename_unit,
)


command(
    "POST",
    "/v1/units/{id}/move",
    "Move a unit under another parent",
    tag=TAG,
    body=MoveUnit,
    handler=lambda ledger: ledger.units.move_unit,
)


command(
    "POST",
    "/v1/units/{id}/dissolve",
    "Dissolve a unit",
    tag=TAG,
    body=DissolveUnit,
    handler=lambda ledger: ledger.units.dissolve_unit,
)


@route(
    "GET",
    "/v1/units/{id}/chain",
    "The responsibility chain of a unit, with its gaps",
    tag=TAG,
    query=(VALID_AT, KNOWN_AT, MIN_POSITION),
    response=schemas.ChainView,
)
async def get_chain(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    valid_at = query_valid_at(request)
    reached = await wait_for_position(request)
    position, known_at = await query_position(request)
    answer = await chain_query.chain(request.app[POOL], unit_id, valid_at, position)
    if answer is None:
        raise ApiError(
            404,
            "Not found",
            f"no unit with id {unit_id}"
            + (f" known at {known_at.isoformat()}" if known_at else ""),
        )
    answer = {
        "valid_at": valid_at,
        "known_at": known_at,
        "position": min(position, reached),
        **answer,
    }
    return json_response(answer)
