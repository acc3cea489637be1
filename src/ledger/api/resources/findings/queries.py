"""Findings read: a finding's loop status, and the search."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import (
    decode_cursor,
    encode_cursor,
    json_response,
    path_uuid,
    query_bool,
    query_choice,
    query_int,
    query_uuid,
    query_valid_at,
)
from ledger.api.positions import query_position, wait_for_position
from ledger.api.resources.findings.schemas import FindingPage, FindingView
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION, Param, RouteTable
from ledger.domain.vocab import Category, FindingStage
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.findings import queries as findings_query

routes = RouteTable("findings")


STATUSES = [findings_query.OPEN] + [s.value for s in FindingStage]


CATEGORIES = [c.value for c in Category]


OVERDUE_VALID_AT = Param(
    "valid_at", "The day overdue is counted on: YYYY-MM-DD or RFC 3339 (default today)."
)


UNIT_ID = Param("unit_id", "Only findings against this unit.", {"type": "string", "format": "uuid"})


async def caught_up(request: web.Request) -> int:
    """Honour ``min_position`` on the findings and on the chain, whose units, persons and
    assignments the answers name; the position both have reached."""
    return min(
        await wait_for_position(request, projection=FINDINGS), await wait_for_position(request)
    )


@routes.route(
    "GET",
    "/v1/findings/{id}",
    "The loop status of a finding: stage, deadlines, overdue, who was responsible and who is now",
    query=(OVERDUE_VALID_AT, KNOWN_AT, MIN_POSITION),
    response=FindingView,
)
async def get_finding(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    valid_at = query_valid_at(request)
    reached = await caught_up(request)
    position, known_at = await query_position(request)
    finding = await findings_query.get_finding(
        await reader(request), finding_id, valid_at, position
    )
    if finding is None:
        raise ApiError(
            404,
            "Not found",
            f"no finding with id {finding_id}"
            + (f" known at {known_at.isoformat()}" if known_at else ""),
        )
    answer = {
        "valid_at": valid_at,
        "known_at": known_at,
        "position": min(position, reached),
        **finding,
    }
    return json_response(answer, headers={"ETag": f'"{finding["version"]}"'})


@routes.route(
    "GET",
    "/v1/findings",
    "Search findings",
    query=(
        UNIT_ID,
        Param(
            "include_subunits",
            "With unit_id: also the findings of every unit below it (default false).",
            {"type": "boolean"},
        ),
        Param(
            "status",
            "A stage, or open (every stage but closed).",
            {"type": "string", "enum": STATUSES},
        ),
        Param("category", "A finding category.", {"type": "string", "enum": CATEGORIES}),
        Param("overdue", "Overdue on valid_at, or not.", {"type": "boolean"}),
        Param(
            "year",
            "The year of found_on.",
            {"type": "integer", "minimum": 1900, "maximum": 2199},
        ),
        OVERDUE_VALID_AT,
        KNOWN_AT,
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=FindingPage,
)
async def search_findings(request: web.Request) -> web.Response:
    unit_id = query_uuid(request, "unit_id")
    include_subunits = query_bool(request, "include_subunits") or False
    if include_subunits and unit_id is None:
        raise invalid("include_subunits", "requires", "include_subunits needs a unit_id")
    status = query_choice(request, "status", STATUSES)
    category = query_choice(request, "category", CATEGORIES)
    overdue = query_bool(request, "overdue")
    year = query_int(request, "year", 0, 1900, 2199) if "year" in request.query else None
    valid_at = query_valid_at(request)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(decode_cursor(request))
    await caught_up(request)
    position, known_at = await query_position(request)
    items = await findings_query.search_findings(
        await reader(request),
        as_of=valid_at,
        limit=limit + 1,
        unit_id=unit_id,
        include_subunits=include_subunits,
        status=status,
        category=category,
        overdue=overdue,
        year=year,
        after=after,
        position=position if known_at is not None else None,
    )
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1]["found_on"], items[-1]["id"]])
    answer = {"valid_at": valid_at, "known_at": known_at, "items": items}
    return json_response(answer | {"next_cursor": next_cursor})


def _after(cursor: list[Any] | None) -> tuple[date, UUID] | None:
    """The (found_on, id) a page continues after."""
    if cursor is None:
        return None
    try:
        day, last = cursor
        return date.fromisoformat(day), UUID(last)
    except (ValueError, TypeError, AttributeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None
