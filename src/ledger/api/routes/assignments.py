"""Assignments: assign a role, read, end, change portfolio, correct."""

from __future__ import annotations

from aiohttp import web

from ledger.api import schemas
from ledger.api.errors import ApiError
from ledger.api.http import (
    command_answer,
    context,
    json_response,
    path_uuid,
    query_valid_at,
    read_body,
    wait_for_position,
)
from ledger.api.keys import LEDGER, POOL
from ledger.api.routing import MIN_POSITION, VALID_AT, route
from ledger.projections.chain import queries as chain_query

TAG = "assignments"


@route(
    "POST",
    "/v1/assignments",
    "Assign a role in a unit to a person",
    tag=TAG,
    body=schemas.Assign,
    status=201,
)
async def assign(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.Assign)
    result = await request.app[LEDGER].assign(
        context(request, body),
        unit_id=body.unit_id,
        person_id=body.person_id,
        role=body.role,
        title=body.title,
        principal_title=body.principal_title,
        portfolio=body.portfolio,
        reports_to=body.reports_to,
        effective_from=body.effective_from,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result, 201)


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


@route("POST", "/v1/assignments/{id}/end", "End an assignment", tag=TAG, body=schemas.EndAssignment)
async def end_assignment(request: web.Request) -> web.Response:
    assignment_id = path_uuid(request)
    body = await read_body(request, schemas.EndAssignment)
    result = await request.app[LEDGER].end_assignment(
        context(request, body),
        assignment_id,
        effective_to=body.effective_to,
        end_reason=body.reason,
        reason=body.note,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/assignments/{id}/portfolio",
    "Change a portfolio from a date",
    tag=TAG,
    body=schemas.ChangePortfolio,
)
async def change_portfolio(request: web.Request) -> web.Response:
    assignment_id = path_uuid(request)
    body = await read_body(request, schemas.ChangePortfolio)
    result = await request.app[LEDGER].change_portfolio(
        context(request, body),
        assignment_id,
        portfolio=body.portfolio,
        effective_on=body.effective_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/assignments/{id}/correct",
    "Correct a recorded fact of an assignment",
    tag=TAG,
    body=schemas.CorrectAssignment,
)
async def correct_assignment(request: web.Request) -> web.Response:
    assignment_id = path_uuid(request)
    body = await read_body(request, schemas.CorrectAssignment)
    result = await request.app[LEDGER].correct_assignment(
        context(request, body),
        assignment_id,
        field_name=body.field,
        new=body.new,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/assignments/{id}/line",
    "Change the reporting line from a date (e.g. to a successor)",
    tag=TAG,
    body=schemas.ChangeLine,
)
async def change_line(request: web.Request) -> web.Response:
    assignment_id = path_uuid(request)
    body = await read_body(request, schemas.ChangeLine)
    result = await request.app[LEDGER].change_line(
        context(request, body),
        assignment_id,
        reports_to=body.reports_to,
        effective_on=body.effective_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)
