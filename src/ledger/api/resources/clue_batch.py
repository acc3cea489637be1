"""Clues in at volume: up to 1,000 in one request, each item answered for, the new ones in
one append (``application.clue_batch``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from aiohttp import web
from pydantic import Field, ValidationError

from ledger.api.errors import from_validation
from ledger.api.http import context, json_response, read_body
from ledger.api.keys import LEDGER, POSITION
from ledger.api.routing import RouteTable
from ledger.api.schemas import View
from ledger.application.clue_batch import ItemOutcome
from ledger.application.commands import Body, ReceiveClue

routes = RouteTable("clues")

MAX_CLUES = 1000
STATUSES = ("created", "already_received", "conflicting", "rejected")


class ClueBatchBody(Body):
    clues: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_CLUES,
        description="1 to 1,000 clues, each as `POST /v1/clues` takes one (ReceiveClue). An"
        " item that does not validate is rejected alone, with its fields and rules.",
    )


class ItemError(View):
    field: str = Field(description="The item's field, e.g. `clues[3].received_at`.")
    rule: str
    message: str


class ClueItem(View):
    index: int = Field(description="The item's place in `clues`, from 0.")
    status: Literal["created", "already_received", "conflicting", "rejected"] = Field(
        description="created: written now; already_received: the key (source, external_id)"
        " was received before, or earlier in this batch, with the same content — nothing"
        " written; conflicting: the same key with other content — the first stands, both"
        " shown; rejected: not received, `errors` says why."
    )
    id: UUID | None = Field(description="The clue's id (derived from its key); null if unreadable.")
    position: int | None = Field(description="Where a created clue is in the ledger.")
    errors: list[ItemError] | None = Field(default=None, description="Why it was rejected.")
    differing: list[str] | None = Field(default=None, description="Conflicting: the fields.")
    stored: dict[str, Any] | None = Field(default=None, description="Conflicting: as held.")
    delivered: dict[str, Any] | None = Field(default=None, description="Conflicting: as sent.")


class ClueBatchAnswer(View):
    counts: dict[str, int] = Field(description="Items by status (every status, 0 included).")
    position: int | None = Field(description="The last position written; null if none.")
    items: list[ClueItem] = Field(description="One per item sent, in the order sent.")


@routes.route(
    "POST",
    "/v1/clues/batch",
    "Receive up to 1,000 clues at once: each item created, already received, conflicting or"
    " rejected, never half-written; the new ones are one append",
    body=ClueBatchBody,
    response=ClueBatchAnswer,
)
async def receive_clues(request: web.Request) -> web.Response:
    body = await read_body(request, ClueBatchBody)
    answers: dict[int, dict[str, Any]] = {}
    readable: list[tuple[int, ReceiveClue]] = []
    for index, raw in enumerate(body.clues):
        try:
            readable.append((index, ReceiveClue.model_validate_json(json.dumps(raw), strict=True)))
        except ValidationError as error:
            problem = from_validation(error, prefix=f"clues[{index}].")
            answers[index] = {"status": "rejected", "id": None, "errors": problem.errors}
    ctx = context(request, body)
    outcomes = await request.app[LEDGER].clue_batch.receive_clues(ctx, [c for _, c in readable])
    for (index, _), outcome in zip(readable, outcomes, strict=True):
        answers[index] = _answer(index, outcome)
    items = [{"index": i, "position": None} | answers[i] for i in range(len(body.clues))]
    positions = [item["position"] for item in items if item["position"] is not None]
    if positions:
        request[POSITION] = max(positions)
    counts = {status: sum(1 for i in items if i["status"] == status) for status in STATUSES}
    return json_response(
        {"counts": counts, "position": max(positions) if positions else None, "items": items}
    )


def _answer(index: int, outcome: ItemOutcome) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": outcome.status, "id": outcome.id}
    answer["position"] = outcome.position
    detail = dict(outcome.detail)
    if "errors" in detail:
        answer["errors"] = [
            {**e, "field": f"clues[{index}].{e['field']}"} for e in detail.pop("errors")
        ]
    for key in ("stored", "delivered"):
        if key in detail:
            detail[key] = {k: _plain(v) for k, v in detail[key].items()}
    return answer | detail


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, str | int) else str(value)
