"""Persons: register, read (with the roles they hold), correct details."""

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
from ledger.application.commands import CorrectPerson, RegisterPerson
from ledger.projections.chain import queries as chain_query

TAG = "persons"


command(
    "POST",
    "/v1/persons",
    "Register a person",
    tag=TAG,
    body=RegisterPerson,
    status=201,
    handler=lambda ledger: ledger.persons.register_person,
)


@route(
    "GET",
    "/v1/persons/{id}",
    "Read a person and every assignment they held",
    tag=TAG,
    query=(VALID_AT, MIN_POSITION),
    response=schemas.PersonView,
)
async def get_person(request: web.Request) -> web.Response:
    person_id = path_uuid(request)
    valid_at = query_valid_at(request)
    await wait_for_position(request)
    pool = request.app[POOL]
    person = await chain_query.get_person(pool, person_id)
    if person is None:
        raise ApiError(404, "Not found", f"no person with id {person_id}")
    person["assignments"] = await chain_query.assignments_of_person(pool, person_id, valid_at)
    return json_response(person, headers={"ETag": f'"{person["version"]}"'})


command(
    "POST",
    "/v1/persons/{id}/correct",
    "Correct a person's details",
    tag=TAG,
    body=CorrectPerson,
    handler=lambda ledger: ledger.persons.correct_person,
)
