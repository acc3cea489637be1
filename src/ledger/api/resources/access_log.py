"""The access log: who looked at whose dossier, and why; oldest first, a page at a time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import invalid
from ledger.api.http import decode_cursor, encode_cursor, json_response, query_int, query_uuid
from ledger.api.routing import CURSOR, DAY_OR_TIME, LIMIT, Param, RouteTable
from ledger.api.schemas import View
from ledger.infra import accesslog

routes = RouteTable("access-log")

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class AccessLogItem(View):
    seq: int = Field(description="The entry's number: gapless, in the order appended.")
    at: datetime = Field(description="When, by the database clock.")
    subject: str = Field(description="Who: the subject of the caller's token.")
    role: str
    action: str = Field(description="The operation, e.g. get_person_evaluation.")
    target_kind: str | None = Field(description="person, unit, finding, …; null if none.")
    target_id: UUID | None
    person_id: UUID | None = Field(description="Whose dossier, if a person's.")
    path: str = Field(description="The request path and query.")
    client: str | None = Field(description="The client's address, if known.")
    outcome: int = Field(description="The HTTP status answered.")
    purpose: str | None = Field(description="The purpose the caller stated, if any.")
    request_id: str
    prev_hash: str = Field(
        description="The previous entry's entry_hash, hex (zeros for the first)."
    )
    entry_hash: str = Field(
        description="SHA-256(prev_hash ‖ the entry's fields), hex: access log encoding v1."
    )


class AccessLogPage(View):
    items: list[AccessLogItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


def _moment(request: web.Request, name: str) -> datetime | None:
    """A date (its start, UTC; for ``to``, the end of the day) or an RFC 3339 time."""
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        if _DATE.fullmatch(raw):
            day = date.fromisoformat(raw) + timedelta(days=1 if name == "to" else 0)
            moment: datetime | None = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment.astimezone(UTC)  # OverflowError past the year 9999 in UTC
            else:
                moment = None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise invalid(name, "datetime", f"{name} must be YYYY-MM-DD or an RFC 3339 time")
    return moment


def _after_seq(request: web.Request) -> int | None:
    values = decode_cursor(request)
    if values is None:
        return None
    if len(values) != 1 or not isinstance(values[0], int) or isinstance(values[0], bool):
        raise invalid("cursor", "cursor", "cursor is not one this service issued")
    return int(values[0])


@routes.route(
    "GET",
    "/v1/access-log",
    "Who looked at which dossier, and why: the access log, oldest first",
    query=(
        Param("subject", "Only entries by this subject."),
        Param(
            "person_id",
            "Only reads of this person's dossier.",
            {"type": "string", "format": "uuid"},
        ),
        Param("from", "From this time on: YYYY-MM-DD (UTC) or RFC 3339.", DAY_OR_TIME),
        Param(
            "to",
            "Before this time: RFC 3339, or YYYY-MM-DD for through that day (UTC).",
            DAY_OR_TIME,
        ),
        LIMIT,
        CURSOR,
    ),
    response=AccessLogPage,
)
async def list_access_log(request: web.Request) -> web.Response:
    person_id = query_uuid(request, "person_id")
    start, end = _moment(request, "from"), _moment(request, "to")
    if start is not None and end is not None and start >= end:
        raise invalid("from", "range", "from must be before to (a date as to: its end)")
    limit = query_int(request, "limit", 50, 1, 500)
    rows = await accesslog.page(
        await reader(request),
        subject=request.query.get("subject") or None,
        person_id=person_id,
        start=start,
        end=end,
        after_seq=_after_seq(request),
        limit=limit,
    )
    cursor = encode_cursor([rows[-1]["seq"]]) if len(rows) == limit else None
    return json_response({"items": rows, "next_cursor": cursor})
