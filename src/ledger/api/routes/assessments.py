"""Assessments (考核): define an indicator set, assess or reassess a unit against it."""

from __future__ import annotations

from aiohttp import web

from ledger.api.commanding import command
from ledger.api.http import command_answer, context, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route
from ledger.application.commands import AssessUnit, DefineIndicatorSet

TAG = "assessments"


command(
    "POST",
    "/v1/assessments/indicator-sets",
    "Define an indicator set (考核指标体系) whose weights sum to 100",
    tag=TAG,
    body=DefineIndicatorSet,
    status=201,
    handler=lambda ledger: ledger.assessments.define_indicator_set,
)


@route(
    "POST",
    "/v1/assessments",
    "Assess a unit against an indicator set (201); again, with a reason, reassesses it (200)",
    tag=TAG,
    body=AssessUnit,
    status=201,
)
async def assess_unit(request: web.Request) -> web.Response:
    cmd = await read_body(request, AssessUnit)
    result = await request.app[LEDGER].assessments.assess_unit(context(request, cmd), cmd)
    # One assessment per unit and set: version 1 is its creation, later ones reassessments.
    return command_answer(request, result, 201 if result.version == 1 else 200)
