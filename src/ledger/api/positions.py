"""Which position a query reads at, and where: ``known_at`` turned into a position, the
wait for ``min_position`` (bounded), and the database the request's queries read (the
primary or a replica that has reached it: ``api.sources``)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from aiohttp import web

from ledger.api.errors import ApiError, check_plus_as_space, invalid
from ledger.api.http import query_int
from ledger.api.keys import EVENTS, READER, SETTINGS, SOURCE, SOURCES
from ledger.api.sources import Source
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.common import NOW


async def query_position(request: web.Request) -> tuple[int, datetime | None]:
    """The ledger position a query reads at: from ``known_at``, else now."""
    raw = request.query.get("known_at")
    if raw is None:
        return NOW, None
    try:
        known_at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if known_at.tzinfo is not None:
            known_at.astimezone(UTC)  # OverflowError when UTC is past 9999 or before year 1
    except (ValueError, OverflowError):
        known_at = None
    if known_at is None or known_at.tzinfo is None:
        check_plus_as_space("known_at", raw)
        raise invalid("known_at", "datetime", "known_at must be an RFC 3339 time with an offset")
    return await request.app[EVENTS].position_known_at(known_at), known_at


async def wait_for_position(request: web.Request, projection: str = CHAIN) -> int:
    """Honour ``min_position``: wait (bounded) until the read model has reached it; a
    position the log has not reached is refused at once, naming the head."""
    wanted = query_int(request, "min_position", 0, 0, NOW)
    positions = (await read_source(request, wanted)).reached
    reached = await positions.position(projection)  # at most a moment old
    if reached >= wanted:
        return reached
    reached = await positions.position(projection, fresh=True)
    if reached >= wanted:
        return reached
    head = await request.app[EVENTS].head_position()
    if wanted > head:
        message = (
            f"min_position {wanted} is beyond the head of the log ({head}): pass the"
            " position a command answered, no later"
        )
        error = invalid("min_position", "beyond_head", message)
        error.extra = {"head": head}
        raise error
    deadline = time.monotonic() + request.app[SETTINGS].min_position_timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        reached = await positions.position(projection, fresh=True)
        if reached >= wanted:
            return reached
    raise ApiError(
        503,
        "Not caught up",
        f"the read model is at position {reached}, not yet {wanted}",
        headers={"Retry-After": "1"},
        extra={"position": reached},
    )


async def read_source(request: web.Request, wanted: int) -> Source:
    """Where the request's queries read (``api.sources``), chosen at its first wait: a
    replica that has reached ``wanted``, else the primary (which waits for it)."""
    found = request.get(SOURCE)
    if found is None:
        sources = request.app[SOURCES]
        # A reader opened already reads the primary: the answer stays one database's.
        found = sources.primary if READER in request else await sources.choose(wanted)
        request[SOURCE] = found
    return found


async def read_position(request: web.Request, *projections: str) -> tuple[int, datetime | None]:
    """Honour ``min_position`` on each read model an answer draws on, and the position to
    read them all at — the least they have reached, or known_at's if earlier — so the
    answer is one state of the ledger; with the known_at asked for."""
    reached = [await wait_for_position(request, projection=p) for p in projections]
    position, known_at = await query_position(request)
    return min(position, *reached), known_at
