"""Assignments: assign a role, read, end, change portfolio, correct."""

from __future__ import annotations

from aiohttp import web

from ledger.api import schemas
from ledger.api.commanding import command
from ledger.api.errors import ApiError
from ledger.api.http import (
    json_response,
    path_uuid,
    query_valid_at,
    wait_for_position,
)
from ledger.api.keys import POOL
from ledger.api.routing import MIN_POSITION, VALID_AT, route
from ledger.application.commands import (
    Assign,
    ChangeLine,
    ChangePortfolio,
    CorrectAssignment,
    EndAssignment,
)
from ledger.projections.chain import queries as chain_query

TAG = "assignments"


command(
    "POST",
    "/v1/assignments",
    "Assign a role in a unit to a person",
    tag=TAG,
    body=Assign,
    status=201,
    handler=lambda ledger: ledger.assignments.assign,
)


@route(
    "GET",
    "/v1/assignments/{id}",
    "Read an assignment (portfolio as of valid_at)",
    tag=TAG,
    query=(VALID_AT, MIN_POSITION),
    response=schemas.AssignmentView,
)
async def get_assignment(request: web.Request) -> web.Response:
    assignment_id = path_uuid(request)
    valid_at = query_valid_at(request)
    await wait_for_position(request)
    found = await chain_query.get_assignment(request.app[POOL], assignment_id, valid_at)
    if found is None:
        raise ApiError(404, "Not found", f"no assignment with id {assignment_id}")
    return json_response(found, headers={"ETag": f'"{found["version"]}"'})


command(
    "POST",
    "/v1/assignments/{id}/end",
    "End an assignment",
    tag=TAG,
    body=EndAssignment,
    handler=lambda ledger: ledger.assignments.end_assignment,
)


command(
    "POST",
    "/v1/assignments/{id}/portfolio",
    "Change a portfolio from a date",
    tag=TAG,
    body=ChangePortfolio,
    handler=lambda ledger: ledger.assignments.change_portfolio,
)


command(
    "POST",
    "/v1/assignments/{id}/correct",
    "Correct a recorded fact of an assignment",
    tag=TAG,
    body=CorrectAssignment,
    handler=lambda ledger: ledger.assignments.correct_assignment,
)


command(
    "POST",
    "/v1/assignments/{id}/line",
    "Change the reporting line from a date (e.g. to a successor)",
    tag=TAG,
    body=ChangeLine,
    handler=lambda ledger: ledger.assignments.change_line,
)
