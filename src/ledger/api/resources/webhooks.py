"""Webhooks: a system subscribes a URL to the events it may see (some types, a unit and
the units below it) and receives each, signed as Standard Webhooks says; it pauses,
resumes, re-keys or deletes the subscription, lists failed deliveries and replays them.

A subscription belongs to its creator's jurisdiction: it delivers what that token could
read from the feed, and only callers whose jurisdiction holds it see or change it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from aiohttp import web

from ledger.api.auth import reader
from ledger.api.errors import ApiError, invalid
from ledger.api.http import json_response, path_uuid, query_choice, query_int, read_body
from ledger.api.keys import EVENTS, PII_KEY, POOL, PRINCIPAL, SETTINGS
from ledger.api.resources.webhook_views import (
    Act,
    DeliveryPage,
    NewWebhook,
    Replay,
    Webhook,
    WebhookPage,
    WebhookWithSecret,
)
from ledger.api.routing import LIMIT, POSITION, Param, RouteTable
from ledger.deliveries import delivery
from ledger.domain.catalogue import event_types
from ledger.infra import webhooks as store
from ledger.projections.chain import queries as chain_query

routes = RouteTable("webhooks")


async def _visible(request: web.Request, unit: UUID | None) -> bool:
    """Whether the caller's jurisdiction holds ``unit`` (None: the whole ledger)."""
    if request[PRINCIPAL].unit is None:
        return True
    return unit is not None and await chain_query.get_unit(await reader(request), unit) is not None


async def _held(request: web.Request, changing: bool = False) -> store.Subscription:
    """The path's subscription, if the caller's jurisdiction holds it (404; 403 to change)."""
    found = await store.get(request.app[POOL], path_uuid(request))
    if found is None or not await _visible(request, found.jurisdiction):
        if found is not None and changing:
            raise ApiError(403, "Forbidden", "the webhook is outside the caller's jurisdiction")
        raise ApiError(404, "Not found", f"no webhook with id {request.match_info['id']}")
    return found


@routes.route(
    "POST",
    "/v1/webhooks",
    "Subscribe a URL to the events the caller may see; the signing secret is shown once",
    body=NewWebhook,
    command=False,
    status=201,
    response=WebhookWithSecret,
)
async def create_webhook(request: web.Request) -> web.Response:
    body = await read_body(request, NewWebhook)
    try:
        delivery.check_allowed(body.url, request.app[SETTINGS])
    except delivery.TargetRefused as refused:
        raise invalid("url", "allowed_hosts", str(refused)) from None
    known = event_types()
    unknown = [t for t in body.types or [] if t not in known]
    if unknown:
        raise invalid("types", "enum", f"unknown event type {', '.join(unknown)}")
    if body.unit_id is not None and not await _visible(request, body.unit_id):
        raise ApiError(
            403,
            "Forbidden",
            "unit_id is outside the caller's jurisdiction",
            errors=[{"field": "unit_id", "rule": "jurisdiction", "message": str(body.unit_id)}],
        )
    principal = request[PRINCIPAL]
    head = await request.app[EVENTS].head_position()
    secret, public_key = _signing(body.scheme)
    made = await store.create(
        request.app[POOL],
        store.Subscription(
            uuid4(),
            body.url,
            body.types,
            body.unit_id,
            principal.unit,
            principal.subject,
            principal.role.value,
            "active",
            None,
            min(body.after, head) if body.after is not None else head,
            datetime.now(),
            datetime.now(),
            body.scheme,
            public_key,
        ),
        store.seal(request.app[PII_KEY], secret),
    )
    return json_response(made.public() | {"secret": _shown(secret)}, status=201)


def _signing(scheme: str) -> tuple[str, str | None]:
    """What signs (kept sealed) and what verifies, if it is not the same."""
    if scheme == "v1a":
        return delivery.new_key_pair()
    return delivery.new_secret(), None


def _shown(secret: str) -> str | None:
    """The shared secret, shown once; a v1a key never leaves the ledger."""
    return None if secret.startswith("whsk_") else secret


@routes.route(
    "GET", "/v1/webhooks", "The webhooks of the caller's jurisdiction", response=WebhookPage
)
async def list_webhooks(request: web.Request) -> web.Response:
    held = [
        s for s in await store.listed(request.app[POOL]) if await _visible(request, s.jurisdiction)
    ]
    return json_response({"items": [s.public() for s in held]})


@routes.route(
    "GET", "/v1/webhooks/{id}", "A webhook and where its deliveries are", response=Webhook
)
async def get_webhook(request: web.Request) -> web.Response:
    return json_response((await _held(request)).public())


async def _set(request: web.Request, status: str, reason: str | None) -> web.Response:
    held = await _held(request, changing=True)
    body = await read_body(request, Act)
    said = body.reason or reason
    changed = await store.set_status(request.app[POOL], held.id, status, said)
    assert changed is not None
    return json_response(changed.public())


@routes.route(
    "POST",
    "/v1/webhooks/{id}/pause",
    "Stop delivering (events wait, none is lost)",
    body=Act,
    command=False,
    response=Webhook,
)
async def pause_webhook(request: web.Request) -> web.Response:
    return await _set(request, "paused", "paused by " + request[PRINCIPAL].subject)


@routes.route(
    "POST",
    "/v1/webhooks/{id}/resume",
    "Deliver again from where it stopped (also after a 410 disabled it)",
    body=Act,
    command=False,
    response=Webhook,
)
async def resume_webhook(request: web.Request) -> web.Response:
    return await _set(request, "active", None)


@routes.route(
    "DELETE", "/v1/webhooks/{id}", "Delete a webhook (its deliveries stay listed)", response=Webhook
)
async def delete_webhook(request: web.Request) -> web.Response:
    held = await _held(request)  # outside the jurisdiction: 404, as any read of it
    deleted = await store.set_status(
        request.app[POOL], held.id, "deleted", "deleted by " + request[PRINCIPAL].subject
    )
    assert deleted is not None
    return json_response(deleted.public())


@routes.route(
    "POST",
    "/v1/webhooks/{id}/rotate-secret",
    "A new signing secret (v1, shown once) or key pair (v1a, its new public key); the old"
    " one signs nothing more",
    body=Act,
    command=False,
    response=WebhookWithSecret,
)
async def rotate_webhook_secret(request: web.Request) -> web.Response:
    held = await _held(request, changing=True)
    await read_body(request, Act)
    secret, public_key = _signing(held.scheme)
    rotated = await store.rotate(
        request.app[POOL], held.id, store.seal(request.app[PII_KEY], secret), public_key
    )
    assert rotated is not None
    return json_response(rotated.public() | {"secret": _shown(secret)})


@routes.route(
    "GET",
    "/v1/webhooks/{id}/deliveries",
    "A webhook's deliveries in position order: pending, delivered, failed (dead letters)",
    query=(
        Param(
            "status", "Only these.", {"type": "string", "enum": ["pending", "delivered", "failed"]}
        ),
        Param("after", "Deliveries after this position.", POSITION),
        LIMIT,
    ),
    response=DeliveryPage,
)
async def list_deliveries(request: web.Request) -> web.Response:
    held = await _held(request)
    status = query_choice(request, "status", ["pending", "delivered", "failed"])
    after = query_int(request, "after", 0, 0, 2**62)
    limit = query_int(request, "limit", 50, 1, 500)
    items = await store.deliveries(request.app[POOL], held.id, status, after, limit)
    more = items[-1]["position"] if len(items) == limit else None
    return json_response({"items": items, "next_cursor": more})


@routes.route(
    "POST",
    "/v1/webhooks/{id}/deliveries/{position}/replay",
    "Deliver one event again (a dead letter, or one the receiver lost)",
    body=Act,
    command=False,
    response=Webhook,
    errors=(404,),
)
async def replay_delivery(request: web.Request) -> web.Response:
    held = await _held(request, changing=True)
    await read_body(request, Act)
    try:
        position = int(request.match_info["position"])
    except ValueError:
        raise invalid("position", "integer", "position must be a whole number") from None
    if not await store.replay_one(request.app[POOL], held.id, position):
        raise ApiError(404, "Not found", f"no delivery at position {position} for this webhook")
    return json_response(held.public())


@routes.route(
    "POST",
    "/v1/webhooks/{id}/replay",
    "Deliver again every event after a position (same message ids)",
    body=Replay,
    command=False,
    response=Webhook,
)
async def replay_webhook(request: web.Request) -> web.Response:
    held = await _held(request, changing=True)
    body = await read_body(request, Replay)
    rewound = await store.rewind(request.app[POOL], held.id, body.after)
    assert rewound is not None
    return json_response(rewound.public())
