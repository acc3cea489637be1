"""The audit trail: every event of a stream, or concerning a person, with valid and
recorded time, actor, reason, basis and chain hash; optionally proved."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from aiohttp import web
from eventsourcing.persistence import Mapper
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import decode_cursor, encode_cursor, json_response, path_uuid, query_int
from ledger.api.keys import MAPPER, POOL, SIGNER, TARGET
from ledger.api.positions import query_position
from ledger.api.proving import query_proofs
from ledger.api.public_events import PublicEvent, public_event
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, Param, RouteTable
from ledger.api.schemas import View
from ledger.infra.checkpoints import latest_checkpoint
from ledger.infra.eventlog import EventLog
from ledger.infra.eventstore import RecordedEvent
from ledger.infra.merkle import proof_record
from ledger.projections.common import NOW

routes = RouteTable("history")


Scope = Literal["stream", "related"]


class HistorySubject(View):
    id: UUID
    kind: str = Field(description="The aggregate's class, lowercased: unit, person, assignment, …")
    scope: Scope = Field(
        description="stream: the subject's own events; related: every event tagged with it."
    )


class EventProof(View):
    leaf: str = Field(description="The event's leaf bytes, base64 (encoding v1).")
    leaf_hash: str = Field(description="RFC 6962 leaf hash, base64.")
    inclusion_proof: list[str] = Field(
        description="Audit path to the root of the top-level checkpoint, leaf to root, base64."
    )


class HistoryItem(PublicEvent):
    topic: str = Field(description="The event's full topic, module:Class.Event.")
    proof: EventProof | None = Field(
        default=None,
        description="With proofs=true: inclusion in the checkpoint; null beyond proved_through.",
    )


class HistoryPage(View):
    subject: HistorySubject
    known_at: datetime | None
    items: list[HistoryItem] = Field(description="In ledger order (position ascending).")
    next_cursor: str | None
    checkpoint: str | None = Field(
        default=None,
        description="With proofs=true: the signed checkpoint the proofs lead to (null if none).",
    )
    proved_through: int | None = Field(
        default=None,
        description="With proofs=true: the checkpoint's tree size (0 if none); later events"
        " have no proof yet.",
    )


MAX = NOW


SCOPES = ("stream", "related")


# Kinds whose id other streams carry as a tag `<kind>:<id>`, so `related` means something.
TAGGED_KINDS = ("unit", "person")


# Kinds whose history is, by default, everything concerning them rather than their stream.
RELATED_BY_DEFAULT = ("person",)


def event_kind(topic: str) -> str:
    """The aggregate class of an event topic, lowercased: ``…person:Person.Registered``
    → ``person``."""
    return topic.partition(":")[2].split(".", 1)[0].lower()


def history_item(mapper: Mapper[Any], row: RecordedEvent) -> dict[str, Any]:
    """An event in its public shape (``api.public_events``), with its full topic."""
    return public_event(mapper, row) | {"topic": row.topic}


def _scope(request: web.Request) -> str | None:
    raw = request.query.get("scope")
    if raw is None:
        return None
    if raw not in SCOPES:
        raise invalid("scope", "enum", "scope must be stream or related")
    return raw


def _after(request: web.Request) -> int:
    cursor = decode_cursor(request)
    if cursor is None:
        return 0
    if (
        len(cursor) != 1
        or not isinstance(cursor[0], int)
        or isinstance(cursor[0], bool)
        or not 0 <= cursor[0] <= MAX
    ):
        raise invalid("cursor", "cursor", "cursor is not one this service issued")
    return cursor[0]


async def _prove(request: web.Request, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Attach each item's inclusion proof in the latest checkpoint (null beyond it)."""
    latest = await latest_checkpoint(request.app[POOL], request.app[SIGNER].key_id)
    size, note = latest if latest is not None else (0, None)
    proved = [item["position"] for item in items if item["position"] <= size]
    proofs: dict[int, dict[str, Any]] = {}
    if proved:
        record = await proof_record(request.app[POOL], proved, size, note)
        proofs = {
            event["position"]: {
                "leaf": event["leaf"],
                "leaf_hash": event["leaf_hash"],
                "inclusion_proof": event["inclusion_proof"],
            }
            for event in record["events"]
        }
    for item in items:
        item["proof"] = proofs.get(item["position"])
    return {"checkpoint": note, "proved_through": size}


@routes.route(
    "GET",
    "/v1/history/{id}",
    "The audit trail of a unit, person or assignment: its sealed events in ledger order",
    query=(
        Param(
            "scope",
            "stream: the subject's own events; related: every event tagged with a unit or"
            " person (its stream, assignments, …). Default: related for a person, else stream.",
            {"type": "string", "enum": list(SCOPES)},
        ),
        KNOWN_AT,
        Param(
            "proofs",
            "true: each event's inclusion proof against the latest signed checkpoint.",
            {"type": "boolean"},
        ),
        LIMIT,
        CURSOR,
    ),
    response=HistoryPage,
)
async def history(request: web.Request) -> web.Response:
    subject_id = path_uuid(request)
    asked = _scope(request)
    with_proofs = query_proofs(request)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(request)
    position, known_at = await query_position(request)
    events = EventLog(await reader(request))
    topic = await events.stream_topic(subject_id, position)
    if topic is None:
        raise ApiError(
            404,
            "Not found",
            f"no stream with id {subject_id}"
            + (f" known at {known_at.isoformat()}" if known_at else ""),
        )
    kind = event_kind(topic)
    request[TARGET] = (kind, subject_id)  # the access log names what was read
    scope = asked or ("related" if kind in RELATED_BY_DEFAULT else "stream")
    if scope == "related" and kind not in TAGGED_KINDS:
        kinds = " and ".join(TAGGED_KINDS)
        raise invalid("scope", "scope", f"a {kind} has only its own stream; related is for {kinds}")
    if scope == "related":
        rows = await events.read_tag_page(
            f"{kind}:{subject_id}", after=after, upto=position, limit=limit + 1
        )
    else:
        rows = await events.read_stream_page(
            subject_id, after=after, upto=position, limit=limit + 1
        )
    mapper = request.app[MAPPER]
    items = [history_item(mapper, row) for row in rows[:limit]]
    answer: dict[str, Any] = {
        "subject": {"id": subject_id, "kind": kind, "scope": scope},
        "known_at": known_at,
        "items": items,
        "next_cursor": encode_cursor([items[-1]["position"]]) if len(rows) > limit else None,
    }
    if with_proofs:
        answer |= await _prove(request, items)
    return json_response(answer)
