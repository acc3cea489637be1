"""Request id, one log line per request, and errors turned into problem+json."""

from __future__ import annotations

import time
import uuid

import structlog
from aiohttp import web

from ledger.api.access import audited, record_access
from ledger.api.errors import ApiError, from_exception, from_http
from ledger.api.keys import ACTOR, METRICS, POSITION, REQUEST_ID
from ledger.api.limits import secure
from ledger.api.routing import Handler

log = structlog.get_logger("ledger.http")

MAX_REQUEST_ID = 128


def _request_id(request: web.Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    if 0 < len(given) <= MAX_REQUEST_ID and given.isprintable():
        return given
    return uuid.uuid4().hex


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = _request_id(request)
    request[REQUEST_ID] = request_id
    started = time.perf_counter()
    response: web.StreamResponse
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        problem = from_http(error)
        if error.status == 404:
            problem.detail = f"nothing at {request.path}"
        elif error.status == 405:
            problem.detail = f"{request.method} is not allowed on {request.path}"
        response = problem.response()
    except Exception as error:
        mapped = from_exception(error)
        if mapped is not None and not isinstance(error, ApiError) and mapped.status >= 500:
            log.warning(
                "database_unavailable",
                request_id=request_id,
                path=request.path,
                error=type(error).__name__,
            )
        if mapped is None:
            log.exception("unhandled_error", request_id=request_id, path=request.path)
            mapped = ApiError(
                500, "Internal error", f"the request failed; quote request id {request_id}"
            )
        response = mapped.response()
    action = audited(request, response.status)
    if action is not None:
        try:
            await record_access(request, action, response.status)
        except Exception:
            log.exception("access_log_unwritable", request_id=request_id)
            response = ApiError(
                503,
                "Service unavailable",
                "the read could not be recorded in the access log, so it is not answered",
                headers={"Retry-After": "5"},
            ).response()
    secure(response)
    response.headers["X-Request-Id"] = request_id
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "(unmatched)"
    elapsed = time.perf_counter() - started
    metrics = request.app[METRICS]
    metrics.requests.labels(request.method, route, str(response.status)).inc()
    metrics.latency.labels(request.method, route).observe(elapsed)
    log.info(
        "request",
        request_id=request_id,
        method=request.method,
        route=route,
        status=response.status,
        duration_ms=round(elapsed * 1000, 2),
        actor=request.get(ACTOR),
        position=request.get(POSITION),
    )
    return response
