"""Route tables: each handler is registered once, for aiohttp and for OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from ledger.api.commanding import CommandHandler, command_route
from ledger.application import Ledger
from ledger.application.commands import Body
from ledger.projections.common import NOW

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
    # What the OpenAPI document says beyond what the route's shape implies (api.openapi):
    # the media types of a successful answer, further statuses answered with the same
    # shape, further problem statuses, and whether the answer needs the database (503).
    media_types: tuple[str, ...] = ("application/json",)
    also: tuple[tuple[int, str], ...] = ()
    errors: tuple[int, ...] = ()
    database: bool = True
    # The request body's media type; with another than JSON, the body model is the schema
    # of one of its parts (a JSON Lines file: of one line).
    body_media_type: str = "application/json"

    @property
    def action(self) -> str:
        """The operation's name: its OpenAPI operationId and its row in the policy."""
        return self.handler.__name__


# A day between 1900 and 2199, as the service takes it; alone, or starting a time.
_DAY = r"(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DAY = {"type": "string", "format": "date", "pattern": f"^{_DAY}$"}
_TIME = r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-][01][0-9]:[0-5][0-9])"
DAY_OR_TIME = {"type": "string", "pattern": f"^{_DAY}({_TIME})?$"}
VALID_AT = Param("valid_at", "Valid time: YYYY-MM-DD or RFC 3339 (default today).", DAY_OR_TIME)
KNOWN_AT = Param(
    "known_at",
    "Ledger time: what the ledger knew at this RFC 3339 time.",
    {"type": "string", "format": "date-time"},
)
# A ledger position (or a count of positions), as the service takes it.
POSITION = {"type": "integer", "minimum": 0, "maximum": NOW}
MIN_POSITION = Param(
    "min_position",
    "Wait (bounded) until the read model has reached this ledger position.",
    POSITION,
)
LIMIT = Param(
    "limit", "Page size (1–500, default 50).", {"type": "integer", "minimum": 1, "maximum": 500}
)
CURSOR = Param("cursor", "Opaque cursor from `next_cursor` of the previous page.")


class RouteTable:
    """The routes of one resource module, declared beside their handlers; the resources
    package lists every table, and the app and the OpenAPI document are built from it."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        path: str,
        summary: str,
        *,
        body: type[BaseModel] | None = None,
        status: int = 200,
        query: tuple[Param, ...] = (),
        response: type[BaseModel] | None = None,
        media_types: tuple[str, ...] = ("application/json",),
        also: tuple[tuple[int, str], ...] = (),
        errors: tuple[int, ...] = (),
        database: bool = True,
        body_media_type: str = "application/json",
        command: bool | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register the decorated handler (a query, or a command that answers its own way).

        ``media_types``: what a successful answer may be; ``also``: further statuses of a
        successful answer, each with when it is given; ``errors``: problem answers the
        route's shape does not imply (a 404 on a path without an id); ``database``: False
        for the routes that answer without it (no 503); ``command``: whether it takes
        ``Idempotency-Key`` and ``If-Match`` (default: when it has a body)."""

        def register(handler: Handler) -> Handler:
            self.routes.append(
                Route(
                    method,
                    path,
                    handler,
                    summary,
                    self.tag,
                    body,
                    status,
                    query,
                    command=body is not None if command is None else command,
                    response=response,
                    media_types=media_types,
                    also=also,
                    errors=errors,
                    database=database,
                    body_media_type=body_media_type,
                )
            )
            return handler

        return register

    def command(
        self,
        method: str,
        path: str,
        summary: str,
        *,
        body: type[Body],
        handler: Callable[[Ledger], CommandHandler],
        status: int = 200,
        operation: str | None = None,
    ) -> None:
        """Register a command route: the body is the command, handed whole to ``handler``'s
        pick of the ledger (see ``api.commanding``)."""
        handle = command_route(path, body, handler, status, operation)
        self.routes.append(
            Route(method, path, handle, summary, self.tag, body, status, command=True)
        )
