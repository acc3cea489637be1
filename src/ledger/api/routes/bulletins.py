"""Bulletins (通报): circulate an inspection's results to named recipients."""

from __future__ import annotations

from aiohttp import web

from ledger.api import schemas_loop as schemas
from ledger.api.http import command_answer, context, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route

TAG = "bulletins"


@route(
    "POST",
    "/v1/bulletins",
    "Issue a brief (简报) or special report (专报) on an inspection's findings",
    tag=TAG,
    body=schemas.IssueBulletin,
    status=201,
)
async def issue_bulletin(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.IssueBulletin)
    result = await request.app[LEDGER].issue_bulletin(
        context(request, body),
        kind=body.kind,
        title=body.title,
        inspection_id=body.inspection_id,
        finding_ids=body.finding_ids,
        recipient_unit_ids=body.recipient_unit_ids,
        issued_on=body.issued_on,
        summary=body.summary,
        basis=body.basis,
    )
    return command_answer(request, result, 201)
