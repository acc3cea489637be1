"""History in bulk: ``POST /v1/import`` takes the JSON Lines file ``ledger import`` takes
(``application.imports``; the schema of a line in ``api/import-line.schema.json``)."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.errors import ApiError
from ledger.api.http import json_response, query_bool, query_int
from ledger.api.keys import ACTOR, MAPPER, PII_KEY, POOL, PRINCIPAL, SETTINGS
from ledger.api.routing import Param, RouteTable
from ledger.api.schemas import View
from ledger.application.imports.importer import Importer, Staged
from ledger.application.imports.lines import Line

routes = RouteTable("import")

NDJSON = "application/x-ndjson"
MAX_BATCH = 1_000_000
MAX_ERRORS = 1000  # refusals answered; the count says how many there were


class ImportAnswer(View):
    lines: int = Field(description="Lines checked and written (those not imported before).")
    skipped: int = Field(description="Lines an earlier import wrote, same key and content.")
    events: int = Field(description="Events written (0 on a dry run).")
    first_position: int | None = Field(description="The first position written; null if none.")
    last_position: int | None = Field(description="The last position written; null if none.")
    transactions: int = Field(description="1, or one per batch_size lines; 0 if none.")
    dry_run: bool
    seconds: float
    ids: dict[str, UUID] = Field(description="Each line's key: the id of its record.")


@routes.route(
    "POST",
    "/v1/import",
    "Import history: a JSON Lines file of records and their steps, each line checked through"
    " the commands' rules, then written all at once (or per batch_size lines); a line an"
    " earlier import wrote is skipped",
    body=Line,
    body_media_type=NDJSON,
    command=False,
    query=(
        Param(
            "batch_size",
            "Write every this many lines in a transaction of their own, once every line is"
            " checked (default: the whole file in one).",
            {"type": "integer", "minimum": 1, "maximum": MAX_BATCH},
        ),
        Param("dry_run", "Check every line, write nothing.", {"type": "boolean"}),
    ),
    response=ImportAnswer,
)
async def import_history(request: web.Request) -> web.Response:
    if request.content_type != NDJSON:
        raise ApiError(
            415,
            "Unsupported media type",
            f"send the file as {NDJSON} (JSON Lines), not {request.content_type or 'nothing'}",
        )
    batch_size = query_int(request, "batch_size", 0, 1, MAX_BATCH) or None
    dry_run = bool(query_bool(request, "dry_run"))
    body = await _read(request, request.app[SETTINGS].import_max_bytes)
    if not body.strip():
        raise ApiError(400, "Malformed JSON", "the file holds no line")
    importer = Importer(
        request.app[POOL],
        request.app[MAPPER],
        request.app[PII_KEY],
        actor=request[ACTOR],
        today=request.app[SETTINGS].today(),
        jurisdiction=request[PRINCIPAL].unit,
    )
    started = time.perf_counter()
    staged = await importer.run(
        enumerate(body.splitlines(), 1), batch_size=batch_size, dry_run=dry_run
    )
    if staged.errors:
        raise _refused(staged)
    return json_response(_answer(staged, dry_run, time.perf_counter() - started))


async def _read(request: web.Request, limit: int) -> bytes:
    """The body, up to ``limit`` bytes (the app's own limit is for JSON bodies)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            raise ApiError(
                413,
                "Payload too large",
                f"the file is over {limit} bytes (LEDGER_IMPORT_MAX_BYTES): split it (keys"
                " name records across imports) or run `ledger import` on the server",
            )
        parts.append(chunk)
    return b"".join(parts)


def _refused(staged: Staged) -> ApiError:
    count = len(staged.errors)
    shown = "; ".join(str(e) for e in staged.errors[:3])
    more = f" (and {count - 3} more)" if count > 3 else ""
    return ApiError(
        422,
        "Invalid import",
        f"{count} line(s) refused, nothing was written: {shown}{more}",
        errors=[e.as_json() for e in staged.errors[:MAX_ERRORS]],
        extra={"refused": count},
    )


def _answer(staged: Staged, dry_run: bool, seconds: float) -> dict[str, Any]:
    return staged.summary(dry_run, seconds) | {"ids": staged.ids}
