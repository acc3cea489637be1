"""Clues (督察线索) from other systems: receive once per (source, external_id), triage."""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from ledger.api.errors import invalid
from ledger.api.http import command_answer, context, path_uuid, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route
from ledger.application.commands import ReceiveClue, TriageClue
from ledger.domain.errors import NotFound
from ledger.domain.vocab import TriageOutcome

TAG = "clues"


@route(
    "POST",
    "/v1/clues",
    "Receive a clue; a repeated delivery answers 200 with the clue already held",
    tag=TAG,
    body=ReceiveClue,
    status=201,
)
async def receive_clue(request: web.Request) -> web.Response:
    cmd = await read_body(request, ReceiveClue)
    result = await request.app[LEDGER].clues.receive_clue(context(request, cmd), cmd)
    # Other systems deliver at least once: a repeat is no error, and creates nothing.
    return command_answer(request, result, 200 if result.detail.get("already_received") else 201)


@route(
    "POST",
    "/v1/clues/{id}/triage",
    "Triage a clue: into a new finding (201, the finding's id), onto an existing finding"
    " (200, the clue), or dismissed (200)",
    tag=TAG,
    body=TriageClue,
    status=201,
)
async def triage_clue(request: web.Request) -> web.Response:
    clue_id = path_uuid(request)
    body = await read_body(request, TriageClue)
    clues = request.app[LEDGER].clues
    if body.outcome is TriageOutcome.DISMISSED:
        for given in ("finding", "finding_id"):
            if getattr(body, given) is not None:
                raise invalid(given, "extra_forbidden", "a dismissed clue names no finding")
        if body.reason is None:
            raise invalid("reason", "missing", "dismissing a clue needs a reason")
        dismissed = await clues.dismiss_clue(context(request, body), clue_id, body)
        return command_answer(request, dismissed)
    if (body.finding is None) == (body.finding_id is None):
        raise invalid(
            "finding",
            "one_of",
            "outcome finding needs either the finding to raise or the finding_id it is about",
        )
    if body.finding_id is not None:
        linked = await clues.link_clue(context(request, body), clue_id, body)
        return command_answer(request, linked)
    try:
        raised = await clues.triage_into_finding(context(request, body), clue_id, body)
    except NotFound as missing:
        # The finding's command names the clue `clue_id`; here the clue is the path's id.
        if missing.field == "clue_id":
            missing.field = "id"
        raise
    raised = replace(raised, detail={**raised.detail, "clue_id": str(clue_id)})
    return command_answer(request, raised, 201)
