"""Units (单位): register, rename, move, dissolve; read one, list them, and the
responsibility chain of a unit as of a date."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from aiohttp import web
from pydantic import (
    Field,
)

from ledger.api.auth import reader
from ledger.api.errors import ApiError
from ledger.api.http import (
    json_response,
    path_uuid,
    query_choice,
    query_int,
    query_uuid,
    query_valid_at,
)
from ledger.api.positions import query_position, wait_for_position
from ledger.api.resources.assignments import AssignmentView
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION, VALID_AT, Param, RouteTable
from ledger.api.schemas import View
from ledger.api.textquery import MAX_TEXT, name_cursor, page, query_text
from ledger.application.commands import DissolveUnit, MoveUnit, RegisterUnit, RenameUnit
from ledger.domain.vocab import (
    Category,
    UnitKind,
    UnitLevel,
)
from ledger.projections.chain import queries as chain_query
from ledger.projections.search import lists as search_query

routes = RouteTable("units")
_KINDS = [kind.value for kind in UnitKind]


class UnitView(View):
    id: UUID
    name: str
    kind: UnitKind
    level: UnitLevel
    parent_id: UUID | None
    code: str | None
    dissolved: bool
    merged_into: UUID | None
    version: int


class UnitPage(View):
    items: list[UnitView]
    next_cursor: str | None


class ChainNode(AssignmentView):
    reports: list[ChainNode] = Field(description="Assignments whose line leads here.")


class Gap(View):
    kind: str = Field(
        description="no_principal | no_line | reports_to_ended | staff_without_leader"
        " | uncovered_category"
    )
    detail: str
    assignment_id: UUID | None = None
    person_id: UUID | None = None
    person_name: str | None = None
    category: Category | None = None


class ChainView(View):
    valid_at: date
    known_at: datetime | None
    position: int = Field(description="The ledger position the answer reflects.")
    unit: UnitView
    chain: list[ChainNode] = Field(description="Principals first, then lines with no root.")
    gaps: list[Gap]


routes.command(
    "POST",
    "/v1/units",
    "Register a unit",
    body=RegisterUnit,
    status=201,
    handler=lambda ledger: ledger.units.register_unit,
)


@routes.route(
    "GET",
    "/v1/units/{id}",
    "Read a unit",
    query=(MIN_POSITION,),
    response=UnitView,
)
async def get_unit(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    await wait_for_position(request)
    unit = await chain_query.get_unit(await reader(request), unit_id)
    if unit is None:
        raise ApiError(404, "Not found", f"no unit with id {unit_id}")
    return json_response(unit, headers={"ETag": f'"{unit["version"]}"'})


UUID_PARAM = {"type": "string", "format": "uuid"}
TEXT_PARAM = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}


@routes.route(
    "GET",
    "/v1/units",
    "List units (top level, or under a parent, or those matching filters), by name",
    query=(
        Param("parent_id", "Only the units directly under this unit.", UUID_PARAM),
        Param(
            "name",
            "Only units whose name contains this text (无锡 finds 无锡市人民政府).",
            TEXT_PARAM,
        ),
        Param("code", "Only the unit with this code.", TEXT_PARAM),
        Param("kind", "Only units of this kind.", {"type": "string", "enum": _KINDS}),
        Param("under", "Only this unit and every unit below it.", UUID_PARAM),
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=UnitPage,
)
async def list_units(request: web.Request) -> web.Response:
    """Without a filter, the top-level units (of the caller's jurisdiction: its own unit);
    each filter given narrows the list, anywhere in the tree."""
    parent_id, under = query_uuid(request, "parent_id"), query_uuid(request, "under")
    name, code = query_text(request, "name"), query_text(request, "code")
    kind = query_choice(request, "kind", _KINDS)
    limit = query_int(request, "limit", 50, 1, 500)
    after = name_cursor(request)
    await wait_for_position(request)
    items = await search_query.list_units(
        await reader(request),
        limit=limit + 1,
        after=after,
        parent_id=parent_id,
        roots_only=(parent_id, name, code, kind, under) == (None,) * 5,
        name=name,
        code=code,
        kind=kind,
        under=under,
    )
    return json_response(page(items, limit))


routes.command(
    "POST",
    "/v1/units/{id}/rename",
    "Rename a unit",
    body=RenameUnit,
    handler=lambda ledger: ledger.units.rename_unit,
)


routes.command(
    "POST",
    "/v1/units/{id}/move",
    "Move a unit under another parent",
    body=MoveUnit,
    handler=lambda ledger: ledger.units.move_unit,
)


routes.command(
    "POST",
    "/v1/units/{id}/dissolve",
    "Dissolve a unit",
    body=DissolveUnit,
    handler=lambda ledger: ledger.units.dissolve_unit,
)


@routes.route(
    "GET",
    "/v1/units/{id}/chain",
    "The responsibility chain of a unit, with its gaps",
    query=(VALID_AT, KNOWN_AT, MIN_POSITION),
    response=ChainView,
)
async def get_chain(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    valid_at = query_valid_at(request)
    reached = await wait_for_position(request)
    position, known_at = await query_position(request)
    answer = await chain_query.chain(await reader(request), unit_id, valid_at, position)
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
