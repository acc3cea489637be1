"""Reads of the loop's records: inspections, accountability cases, clues, bulletins,
indicator sets and a unit's assessments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
from aiohttp import web

from ledger.api import schemas_records as schemas
from ledger.api.errors import ApiError, invalid
from ledger.api.http import (
    json_response,
    path_uuid,
    query_choice,
    read_position,
)
from ledger.api.keys import POOL
from ledger.api.routing import KNOWN_AT, MIN_POSITION, Param, route
from ledger.domain.vocab import ClueSource
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.chain import queries as chain_query
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import queries as records_query

Fetch = Callable[[asyncpg.Pool, UUID, int], Awaitable[dict[str, Any] | None]]
READ = (KNOWN_AT, MIN_POSITION)


async def _answer(request: web.Request, what: str, fetch: Fetch, *projections: str) -> web.Response:
    item_id = path_uuid(request)
    position, known_at = await read_position(request, CHAIN, RECORDS, *projections)
    found = await fetch(request.app[POOL], item_id, position)
    if found is None:
        raise ApiError(
            404,
            "Not found",
            f"no {what} with id {item_id}"
            + (f" known at {known_at.isoformat()}" if known_at else ""),
        )
    answer = {"known_at": known_at, "position": position, **found}
    return json_response(answer, headers={"ETag": f'"{found["version"]}"'})


@route(
    "GET",
    "/v1/inspections/{id}",
    "An inspection with its evidence and the findings it raised",
    tag="inspections",
    query=READ,
    response=schemas.InspectionView,
)
async def get_inspection(request: web.Request) -> web.Response:
    return await _answer(request, "inspection", records_query.get_inspection, FINDINGS)


@route(
    "GET",
    "/v1/accountability-cases/{id}",
    "An accountability case: each sanction's kind now, its original kind and every step",
    tag="accountability-cases",
    query=READ,
    response=schemas.CaseView,
)
async def get_case(request: web.Request) -> web.Response:
    return await _answer(request, "accountability case", records_query.get_case)


@route(
    "GET",
    "/v1/clues/{id}",
    "A clue with its triage outcome and the finding it became",
    tag="clues",
    query=READ,
    response=schemas.ClueView,
)
async def get_clue(request: web.Request) -> web.Response:
    return await _answer(request, "clue", records_query.get_clue)


@route(
    "GET",
    "/v1/clues",
    "Find a clue by its key in the system it came from (source and external_id)",
    tag="clues",
    query=(
        Param(
            "source",
            "The system the clue came from.",
            {"type": "string", "enum": [s.value for s in ClueSource]},
            required=True,
        ),
        Param(
            "external_id",
            "The clue's id in that system.",
            {"type": "string", "minLength": 1, "maxLength": 128},
            required=True,
        ),
        *READ,
    ),
    response=schemas.ClueView,
)
async def find_clue(request: web.Request) -> web.Response:
    source = query_choice(request, "source", [s.value for s in ClueSource])
    if source is None:
        raise invalid("source", "missing", "source is required")
    external_id = request.query.get("external_id", "")
    if not 0 < len(external_id) <= 128 or not external_id.isprintable():
        raise invalid("external_id", "format", "external_id must be 1 to 128 printable characters")
    position, known_at = await read_position(request, CHAIN, RECORDS)
    found = await records_query.find_clue(request.app[POOL], source, external_id, position)
    if found is None:
        raise ApiError(404, "Not found", f"no clue from {source} with external_id {external_id}")
    answer = {"known_at": known_at, "position": position, **found}
    return json_response(answer, headers={"ETag": f'"{found["version"]}"'})


@route(
    "GET",
    "/v1/bulletins/{id}",
    "A bulletin with its recipients",
    tag="bulletins",
    query=READ,
    response=schemas.BulletinView,
)
async def get_bulletin(request: web.Request) -> web.Response:
    return await _answer(request, "bulletin", records_query.get_bulletin)


@route(
    "GET",
    "/v1/assessments/indicator-sets/{id}",
    "An indicator set with its weighted indicators",
    tag="assessments",
    query=READ,
    response=schemas.IndicatorSetView,
)
async def get_indicator_set(request: web.Request) -> web.Response:
    return await _answer(request, "indicator set", records_query.get_indicator_set)


@route(
    "GET",
    "/v1/units/{id}/assessments",
    "A unit's assessments: each one as it stands, with the versions reassessments replaced",
    tag="assessments",
    query=READ,
    response=schemas.UnitAssessments,
)
async def unit_assessments(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    position, known_at = await read_position(request, CHAIN, RECORDS)
    pool = request.app[POOL]
    unit = await chain_query.get_unit(pool, unit_id, position)
    if unit is None:
        raise ApiError(404, "Not found", f"no unit with id {unit_id}")
    items = await records_query.assessments(pool, [unit_id], position)
    answer = {
        "known_at": known_at,
        "position": position,
        "unit": {"id": unit["id"], "name": unit["name"]},
        "items": items,
    }
    return json_response(answer)
