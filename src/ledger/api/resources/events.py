"""The event feed: every event in ledger order, a page at a time or as a live stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from datetime import datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from eventsourcing.persistence import Mapper
from pydantic import (
    Field,
)

from ledger.api.http import json_response, query_int, to_json
from ledger.api.keys import EVENTS, MAPPER, POOL, PRINCIPAL
from ledger.api.routing import LIMIT, POSITION, Param, RouteTable
from ledger.api.schemas import View
from ledger.infra.database import reading
from ledger.infra.eventlog import EventLog
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.common import NOW
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import tracked_position

routes = RouteTable("events")


class FeedItem(View):
    position: int
    stream_id: UUID
    stream_version: int
    type: str = Field(description="The event's topic, module:Class.Event.")
    recorded_at: datetime
    chain_hash: str = Field(description="SHA-256 chain hash at this position, hex.")
    data: dict[str, Any]


class FeedPage(View):
    items: list[FeedItem]
    next_cursor: int | None = Field(description="Pass as `after` for the next page.")


POLL_SECONDS = 0.25


KEEPALIVE_SECONDS = 15.0


_ENVELOPE = {"originator_id", "originator_version", "originator_topic", "timestamp"}


def feed_item(mapper: Mapper[Any], row: RecordedEvent) -> dict[str, Any]:
    """One event as integrations see it: seal, stream, type and its fields."""
    domain_event = mapper.to_domain_event(row.to_stored())
    fields = {k: v for k, v in vars(domain_event).items() if k not in _ENVELOPE}
    return {
        "position": row.position,
        "stream_id": row.stream_id,
        "stream_version": row.stream_version,
        "type": row.topic,
        "recorded_at": row.recorded_at,
        "chain_hash": row.chain_hash,
        "data": fields,
    }


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
    ),
    response=FeedPage,
)
async def list_events(request: web.Request) -> web.Response:
    after = query_int(request, "after", 0, 0, NOW)
    limit = query_int(request, "limit", 50, 1, 500)
    rows = await visible_log(request, after, limit)
    mapper = request.app[MAPPER]
    items = [feed_item(mapper, row) for row in rows]
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
    ),
    media_types=("text/event-stream",),
)
async def stream_events(request: web.Request) -> web.StreamResponse:
    """Each event is one SSE message with ``id`` = its position, so a reconnecting client
    resumes with ``Last-Event-ID``. Idle connections get a comment every 15 s."""
    after = query_int(request, "after", 0, 0, NOW)
    last_id = request.headers.get("Last-Event-ID", "")
    if re.fullmatch(r"[0-9]{1,18}", last_id):
        after = int(last_id)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
        }
    )
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):  # the client went away: the stream ends
        await _follow(request, response, after)
    return response


async def visible_log(request: web.Request, after: int, limit: int) -> list[RecordedEvent]:
    """The log after ``after`` as the caller may see it: within a unit's jurisdiction, the
    events of what it sees (row-level security), and only up to where every read model has
    projected (an event becomes visible with its aggregate's row, so a page never skips
    one that a later read would show)."""
    jurisdiction = request[PRINCIPAL].unit
    if jurisdiction is None:
        return await request.app[EVENTS].read_log(after, limit)
    pool = request.app[POOL]
    async with reading(pool, jurisdiction) as conn:
        cap = min([await tracked_position(pool, p.name) for p in PROJECTIONS])
        rows = await EventLog(conn).read_log(after, limit)
    return [row for row in rows if row.position <= cap]


async def _follow(request: web.Request, response: web.StreamResponse, after: int) -> None:
    mapper = request.app[MAPPER]
    idle = 0.0
    while True:
        rows = await visible_log(request, after, 500)
        for row in rows:
            item = json.dumps(feed_item(mapper, row), ensure_ascii=False, default=to_json)
            await response.write(f"id: {row.position}\nevent: ledger\ndata: {item}\n\n".encode())
            after = row.position
        if rows:
            idle = 0.0
            continue
        await asyncio.sleep(POLL_SECONDS)
        idle += POLL_SECONDS
        if idle >= KEEPALIVE_SECONDS:
            await response.write(b": keepalive\n\n")
            idle = 0.0
