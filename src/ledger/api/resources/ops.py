"""Operations: health, readiness, the OpenAPI document, its viewer, and metrics."""

from __future__ import annotations

import html
from typing import Literal

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import Field

from ledger.api.http import json_response
from ledger.api.keys import EVENTS, METRICS, POOL
from ledger.api.routing import RouteTable
from ledger.api.schemas import View
from ledger.projections.registry import PROJECTIONS
from ledger.projections.runner import tracked_position

routes = RouteTable("operations")


class Health(View):
    status: Literal["ok"]


class Readiness(View):
    status: Literal["ready", "unavailable"]
    head: int | None = Field(None, description="The ledger's last position.")
    projections: dict[str, int] | None = Field(
        None, description="The position each read model has reached."
    )
    detail: str | None = Field(None, description="Why not ready: the error's kind.")


@routes.route("GET", "/healthz", "Liveness: the process answers", response=Health, database=False)
async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


@routes.route(
    "GET",
    "/readyz",
    "Readiness: the database answers; read model lag",
    response=Readiness,
    also=((503, "Not ready: the database does not answer"),),
)
async def readyz(request: web.Request) -> web.Response:
    try:
        head = await request.app[EVENTS].head_position()
        positions = {p.name: await tracked_position(request.app[POOL], p.name) for p in PROJECTIONS}
    except Exception as error:  # any failure to reach the database means not ready
        return json_response({"status": "unavailable", "detail": type(error).__name__}, 503)
    return json_response({"status": "ready", "head": head, "projections": positions})


@routes.route("GET", "/openapi.json", "This OpenAPI document", database=False)
async def openapi(request: web.Request) -> web.Response:
    from ledger.api.openapi import build_openapi

    return json_response(build_openapi())


@routes.route(
    "GET",
    "/docs",
    "The API to read: Redoc (vendored) over /openapi.json, a plain list without scripts",
    media_types=("text/html",),
    database=False,
)
async def docs(request: web.Request) -> web.Response:
    from ledger.api.openapi import build_openapi

    document = build_openapi()
    rows = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code>"
                f"</td><td>{html.escape(operation['summary'])}</td></tr>"
            )
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>ledger API</title>"
        "<link rel='icon' href='data:,'>"
        "<style>body{font-family:sans-serif;margin:0}noscript td{padding:.2em 1em}</style>"
        "</head><body><redoc spec-url='/openapi.json' hide-download-button='false'></redoc>"
        "<script src='/static/redoc/redoc.standalone.js'></script>"
        "<noscript><h1>ledger API</h1><p>"
        + html.escape(document["info"]["description"])
        + "</p><p>Machine-readable: <a href='/openapi.json'>/openapi.json</a></p><table>"
        + "".join(rows)
        + "</table></noscript></body></html>"
    )
    # Redoc (vendored, served from the package) runs its search in a worker made from a
    # blob, and fetches the contract from this origin; nothing else is allowed.
    headers = {
        "Content-Security-Policy": "default-src 'none'; script-src 'self'; worker-src blob:; "
        "connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    }
    return web.Response(text=page, content_type="text/html", headers=headers)


@routes.route("GET", "/metrics", "Prometheus metrics", media_types=("text/plain",))
async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS]
    registry.head.set(await request.app[EVENTS].head_position())
    for projection in PROJECTIONS:
        position = await tracked_position(request.app[POOL], projection.name)
        registry.projection.labels(projection.name).set(position)
    return web.Response(
        body=generate_latest(registry.registry),
        headers={"Content-Type": CONTENT_TYPE_LATEST},
    )
