"""Command routes: the request body is the command, handed whole to one handler.

A command route reads the ids in its path (UUIDs, in the path's order), validates the body
into the command's model, and calls the handler with the caller's context; the answer is
the command's result. Nothing about a command's fields is written here.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ledger.api.http import command_answer, context, path_uuid, read_body
from ledger.api.keys import LEDGER
from ledger.application import CommandResult, Ledger
from ledger.application.commands import Body

CommandHandler = Callable[..., Awaitable[CommandResult]]


def command_route(
    path: str,
    body: type[Body],
    handler: Callable[[Ledger], CommandHandler],
    status: int,
    operation: str | None,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The aiohttp handler of one command; ``handler`` picks the method from the ledger.

    The OpenAPI operation id is the command's name in snake case unless ``operation`` says.
    """
    names = re.findall(r"{(\w+)}", path)

    async def handle(request: web.Request) -> web.Response:
        ids: list[Any] = [path_uuid(request, name) for name in names]
        cmd = await read_body(request, body)
        result = await handler(request.app[LEDGER])(context(request, cmd), *ids, cmd)
        return command_answer(request, result, status)

    handle.__name__ = operation or re.sub(r"(?<!^)([A-Z])", r"_\1", body.__name__).lower()
    return handle
