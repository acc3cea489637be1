"""Lists of the loop's records, newest first, a page at a time: inspections and
accountability cases."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api import schemas_records as schemas
from ledger.api.errors import invalid
from ledger.api.http import (
    decode_cursor,
    encode_cursor,
    json_response,
    query_bool,
    query_choice,
    query_int,
    query_uuid,
    read_position,
)
from ledger.api.keys import POOL
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION, Param, route
from ledger.domain.vocab import InspectionStage
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import lists as records_lists

STAGES = [s.value for s in InspectionStage]
UUID_SCHEMA = {"type": "string", "format": "uuid"}
PAGE = (KNOWN_AT, LIMIT, CURSOR, MIN_POSITION)


def _after(request: web.Request) -> tuple[date, UUID] | None:
    """The (day, id) a page continues after, from ``cursor``."""
    cursor = decode_cursor(request)
    if cursor is None:
        return None
    try:
        day, last = cursor
        return date.fromisoformat(day), UUID(last)
    except (ValueError, TypeError, AttributeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None


def _page(
    items: list[dict[str, Any]], limit: int, day: str, known_at: Any, position: int
) -> web.Response:
    """The first ``limit`` items (one more was read to know whether a page follows)."""
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1][day], items[-1]["id"]])
    answer = {"known_at": known_at, "position": position, "items": items}
    return json_response(answer | {"next_cursor": next_cursor})


@route(
    "GET",
    "/v1/inspections",
    "Inspections, latest start first, each with its targets and the findings it raised",
    tag="inspections",
    query=(
        Param(
            "year",
            "The inspection's year.",
            {"type": "integer", "minimum": 1900, "maximum": 2199},
        ),
        Param("organizer_unit_id", "Only inspections this unit organized.", UUID_SCHEMA),
        Param("target_unit_id", "Only inspections of this unit (one of its targets).", UUID_SCHEMA),
        Param("stage", "Only inspections at this stage.", {"type": "string", "enum": STAGES}),
        *PAGE,
    ),
    response=schemas.InspectionPage,
)
async def list_inspections(request: web.Request) -> web.Response:
    year = query_int(request, "year", 0, 1900, 2199) if "year" in request.query else None
    organizer_unit_id = query_uuid(request, "organizer_unit_id")
    target_unit_id = query_uuid(request, "target_unit_id")
    stage = query_choice(request, "stage", STAGES)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(request)
    position, known_at = await read_position(request, CHAIN, RECORDS, FINDINGS)
    items = await records_lists.list_inspections(
        request.app[POOL],
        limit=limit + 1,
        position=position,
        year=year,
        organizer_unit_id=organizer_unit_id,
        target_unit_id=target_unit_id,
        stage=stage,
        after=after,
    )
    return _page(items, limit, "starts_on", known_at, position)


@route(
    "GET",
    "/v1/accountability-cases",
    "Accountability cases, latest opened first, each with its sanctions as they stand",
    tag="accountability-cases",
    query=(
        Param("person_id", "Only cases against this person.", UUID_SCHEMA),
        Param("handling_unit_id", "Only cases this unit handles.", UUID_SCHEMA),
        Param("finding_id", "Only cases resting on this finding.", UUID_SCHEMA),
        Param(
            "open",
            "Only cases not yet closed (true), or only closed ones (false).",
            {"type": "boolean"},
        ),
        *PAGE,
    ),
    response=schemas.CasePage,
)
async def list_cases(request: web.Request) -> web.Response:
    person_id = query_uuid(request, "person_id")
    handling_unit_id = query_uuid(request, "handling_unit_id")
    finding_id = query_uuid(request, "finding_id")
    is_open = query_bool(request, "open")
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(request)
    position, known_at = await read_position(request, CHAIN, RECORDS)
    items = await records_lists.list_cases(
        request.app[POOL],
        limit=limit + 1,
        position=position,
        person_id=person_id,
        handling_unit_id=handling_unit_id,
        finding_id=finding_id,
        is_open=is_open,
        after=after,
    )
    return _page(items, limit, "opened_on", known_at, position)
