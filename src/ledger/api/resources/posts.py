"""Posts held (任职): who holds a post in a unit on a day, and every post a person held,
in any unit; a page at a time, each post with its valid dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import ApiError
from ledger.api.http import encode_cursor, json_response, path_uuid, query_int, query_valid_at
from ledger.api.positions import read_position
from ledger.api.reads import PAGE, after_day_and_id
from ledger.api.resources.assignments import AssignmentView
from ledger.api.routing import VALID_AT, RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, View
from ledger.infra.database import Pool
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.chain import queries as chain_query

routes = RouteTable("posts")


class PersonPost(AssignmentView):
    unit_name: str | None = Field(description="The unit's name as the chain knows it.")


class _Page(View):
    valid_at: date = Field(description="The day portfolios and lines are given for.")
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


class UnitHolders(_Page):
    items: list[AssignmentView] = Field(
        description="The posts held on valid_at, longest held first (effective_from, then id)."
    )


class PersonPosts(_Page):
    items: list[PersonPost] = Field(
        description="Every post held, in any unit, earliest first (effective_from, then id)."
    )


def _page(head: dict[str, Any], items: list[dict[str, Any]], limit: int) -> web.Response:
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1]["effective_from"], items[-1]["id"]])
    return json_response(head | {"items": items, "next_cursor": next_cursor})


async def _read(
    request: web.Request,
) -> tuple[Pool, UUID, dict[str, Any], int, tuple[date, UUID] | None]:
    """The caller's reader, the path's id, the answer's head (valid_at and the read
    position), the page size and where the page starts."""
    subject = path_uuid(request)
    valid_at = query_valid_at(request)
    limit = query_int(request, "limit", 50, 1, 500)
    after = after_day_and_id(request)
    position, known_at = await read_position(request, CHAIN)
    head = {"valid_at": valid_at, "known_at": known_at, "position": position}
    return await reader(request), subject, head, limit, after


@routes.route(
    "GET",
    "/v1/units/{id}/persons",
    "The persons holding a post in a unit on valid_at (default today), with their posts",
    query=(VALID_AT, *PAGE),
    response=UnitHolders,
)
async def unit_persons(request: web.Request) -> web.Response:
    pool, unit_id, head, limit, after = await _read(request)
    valid_at, position = head["valid_at"], head["position"]
    if await chain_query.get_unit(pool, unit_id, position) is None:
        raise ApiError(404, "Not found", f"no unit with id {unit_id}")
    items = await chain_query.holders(
        pool, unit_id, valid_at, limit=limit + 1, after=after, position=position
    )
    return _page(head, items, limit)


@routes.route(
    "GET",
    "/v1/persons/{id}/assignments",
    "Every post a person held, in any unit, with its valid dates (portfolio and line as"
    " of valid_at)",
    query=(VALID_AT, *PAGE),
    response=PersonPosts,
)
async def person_assignments(request: web.Request) -> web.Response:
    pool, person_id, head, limit, after = await _read(request)
    valid_at, position = head["valid_at"], head["position"]
    if await chain_query.get_person(pool, person_id, position) is None:
        raise ApiError(404, "Not found", f"no person with id {person_id}")
    items = await chain_query.posts_of_person(
        pool, person_id, valid_at, limit=limit + 1, after=after, position=position
    )
    return _page(head, items, limit)
