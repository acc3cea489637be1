"""Assessments (考核): define an indicator set, assess or reassess a unit against it; read
an indicator set and a unit's assessments."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import ApiError
from ledger.api.http import command_answer, context, json_response, path_uuid, read_body
from ledger.api.keys import LEDGER
from ledger.api.positions import read_position
from ledger.api.reads import READ, answer_record
from ledger.api.routing import RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, Named, View
from ledger.application.commands import AssessUnit, DefineIndicatorSet
from ledger.domain.vocab import (
    Grade,
)
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.chain import queries as chain_query
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import queries as records_query

routes = RouteTable("assessments")


class Indicator(View):
    code: str
    name: str
    weight: float


class IndicatorSetView(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    id: UUID
    version: int
    year: int
    name: str
    indicators: list[Indicator]
    basis: str | None


class AssessmentVersion(View):
    version: int
    total: float
    grade: Grade
    scores: dict[str, float]
    assessed_on: date
    reason: str | None
    basis: str | None
    actor: str
    recorded_at: datetime
    position: int


class Assessment(AssessmentVersion):
    id: UUID
    indicator_set_id: UUID
    indicator_set_name: str | None
    unit_id: UUID
    unit_name: str | None
    year: int
    earlier: list[AssessmentVersion] = Field(
        description="Versions a reassessment replaced, latest first."
    )


class UnitAssessments(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    unit: Named
    items: list[Assessment] = Field(description="Latest year first.")


routes.command(
    "POST",
    "/v1/assessments/indicator-sets",
    "Define an indicator set (考核指标体系) whose weights sum to 100",
    body=DefineIndicatorSet,
    status=201,
    handler=lambda ledger: ledger.assessments.define_indicator_set,
)


@routes.route(
    "POST",
    "/v1/assessments",
    "Assess a unit against an indicator set (201); again, with a reason, reassesses it (200)",
    body=AssessUnit,
    status=201,
)
async def assess_unit(request: web.Request) -> web.Response:
    cmd = await read_body(request, AssessUnit)
    result = await request.app[LEDGER].assessments.assess_unit(context(request, cmd), cmd)
    # One assessment per unit and set: version 1 is its creation, later ones reassessments.
    return command_answer(request, result, 201 if result.version == 1 else 200)


@routes.route(
    "GET",
    "/v1/assessments/indicator-sets/{id}",
    "An indicator set with its weighted indicators",
    query=READ,
    response=IndicatorSetView,
)
async def get_indicator_set(request: web.Request) -> web.Response:
    return await answer_record(request, "indicator set", records_query.get_indicator_set)


@routes.route(
    "GET",
    "/v1/units/{id}/assessments",
    "A unit's assessments: each one as it stands, with the versions reassessments replaced",
    query=READ,
    response=UnitAssessments,
)
async def unit_assessments(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    position, known_at = await read_position(request, CHAIN, RECORDS)
    pool = await reader(request)
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
