"""Who is asking, and may they: the bearer token, the policy, the declared parameters.

Every route is wrapped by ``guard``: an open operation (health, the contract, the public
key) is served to anyone; any other needs a verified token (401), a role the policy allows
(403), and only the query parameters the operation declares (422). The jurisdiction is
carried on: to commands through the context, to reads through ``api.reading``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import cast

import structlog
from aiohttp import web

from ledger.api.access import from_console, stated_purpose
from ledger.api.errors import ApiError, invalid
from ledger.api.keys import (
    ACTOR,
    LIMITER,
    POOL,
    PRINCIPAL,
    READER,
    READING,
    SETTINGS,
    SOURCE,
    VERIFIER,
)
from ledger.api.limits import RateLimits, check_rate
from ledger.api.routing import Handler, Route
from ledger.application.policy import CLOSABLE, CLOSED_TO, OPEN, allows, missing
from ledger.infra.database import Pool, reading
from ledger.infra.revocations import RevocationList
from ledger.infra.tokens import (
    TokenRefused,
    Verifier,
    load_token_key,
    write_first_admin_token,
)

log = structlog.get_logger("ledger.auth")

_CHALLENGE = 'Bearer realm="ledger"'


def unauthorized(detail: str, error: str = "invalid_token") -> ApiError:
    return ApiError(
        401,
        "Unauthorized",
        detail,
        headers={"WWW-Authenticate": f'{_CHALLENGE}, error="{error}"'},
    )


async def authenticate(request: web.Request) -> None:
    """Verify the bearer token; the principal and actor go on the request."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "Unauthorized",
            "send Authorization: Bearer <token> (a token from `ledger token issue` or the "
            "identity provider)",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    try:
        principal = await request.app[VERIFIER].verify(token.strip())
    except TokenRefused as refused:
        raise unauthorized(str(refused)) from None
    request[PRINCIPAL] = principal
    request[ACTOR] = principal.subject


def check_query(request: web.Request, declared: frozenset[str]) -> None:
    """Refuse a query parameter the operation does not declare (a typo filters nothing)."""
    for name in request.query:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise invalid(name, "unknown_parameter", f"is not a parameter here (known: {known})")


def guard(route: Route) -> Handler:
    """The route's handler behind authentication, the policy and its declared parameters."""
    action = route.handler.__name__
    declared = frozenset(p.name for p in route.query)
    handler = route.handler

    async def handle(request: web.Request) -> web.StreamResponse:
        async with contextlib.AsyncExitStack() as stack:
            request[READING] = stack
            return await checked(request)

    async def checked(request: web.Request) -> web.StreamResponse:
        if action not in OPEN or (action in CLOSABLE and not request.app[SETTINGS].metrics_public):
            await authenticate(request)
            if not from_console(request):  # a page view was charged once, as a whole
                check_rate(request.app[LIMITER], request[PRINCIPAL].token_id)
            role = request[PRINCIPAL].role
            if not allows(role, action) and not (action in CLOSABLE and role in CLOSED_TO):
                raise ApiError(
                    403,
                    "Forbidden",
                    f"the role {role.value} may not {action.replace('_', ' ')}",
                    errors=[{"field": "role", "rule": "policy", "message": role.value}],
                )
            stated_purpose(request, action, role)
        check_query(request, declared)
        return await handler(request)

    handle.__name__ = action
    return handle


async def reader(request: web.Request) -> Pool:
    """What the request reads through, seeing only the caller's jurisdiction.

    For a unit's jurisdiction: a read-only transaction as ``ledger_reader`` with the scope
    set, opened on first use and closed when the handler returns; the read models and the
    log filter their rows by row-level security (``infra.database.reading``). For the
    whole ledger there is nothing to filter: the pool. It reads the database the request's
    wait for ``min_position`` chose (``http.read_source``: a replica that has reached it),
    else the primary. A route with no caller (an open one) has no reader.
    """
    principal = request[PRINCIPAL]  # KeyError: a read of data on an open route
    source = request.get(SOURCE)  # a replica chosen by its wait for min_position, if any
    pool = request.app[POOL] if source is None else source.pool
    if principal.unit is None:
        return pool
    found = request.get(READER)
    if found is None:
        found = await request[READING].enter_async_context(reading(pool, principal.unit))
        request[READER] = found
    return cast(Pool, found)


def check_policy_covers(routes: list[Route]) -> None:
    """Refuse to start when an operation has no row in the policy."""
    gaps = missing({r.handler.__name__ for r in routes})
    if gaps:
        raise RuntimeError("operations without a policy row: " + ", ".join(sorted(gaps)))


def make_verifier(app: web.Application) -> None:
    """The token key (created with a first admin token on first start) and the verifier."""
    settings = app[SETTINGS]
    key, created = load_token_key(settings)
    if created:
        path = write_first_admin_token(key, settings)
        log.warning("first_admin_token_written", path=str(path))
        print(f"ledger: first admin token written to {path} (mode 0600)", flush=True)
    app[VERIFIER] = Verifier(settings, key)
    app[LIMITER] = RateLimits(settings.rate_limit, settings.rate_burst)


async def revocations(app: web.Application) -> AsyncIterator[None]:
    """Keep the verifier's revocation list current (every few seconds) until shutdown."""
    settings, verifier = app[SETTINGS], app[VERIFIER]
    known = RevocationList(verifier.revoked)
    await known.refresh(app[POOL])

    async def poll() -> None:
        while True:
            await asyncio.sleep(settings.revocation_poll_interval)
            try:
                await known.refresh(app[POOL])
            except Exception:  # a database hiccup must not end the polling
                log.warning("revocations_unreadable", exc_info=True)

    task = asyncio.create_task(poll())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def shared_rates(app: web.Application) -> AsyncIterator[None]:
    """Flush this process's counts of the shared rate limit every
    ``LEDGER_RATE_SYNC_INTERVAL`` seconds until shutdown, and once more then; without a rate
    limit there is nothing to flush."""
    settings, windows = app[SETTINGS], app[LIMITER].shared
    if settings.rate_limit <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(windows.run(app[POOL], settings.rate_sync_interval, stop))
    yield
    stop.set()
    await task
