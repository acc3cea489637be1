"""Verifiability: the public key, signed checkpoints, inclusion and consistency proofs.

Proof answers are the files the offline verifier (`ledger-verify`) reads as they are."""

from __future__ import annotations

from aiohttp import web

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import decode_cursor, encode_cursor, json_response, query_int
from ledger.api.keys import POOL, SIGNER
from ledger.api.routing import CURSOR, LIMIT, POSITION, Param, RouteTable
from ledger.infra.checkpoints import checkpoint_of_size, checkpoint_page, latest_checkpoint
from ledger.infra.eventlog import EventLog
from ledger.infra.merkle import TreeError, consistency_record, proof_record
from ledger.projections.common import NOW

routes = RouteTable("verifiability")


MAX = NOW


@routes.route(
    "GET",
    "/v1/ledger/public-key",
    "The checkpoint verifier key (signed-note format)",
    media_types=("text/plain",),
    database=False,
)
async def public_key(request: web.Request) -> web.Response:
    return web.Response(text=request.app[SIGNER].verifier_key + "\n", content_type="text/plain")


@routes.route(
    "GET",
    "/v1/ledger/checkpoint",
    "The latest signed checkpoint (C2SP format); 404 before the first",
    media_types=("text/plain",),
    errors=(404,),
)
async def checkpoint(request: web.Request) -> web.Response:
    latest = await latest_checkpoint(request.app[POOL], request.app[SIGNER].key_id)
    if latest is None:
        raise ApiError(404, "Not found", "no checkpoint has been signed yet")
    return web.Response(text=latest[1], content_type="text/plain")


@routes.route(
    "GET",
    "/v1/ledger/checkpoints",
    "Every signed checkpoint, newest first",
    query=(LIMIT, CURSOR),
)
async def checkpoints(request: web.Request) -> web.Response:
    limit = query_int(request, "limit", 50, 1, 500)
    cursor = decode_cursor(request)
    before = MAX
    if cursor is not None:
        if len(cursor) != 1 or not isinstance(cursor[0], int):
            raise invalid("cursor", "cursor", "cursor is not one this service issued")
        before = cursor[0]
    items, more = await checkpoint_page(
        request.app[POOL], request.app[SIGNER].key_id, before=before, limit=limit
    )
    next_cursor = encode_cursor([items[-1]["size"]]) if more else None
    return json_response({"items": items, "next_cursor": next_cursor})


async def _signed(request: web.Request, size: int) -> str | None:
    return await checkpoint_of_size(request.app[POOL], request.app[SIGNER].key_id, size)


async def _size(request: web.Request, name: str) -> int:
    """The tree size asked for, or the latest checkpoint's."""
    if name in request.query:
        return query_int(request, name, 0, 1, MAX)
    latest = await latest_checkpoint(request.app[POOL], request.app[SIGNER].key_id)
    if latest is None or latest[0] == 0:
        raise ApiError(404, "Not found", "no checkpoint with events has been signed yet")
    return latest[0]


@routes.route(
    "GET",
    "/v1/ledger/proof/inclusion",
    "Inclusion proof of the event at a position in the tree of a size (default: the latest "
    "checkpoint's), with its leaf bytes and the signed checkpoint",
    query=(
        Param(
            "position",
            "The event's ledger position.",
            {**POSITION, "minimum": 1},
            required=True,
        ),
        Param("size", "Tree size (default: the latest checkpoint).", {**POSITION, "minimum": 1}),
    ),
    errors=(404,),
)
async def inclusion(request: web.Request) -> web.Response:
    if "position" not in request.query:
        raise invalid("position", "missing", "position is required")
    position = query_int(request, "position", 1, 1, MAX)
    size = await _size(request, "size")
    if position > size:
        raise invalid("position", "range", f"position {position} is beyond tree size {size}")
    if not await EventLog(await reader(request)).holds(position):
        # The leaf is the event itself: outside the caller's jurisdiction, there is none.
        raise ApiError(404, "Not found", f"no event at position {position}")
    try:
        record = await proof_record(
            request.app[POOL], [position], size, await _signed(request, size)
        )
    except TreeError as error:
        raise ApiError(404, "Not found", str(error)) from None
    return json_response(record)


@routes.route(
    "GET",
    "/v1/ledger/proof/consistency",
    "Consistency proof between two tree sizes (default `to`: the latest checkpoint's)",
    query=(
        Param("from", "The earlier tree size.", POSITION, required=True),
        Param("to", "The later tree size.", {**POSITION, "minimum": 1}),
    ),
    errors=(404,),
)
async def consistency(request: web.Request) -> web.Response:
    if "from" not in request.query:
        raise invalid("from", "missing", "from is required")
    first = query_int(request, "from", 0, 0, MAX)
    second = await _size(request, "to")
    if first > second:
        raise invalid("from", "range", f"from ({first}) must not exceed to ({second})")
    try:
        record = await consistency_record(request.app[POOL], first, second)
    except TreeError as error:
        raise ApiError(404, "Not found", str(error)) from None
    record["checkpoints"] = {
        "from": await _signed(request, first),
        "to": await _signed(request, second),
    }
    return json_response(record)
