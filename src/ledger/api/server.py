"""Serving the app: the socket is bound before anything starts, and a request the HTTP
parser refuses (raw bytes in the URL, a broken request line or header) is answered as
problem+json and logged in one line, never with a traceback.

aiohttp answers such a request before any middleware sees it, in plain text, and logs the
parser's exception with its traceback; its connection handler is replaced here to answer
as every other error does.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from typing import Any

import structlog
from aiohttp import web
from aiohttp.http_exceptions import InvalidURLError, LineTooLong
from aiohttp.web_protocol import RequestHandler

from ledger.api.errors import ApiError

log = structlog.get_logger("ledger.http")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket; OSError (e.g. the port is in use) before anything starts."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _detail(error: BaseException | None) -> str:
    if isinstance(error, InvalidURLError):
        return (
            "the URL holds characters that must be percent-encoded: encode the path and the"
            " query string as UTF-8 and percent-encode them (张 as %E5%BC%A0, a space as %20,"
            " + as %2B)"
        )
    if isinstance(error, LineTooLong):
        return "the request line or a header is longer than the service accepts"
    return "the request is not well-formed HTTP/1.1"


class _Connection(RequestHandler):
    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status >= 500 or request.writer.output_size > 0:
            return super().handle_error(request, status, exc, message)
        # The parser's message quotes the raw request, which may carry names: not logged.
        log.warning("malformed_request", status=status, error=type(exc).__name__)
        response = ApiError(status, "Malformed request", _detail(exc)).response()
        response.force_close()
        return response


class _Server(web.Server):
    def __call__(self) -> RequestHandler:
        return _Connection(self, loop=self._loop, **self._kwargs)


class Runner(web.AppRunner):
    """An AppRunner whose connections answer malformed requests as problem+json."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        return _Server(
            made.request_handler,
            request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation,
            loop=made._loop,
            **made._kwargs,
        )


async def serve(app: web.Application, sock: socket.socket, **runner_args: Any) -> None:
    """Serve ``app`` on the bound ``sock`` until SIGINT or SIGTERM, then clean up."""
    runner = Runner(app, **runner_args)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
