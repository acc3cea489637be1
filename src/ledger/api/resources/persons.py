"""Persons: register, correct details, list them by name, and read one with the assignments
they held."""

from __future__ import annotations

from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import ApiError
from ledger.api.http import json_response, path_uuid, query_int, query_valid_at, read_body
from ledger.api.keys import LEDGER, PRINCIPAL, TARGET
from ledger.api.positions import wait_for_position
from ledger.api.resources.assignments import AssignmentView
from ledger.api.routing import CURSOR, LIMIT, MIN_POSITION, VALID_AT, Param, RouteTable
from ledger.api.schemas import View
from ledger.api.textquery import MAX_TEXT, name_cursor, page, query_text
from ledger.application.commands import CorrectPerson, FindPerson, RegisterPerson
from ledger.projections.chain import queries as chain_query
from ledger.projections.search import lists as search_query

routes = RouteTable("persons")


class PersonView(View):
    """A person; the identity number is never answered (it is stored only as a keyed hash:
    find a person by number with `POST /v1/persons/lookup`)."""

    id: UUID
    name: str
    version: int
    assignments: list[AssignmentView]


class PersonSummary(View):
    id: UUID
    name: str
    version: int


class PersonPage(View):
    items: list[PersonSummary]
    next_cursor: str | None


class FoundPerson(View):
    id: UUID = Field(description="The person who holds the number now.")


routes.command(
    "POST",
    "/v1/persons",
    "Register a person",
    body=RegisterPerson,
    status=201,
    handler=lambda ledger: ledger.persons.register_person,
)


@routes.route(
    "GET",
    "/v1/persons/{id}",
    "Read a person and every assignment they held",
    query=(VALID_AT, MIN_POSITION),
    response=PersonView,
)
async def get_person(request: web.Request) -> web.Response:
    person_id = path_uuid(request)
    valid_at = query_valid_at(request)
    await wait_for_position(request)
    pool = await reader(request)
    person = await chain_query.get_person(pool, person_id)
    if person is None:
        raise ApiError(404, "Not found", f"no person with id {person_id}")
    person["assignments"] = await chain_query.assignments_of_person(pool, person_id, valid_at)
    return json_response(person, headers={"ETag": f'"{person["version"]}"'})


@routes.route(
    "GET",
    "/v1/persons",
    "List persons by name (those whose name contains a text)",
    query=(
        Param(
            "name",
            "Only persons whose name contains this text.",
            {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
        ),
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=PersonPage,
)
async def list_persons(request: web.Request) -> web.Response:
    """Persons of the caller's jurisdiction: those who hold or held an assignment in it."""
    name = query_text(request, "name")
    limit = query_int(request, "limit", 50, 1, 500)
    after = name_cursor(request)
    await wait_for_position(request)
    items = await search_query.list_persons(
        await reader(request), limit=limit + 1, after=after, name=name
    )
    return json_response(page(items, limit))


routes.command(
    "POST",
    "/v1/persons/{id}/correct",
    "Correct a person's details",
    body=CorrectPerson,
    handler=lambda ledger: ledger.persons.correct_person,
)


@routes.route(
    "POST",
    "/v1/persons/lookup",
    "Find the person who holds an identity number (sent in the body, not the URL)",
    body=FindPerson,
    command=False,
    response=FoundPerson,
    errors=(404,),  # no person holds the number (inside the caller's jurisdiction)
)
async def find_person(request: web.Request) -> web.Response:
    body = await read_body(request, FindPerson)
    # Outside the caller's jurisdiction, the number is held by no one it may see.
    within = request[PRINCIPAL].unit
    found = await request.app[LEDGER].persons.find_by_number(body.person_no, within)
    if found is None:
        raise ApiError(404, "Not found", "no person holds this person_no")
    request[TARGET] = ("person", found)  # the access log names whom the number found
    return json_response({"id": found})
