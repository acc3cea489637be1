"""The event feed: every event in ledger order, a page at a time or as a live stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass
from uuid import UUID

from aiohttp import web
from eventsourcing.utils import get_topic
from pydantic import (
    Field,
)

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import json_response, query_int, query_uuid, to_json
from ledger.api.keys import EVENTS, MAPPER, POOL, PRINCIPAL, STOPPING
from ledger.api.public_events import PublicEvent, public_event
from ledger.api.routing import LIMIT, POSITION, Param, RouteTable
from ledger.api.schemas import View
from ledger.domain.catalogue import event_types
from ledger.infra.database import reading
from ledger.infra.eventlog import EventLog
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.chain import queries as chain_query
from ledger.projections.common import NOW
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import tracked_position

routes = RouteTable("events")


class FeedPage(View):
    items: list[PublicEvent] = Field(
        description="In ledger order; each as api/events/{type}.v{schema_version}.json says."
    )
    next_cursor: int | None = Field(description="Pass as `after` for the next page.")


POLL_SECONDS = 0.25


KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Filter:
    """What a consumer follows: some event types (topics), a unit and the units below it;
    always within the caller's jurisdiction."""

    topics: list[str] | None = None
    unit: UUID | None = None


TYPES = Param(
    "types",
    "Only these event types, comma-separated short names (e.g. Finding.Raised,Clue.Received;"
    " the schemas under api/events/ name them).",
    {"type": "string", "minLength": 1, "maxLength": 500},
)
UNIT = Param(
    "unit_id",
    "Only the events of this unit and the units below it (within the caller's jurisdiction).",
    {"type": "string", "format": "uuid"},
)


async def feed_filter(request: web.Request) -> Filter:
    """The filter the query asks for; 422 naming an unknown type, 404 for a unit the
    caller cannot see."""
    topics = None
    if "types" in request.query:
        known = event_types()
        wanted = [t.strip() for t in request.query["types"].split(",") if t.strip()]
        unknown = [t for t in wanted if t not in known]
        if not wanted or unknown:
            raise invalid(
                "types",
                "enum",
                f"unknown event type {', '.join(unknown) or '(none)'}; known: {', '.join(known)}",
            )
        topics = [get_topic(known[t]) for t in wanted]
    unit = query_uuid(request, "unit_id")
    if unit is not None and await chain_query.get_unit(await reader(request), unit) is None:
        raise ApiError(404, "Not found", f"no unit with id {unit}")
    return Filter(topics, unit)


@routes.route(
    "GET",
    "/v1/events",
    "The ordered event log after a position",
    query=(
        Param(
            "after",
            "Return events after this position (default 0).",
            POSITION,
        ),
        LIMIT,
        TYPES,
        UNIT,
    ),
    response=FeedPage,
    errors=(404,),
)
async def list_events(request: web.Request) -> web.Response:
    after = query_int(request, "after", 0, 0, NOW)
    limit = query_int(request, "limit", 50, 1, 500)
    rows = await visible_log(request, after, limit, await feed_filter(request))
    mapper = request.app[MAPPER]
    items = [public_event(mapper, row) for row in rows]
    next_after = rows[-1].position if len(rows) == limit else None
    return json_response({"items": items, "next_cursor": next_after})


@routes.route(
    "GET",
    "/v1/events/stream",
    "The event log as Server-Sent Events, live",
    query=(
        Param(
            "after",
            "Start after this position (or send Last-Event-ID).",
            POSITION,
        ),
        TYPES,
        UNIT,
    ),
    media_types=("text/event-stream",),
    errors=(404,),
)
async def stream_events(request: web.Request) -> web.StreamResponse:
    """Each event is one SSE message with ``id`` = its position, so a reconnecting client
    resumes with ``Last-Event-ID``. Idle connections get a comment every 15 s."""
    after = query_int(request, "after", 0, 0, NOW)
    last_id = request.headers.get("Last-Event-ID", "")
    if re.fullmatch(r"[0-9]{1,18}", last_id):
        after = int(last_id)
    wanted = await feed_filter(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
        }
    )
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):  # the client went away: the stream ends
        await _follow(request, response, after, wanted)
    return response


async def visible_log(
    request: web.Request, after: int, limit: int, wanted: Filter = Filter()
) -> list[RecordedEvent]:
    """The log after ``after`` as the caller may see it: within a unit's jurisdiction (or
    the unit asked for, inside it), the events of what it sees (row-level security), and
    only up to where every read model has projected (an event becomes visible with its
    aggregate's row, so a page never skips one that a later read would show)."""
    scope = wanted.unit or request[PRINCIPAL].unit
    if scope is None:
        return await request.app[EVENTS].read_log(after, limit, wanted.topics)
    pool = request.app[POOL]
    async with reading(pool, scope) as conn:
        cap = min([await tracked_position(pool, p.name) for p in PROJECTIONS])
        rows = await EventLog(conn).read_log(after, limit, wanted.topics)
    return [row for row in rows if row.position <= cap]


async def _follow(
    request: web.Request, response: web.StreamResponse, after: int, wanted: Filter
) -> None:
    mapper = request.app[MAPPER]
    idle = 0.0
    while True:
        rows = await visible_log(request, after, 500, wanted)
        for row in rows:
            item = json.dumps(public_event(mapper, row), ensure_ascii=False, default=to_json)
            await response.write(f"id: {row.position}\nevent: ledger\ndata: {item}\n\n".encode())
            after = row.position
        if rows:
            idle = 0.0
            continue
        stopping = request.app[STOPPING]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), POLL_SECONDS)
        if stopping.is_set():
            return
        idle += POLL_SECONDS
        if idle >= KEEPALIVE_SECONDS:
            await response.write(b": keepalive\n\n")
            idle = 0.0
