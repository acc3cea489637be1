"""What changed in a unit's responsibility chain (what an inspection team reads before a
visit): between two days of valid time, or between two times of ledger time, each change
with its day, person, post, document number (文号, ``basis``) and reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.errors import ApiError, check_plus_as_space, invalid
from ledger.api.http import json_response, path_uuid, query_date
from ledger.api.keys import EVENTS, MAPPER
from ledger.api.positions import wait_for_position
from ledger.api.resources.units import UnitView
from ledger.api.routing import DAY, MIN_POSITION, Param, RouteTable
from ledger.api.schemas import View
from ledger.domain.vocab import Category, EndReason, PrincipalTitle, Role
from ledger.infra.eventlog import EventLog
from ledger.projections.chain import changes
from ledger.projections.chain import queries as chain_query
from ledger.projections.records import queries as records_query

routes = RouteTable("units")

Kind = Literal["assigned", "ended", "portfolio_changed", "line_changed", "corrected"]


class ChainChange(View):
    kind: Kind = Field(
        description="assigned (came), ended (left), portfolio_changed, line_changed;"
        " corrected (a recorded fact put right: ledger time only)."
    )
    on: date | None = Field(
        description="The day it takes effect in the world (the first day no longer held, for"
        " an end); null for a correction."
    )
    position: int = Field(description="The ledger position of the event.")
    recorded_at: datetime
    actor: str
    assignment_id: UUID
    person_id: UUID
    person_name: str | None
    role: Role
    title: str
    principal_title: PrincipalTitle | None
    basis: str | None = Field(description="The document number (文号) recorded with the event.")
    reason: str | None
    end_reason: EndReason | None = Field(description="For an end.")
    portfolio: list[Category] | None = Field(description="For a portfolio change: the new one.")
    previous_portfolio: list[Category] | None = Field(description="What it replaced that day.")
    reports_to: UUID | None = Field(description="For a line change: the new line.")
    previous_reports_to: UUID | None = Field(description="What it replaced that day.")
    field: str | None = Field(description="For a correction: the fact corrected.")
    old: Any = Field(description="For a correction: the value recorded before.")
    new: Any = Field(description="For a correction: the value recorded now.")


class ChainChanges(View):
    unit: UnitView
    valid_from: date | None = Field(description="from, in valid time (null in ledger time).")
    valid_to: date | None = Field(description="to, in valid time (null in ledger time).")
    known_from: datetime | None = Field(description="In ledger time (null in valid time).")
    known_to: datetime | None = Field(description="In ledger time (null in valid time).")
    position: int = Field(description="The ledger position the answer reflects.")
    items: list[ChainChange] = Field(
        description="Valid time: by day, then position. Ledger time: by position."
    )


def _time(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        check_plus_as_space(name, raw)
        raise invalid(name, "datetime", f"{name} must be an RFC 3339 time with an offset")
    if not 1900 <= at.year <= 2199:
        raise invalid(name, "range", f"{name} must be between 1900 and 2199")
    return at.astimezone(UTC)


def _period(request: web.Request) -> tuple[Any, Any]:
    """``from``/``to`` (valid time) or ``known_from``/``known_to`` (ledger time): one pair,
    whole, its start not after its end."""
    days = query_date(request, "from"), query_date(request, "to")
    times = _time(request, "known_from"), _time(request, "known_to")
    if any(days) and any(times):
        name = "known_from" if times[0] else "known_to"
        raise invalid(name, "extra_forbidden", "ask in valid time (from, to) or ledger time")
    names, pair = (("known_from", "known_to"), times) if any(times) else (("from", "to"), days)
    for name, value in zip(names, pair, strict=True):
        if value is None:
            raise invalid(name, "missing", f"{name} is required (with {' and '.join(names)})")
    start, end = pair
    assert start is not None and end is not None
    if start > end:
        raise invalid(names[0], "range", f"{names[0]} must not be after {names[1]}")
    return start, end


@routes.route(
    "GET",
    "/v1/units/{id}/chain/changes",
    "What changed in a unit's chain: who came, who left, whose portfolio or line changed"
    " between two days (from, to: valid time), or what the ledger recorded or corrected"
    " between two times (known_from, known_to: ledger time); each with its document number",
    query=(
        Param("from", "First day (valid time), YYYY-MM-DD.", DAY),
        Param("to", "Last day (valid time, included), YYYY-MM-DD.", DAY),
        Param(
            "known_from",
            "Ledger time: changes recorded after this RFC 3339 time…",
            {"type": "string", "format": "date-time"},
        ),
        Param(
            "known_to",
            "…and at or before this one.",
            {"type": "string", "format": "date-time"},
        ),
        MIN_POSITION,
    ),
    response=ChainChanges,
)
async def chain_changes(request: web.Request) -> web.Response:
    unit_id = path_uuid(request)
    start, end = _period(request)
    await wait_for_position(request)
    pool = await reader(request)
    store = request.app[EVENTS]
    head = await store.head_position()
    unit = await chain_query.get_unit(pool, unit_id)
    if unit is None:
        raise ApiError(404, "Not found", f"no unit with id {unit_id}")
    events = await _events(EventLog(pool), request, unit_id, head)
    answer: dict[str, Any] = {"unit": unit, "position": head}
    if isinstance(start, datetime):
        after = await store.position_known_at(start)
        upto = await store.position_known_at(end)
        items = changes.in_ledger_time(events, after, upto)
        answer |= {"valid_from": None, "valid_to": None, "known_from": start, "known_to": end}
        answer["position"] = min(head, upto)
    else:
        items = changes.in_valid_time(events, start, end)
        answer |= {"valid_from": start, "valid_to": end, "known_from": None, "known_to": None}
    people = list(dict.fromkeys(i["person_id"] for i in items))
    names = {p["id"]: p["name"] for p in await records_query.person_names(pool, people)}
    for item in items:
        item["person_name"] = names.get(item["person_id"])
    return json_response(answer | {"items": items})


async def _events(
    log: EventLog, request: web.Request, unit_id: UUID, upto: int
) -> list[changes.Decoded]:
    """Every event tagged with the unit up to ``upto``, decoded: its assignments' events
    (and its own)."""
    mapper, found, after = request.app[MAPPER], [], 0
    while True:
        rows = await log.read_tag_page(f"unit:{unit_id}", after=after, upto=upto, limit=1000)
        found += [(r, mapper.to_domain_event(r.to_stored())) for r in rows]
        if len(rows) < 1000:
            return found
        after = rows[-1].position
