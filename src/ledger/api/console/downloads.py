"""Files the console hands over as the API answers them: the same bytes, the API's
``Content-Type`` and ``Content-Disposition`` (a name of the console's when the API gives
none), so a download through the console is the API's answer, logged as the API logs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from ledger.api.console import upstream
from ledger.api.console.render import PageHandler, page

EXTENSIONS = {"text/csv": "csv", "application/json": "json"}
PASSED = ("Content-Type", "Content-Disposition", "Ledger-Position")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


async def proxy(
    request: web.Request,
    path: str,
    token: str,
    *,
    accept: str,
    stem: str,
    purpose: str | None = None,
    **params: Any,
) -> web.Response:
    """GET ``path`` as ``accept`` and answer it as an attachment named ``stem.<ext>``
    unless the API names it."""
    answer = await upstream.call(
        request,
        "GET",
        path,
        token,
        params={k: str(v) for k, v in params.items() if v is not None},
        purpose=purpose,
        accept=accept,
    )
    headers = {name: value for name in PASSED if (value := _header(answer.headers, name))}
    media = headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
    if "Content-Disposition" not in headers:
        name = f"{stem}.{EXTENSIONS.get(media, 'bin')}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    headers["X-Content-Type-Options"] = "nosniff"
    return web.Response(body=answer.body, headers=headers)


def download(handler: PageHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A handler that answers a file; when it cannot, a page says why (as ``page`` does)."""
    return page("error.html")(handler)
