"""Assessments (考核): define an indicator set, assess or reassess a unit against it."""

from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from ledger.api import schemas_loop as schemas
from ledger.api.http import command_answer, context, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route

TAG = "assessments"


def decimal(number: float) -> Decimal:
    """The number as the client wrote it: 80 stays 80 (not 80.0), 0.1 stays 0.1."""
    return Decimal(int(number)) if number.is_integer() else Decimal(str(number))


@route(
    "POST",
    "/v1/assessments/indicator-sets",
    "Define an indicator set (考核指标体系) whose weights sum to 100",
    tag=TAG,
    body=schemas.DefineIndicatorSet,
    status=201,
)
async def define_indicator_set(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.DefineIndicatorSet)
    result = await request.app[LEDGER].define_indicator_set(
        context(request, body),
        year=body.year,
        name=body.name,
        indicators=[
            {"code": i.code, "name": i.name, "weight": decimal(i.weight)} for i in body.indicators
        ],
        basis=body.basis,
    )
    return command_answer(request, result, 201)


@route(
    "POST",
    "/v1/assessments",
    "Assess a unit against an indicator set (201); again, with a reason, reassesses it (200)",
    tag=TAG,
    body=schemas.AssessUnit,
    status=201,
)
async def assess_unit(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.AssessUnit)
    result = await request.app[LEDGER].assess_unit(
        context(request, body),
        indicator_set_id=body.indicator_set_id,
        unit_id=body.unit_id,
        scores={code: decimal(score) for code, score in body.scores.items()},
        grade=body.grade,
        assessed_on=body.assessed_on,
        reason=body.reason,
        basis=body.basis,
    )
    # One assessment per unit and set: version 1 is its creation, later ones reassessments.
    return command_answer(request, result, 201 if result.version == 1 else 200)
