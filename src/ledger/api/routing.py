"""A small route table: each handler is registered once, for aiohttp and for OpenAPI."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    status: int = 200
    query: tuple[Param, ...] = ()
    command: bool = False
    response: type[BaseModel] | None = None


ROUTES: list[Route] = []

VALID_AT = Param("valid_at", "Valid time: YYYY-MM-DD or RFC 3339 (default today).")
KNOWN_AT = Param(
    "known_at",
    "Ledger time: what the ledger knew at this RFC 3339 time.",
    {"type": "string", "format": "date-time"},
)
MIN_POSITION = Param(
    "min_position",
    "Wait (bounded) until the read model has reached this ledger position.",
    {"type": "integer", "minimum": 0},
)
LIMIT = Param(
    "limit", "Page size (1–500, default 50).", {"type": "integer", "minimum": 1, "maximum": 500}
)
CURSOR = Param("cursor", "Opaque cursor from `next_cursor` of the previous page.")


def route(
    method: str,
    path: str,
    summary: str,
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    status: int = 200,
    query: tuple[Param, ...] = (),
    response: type[BaseModel] | None = None,
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append(
            Route(
                method,
                path,
                handler,
                summary,
                tag,
                body,
                status,
                query,
                command=body is not None,
                response=response,
            )
        )
        return handler

    return register


def load_routes() -> list[Route]:
    """Import every module of ``ledger.api.routes`` (each registers its handlers once), so
    the app and the OpenAPI document are built from the same table."""
    from ledger.api import routes

    for module in sorted(m.name for m in pkgutil.iter_modules(routes.__path__)):
        importlib.import_module(f"{routes.__name__}.{module}")
    return ROUTES


def setup_routes(app: web.Application) -> None:
    for r in load_routes():
        app.router.add_route(r.method, r.path, r.handler)
