"""Assignments (职责): assign a role, read one, end it, change its portfolio or reporting
line, correct a recorded fact."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from aiohttp import web
from pydantic import (
    Field,
)

from ledger.api.auth import reader
from ledger.api.errors import ApiError
from ledger.api.http import json_response, path_uuid, query_valid_at
from ledger.api.positions import wait_for_position
from ledger.api.routing import MIN_POSITION, VALID_AT, RouteTable
from ledger.api.schemas import View
from ledger.application.commands import (
    Assign,
    ChangeLine,
    ChangePortfolio,
    CorrectAssignment,
    EndAssignment,
)
from ledger.domain.vocab import (
    Category,
    EndReason,
    PrincipalTitle,
    Role,
)
from ledger.projections.chain import queries as chain_query

routes = RouteTable("assignments")


class AssignmentView(View):
    id: UUID
    unit_id: UUID
    person_id: UUID
    person_name: str | None
    role: Role
    title: str
    principal_title: PrincipalTitle | None
    reports_to: UUID | None = Field(description="The line in effect on valid_at.")
    effective_from: date
    effective_to: date | None = Field(description="First day no longer held (exclusive).")
    end_reason: EndReason | None
    version: int
    portfolio: list[Category] = Field(description="The portfolio in effect on valid_at.")


routes.command(
    "POST",
    "/v1/assignments",
    "Assign a role in a unit to a person",
    body=Assign,
    status=201,
    handler=lambda ledger: ledger.assignments.assign,
)


@routes.route(
    "GET",
    "/v1/assignments/{id}",
    "Read an assignment (portfolio as of valid_at)",
    query=(VALID_AT, MIN_POSITION),
    response=AssignmentView,
)
async def get_assignment(request: web.Request) -> web.Response:
    assignment_id = path_uuid(request)
    valid_at = query_valid_at(request)
    await wait_for_position(request)
    found = await chain_query.get_assignment(await reader(request), assignment_id, valid_at)
    if found is None:
        raise ApiError(404, "Not found", f"no assignment with id {assignment_id}")
    return json_response(found, headers={"ETag": f'"{found["version"]}"'})


routes.command(
    "POST",
    "/v1/assignments/{id}/end",
    "End an assignment",
    body=EndAssignment,
    handler=lambda ledger: ledger.assignments.end_assignment,
)


routes.command(
    "POST",
    "/v1/assignments/{id}/portfolio",
    "Change a portfolio from a date",
    body=ChangePortfolio,
    handler=lambda ledger: ledger.assignments.change_portfolio,
)


routes.command(
    "POST",
    "/v1/assignments/{id}/correct",
    "Correct a recorded fact of an assignment",
    body=CorrectAssignment,
    handler=lambda ledger: ledger.assignments.correct_assignment,
)


routes.command(
    "POST",
    "/v1/assignments/{id}/line",
    "Change the reporting line from a date (e.g. to a successor)",
    body=ChangeLine,
    handler=lambda ledger: ledger.assignments.change_line,
)
