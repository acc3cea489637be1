"""Accountability cases (问责): open, impose sanctions, appeal, uphold, modify, revoke, close."""

from __future__ import annotations

from aiohttp import web

from ledger.api import schemas_loop as schemas
from ledger.api.http import command_answer, context, path_uuid, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route

TAG = "accountability-cases"


@route(
    "POST",
    "/v1/accountability-cases",
    "Open a case against a person, resting on findings attributed to them",
    tag=TAG,
    body=schemas.OpenCase,
    status=201,
)
async def open_case(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.OpenCase)
    result = await request.app[LEDGER].open_case(
        context(request, body),
        person_id=body.person_id,
        finding_ids=body.finding_ids,
        handling_unit_id=body.handling_unit_id,
        opened_on=body.opened_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result, 201)


# The answer's id stays the case's (the stream written), with the new `sanction_id` beside it.
@route(
    "POST",
    "/v1/accountability-cases/{id}/sanctions",
    "Impose a sanction (处理/处分); the answer names its sanction_id",
    tag=TAG,
    body=schemas.ImposeSanction,
)
async def impose_sanction(request: web.Request) -> web.Response:
    case_id = path_uuid(request)
    body = await read_body(request, schemas.ImposeSanction)
    result = await request.app[LEDGER].impose_sanction(
        context(request, body),
        case_id,
        kind=body.kind,
        decided_on=body.decided_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/accountability-cases/{id}/appeal",
    "Appeal a sanction of the case",
    tag=TAG,
    body=schemas.AppealSanction,
)
async def appeal_sanction(request: web.Request) -> web.Response:
    case_id = path_uuid(request)
    body = await read_body(request, schemas.AppealSanction)
    result = await request.app[LEDGER].appeal_sanction(
        context(request, body),
        case_id,
        sanction_id=body.sanction_id,
        appealed_on=body.appealed_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/uphold",
    "Uphold an appealed sanction",
    tag=TAG,
    body=schemas.UpholdSanction,
)
async def uphold_sanction(request: web.Request) -> web.Response:
    case_id = path_uuid(request)
    sanction_id = path_uuid(request, "sid")
    body = await read_body(request, schemas.UpholdSanction)
    result = await request.app[LEDGER].uphold_sanction(
        context(request, body),
        case_id,
        sanction_id=sanction_id,
        decided_on=body.decided_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/modify",
    "Change the kind of a sanction",
    tag=TAG,
    body=schemas.ModifySanction,
)
async def modify_sanction(request: web.Request) -> web.Response:
    case_id = path_uuid(request)
    sanction_id = path_uuid(request, "sid")
    body = await read_body(request, schemas.ModifySanction)
    result = await request.app[LEDGER].modify_sanction(
        context(request, body),
        case_id,
        sanction_id=sanction_id,
        kind=body.kind,
        decided_on=body.decided_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/revoke",
    "Revoke a sanction",
    tag=TAG,
    body=schemas.RevokeSanction,
)
async def revoke_sanction(request: web.Request) -> web.Response:
    case_id = path_uuid(request)
    sanction_id = path_uuid(request, "sid")
    body = await read_body(request, schemas.RevokeSanction)
    result = await request.app[LEDGER].revoke_sanction(
        context(request, body),
        case_id,
        sanction_id=sanction_id,
        decided_on=body.decided_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/accountability-cases/{id}/close",
    "Close a case (no appeal may be pending)",
    tag=TAG,
    body=schemas.CloseCase,
)
async def close_case(request: web.Request) -> web.Response:
    case_id = path_uuid(request)
    body = await read_body(request, schemas.CloseCase)
    result = await request.app[LEDGER].close_case(
        context(request, body),
        case_id,
        closed_on=body.closed_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)
