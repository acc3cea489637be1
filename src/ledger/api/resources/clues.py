"""Clues (督察线索) from other systems: receive once per (source, external_id), triage; read
one, find it by the other system's key, or list those awaiting triage."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from aiohttp import web
from pydantic import Field, RootModel

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import (
    command_answer,
    context,
    decode_cursor,
    json_response,
    path_uuid,
    query_choice,
    query_int,
    read_body,
)
from ledger.api.keys import LEDGER
from ledger.api.positions import read_position
from ledger.api.reads import READ, answer_record, page_of
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION, Param, RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, Created, View
from ledger.application.commands import ReceiveClue, TriageClue
from ledger.domain.errors import NotFound
from ledger.domain.vocab import ClueSource, TriageOutcome
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import lists as records_lists
from ledger.projections.records import queries as records_query

routes = RouteTable("clues")


class ClueSummary(View):
    """A clue as a list holds it."""

    id: UUID
    version: int
    source: ClueSource = Field(description="The system the clue came from.")
    external_id: str = Field(description="Its key in that system.")
    summary: str
    received_at: datetime
    unit_id: UUID | None
    unit_name: str | None
    recorded_at: datetime
    outcome: TriageOutcome | None = Field(description="Null until triaged.")
    finding_id: UUID | None = Field(description="The finding it became, if any.")
    triage_reason: str | None
    triaged_at: datetime | None = Field(description="When the triage was recorded.")


class ClueView(ClueSummary):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD


class ClueReceived(Created):
    already_received: bool = Field(
        False, description="True when the clue was delivered before: nothing was written."
    )


@routes.route(
    "POST",
    "/v1/clues",
    "Receive a clue; a repeated delivery answers 200 with the clue already held",
    body=ReceiveClue,
    status=201,
    response=ClueReceived,
    also=((200, "A repeated delivery: the clue already held, `already_received`"),),
)
async def receive_clue(request: web.Request) -> web.Response:
    cmd = await read_body(request, ReceiveClue)
    result = await request.app[LEDGER].clues.receive_clue(context(request, cmd), cmd)
    # Other systems deliver at least once: a repeat is no error, and creates nothing.
    return command_answer(request, result, 200 if result.detail.get("already_received") else 201)


@routes.route(
    "POST",
    "/v1/clues/{id}/triage",
    "Triage a clue: into a new finding (201, the finding's id), onto an existing finding"
    " (200, the clue), or dismissed (200)",
    body=TriageClue,
    status=201,
    also=((200, "Triaged onto an existing finding, or dismissed: the clue's version"),),
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


@routes.route(
    "GET",
    "/v1/clues/{id}",
    "A clue with its triage outcome and the finding it became",
    query=READ,
    response=ClueView,
)
async def get_clue(request: web.Request) -> web.Response:
    return await answer_record(request, "clue", records_query.get_clue)


class CluePage(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    items: list[ClueSummary] = Field(description="Latest received first (received_at, then id).")
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


class ClueOrPage(RootModel[ClueView | CluePage]):
    """With ``external_id``: the one clue of that key; without: a page of clues."""


STATUSES = ("pending", "triaged")


@routes.route(
    "GET",
    "/v1/clues",
    "Find a clue by its key in the system it came from (source and external_id), or list"
    " clues, latest received first: awaiting triage (status=pending), triaged, from a source",
    query=(
        Param(
            "source",
            "The system the clue came from (required with external_id).",
            {"type": "string", "enum": [s.value for s in ClueSource]},
        ),
        Param(
            "external_id",
            "The clue's id in that system: answers that one clue (404 if none), not a page.",
            {"type": "string", "minLength": 1, "maxLength": 128},
        ),
        Param(
            "status",
            "A page of the clues awaiting triage (pending) or triaged.",
            {"type": "string", "enum": list(STATUSES)},
        ),
        KNOWN_AT,
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=ClueOrPage,
    errors=(404,),
)
async def find_clue(request: web.Request) -> web.Response:
    source = query_choice(request, "source", [s.value for s in ClueSource])
    if "external_id" not in request.query:
        return await _list_clues(request, source)
    for alone in ("status", "limit", "cursor"):
        if alone in request.query:
            raise invalid(alone, "extra_forbidden", f"{alone} lists clues: not with external_id")
    if source is None:
        raise invalid("source", "missing", "source is required with external_id")
    external_id = request.query.get("external_id", "")
    if not 0 < len(external_id) <= 128 or not external_id.isprintable():
        raise invalid("external_id", "format", "external_id must be 1 to 128 printable characters")
    position, known_at = await read_position(request, CHAIN, RECORDS)
    found = await records_query.find_clue(await reader(request), source, external_id, position)
    if found is None:
        raise ApiError(404, "Not found", f"no clue from {source} with external_id {external_id}")
    answer = {"known_at": known_at, "position": position, **found}
    return json_response(answer, headers={"ETag": f'"{found["version"]}"'})


async def _list_clues(request: web.Request, source: str | None) -> web.Response:
    status = query_choice(request, "status", STATUSES)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(request)
    position, known_at = await read_position(request, CHAIN, RECORDS)
    items = await records_lists.list_clues(
        await reader(request),
        limit=limit + 1,
        position=position,
        source=source,
        triaged=None if status is None else status == "triaged",
        after=after,
    )
    return page_of(items, limit, "received_at", known_at, position)


def _after(request: web.Request) -> tuple[datetime, UUID] | None:
    """The (received_at, id) a page of clues continues after, from ``cursor``."""
    cursor = decode_cursor(request)
    if cursor is None:
        return None
    try:
        received, last = cursor
        at = datetime.fromisoformat(received)
        if at.tzinfo is None:
            raise ValueError("no offset")
        return at, UUID(last)
    except (ValueError, TypeError, AttributeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None
