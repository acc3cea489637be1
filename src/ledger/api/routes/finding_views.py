"""Findings read: a finding's loop status, the search, the open-loop report."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api.errors import ApiError, invalid
from ledger.api.http import (
    decode_cursor,
    encode_cursor,
    json_response,
    path_uuid,
    query_bool,
    query_choice,
    query_int,
    query_position,
    query_uuid,
    query_valid_at,
    wait_for_position,
)
from ledger.api.keys import POOL
from ledger.api.routing import CURSOR, KNOWN_AT, LIMIT, MIN_POSITION, Param, route
from ledger.api.schemas_findings import FindingPage, FindingView, OpenLoopReport
from ledger.domain.vocab import Category, FindingStage
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.findings import queries as findings_query
from ledger.projections.findings import report as findings_report

TAG = "findings"
STATUSES = [findings_query.OPEN] + [s.value for s in FindingStage]
CATEGORIES = [c.value for c in Category]

OVERDUE_VALID_AT = Param(
    "valid_at", "The day overdue is counted on: YYYY-MM-DD or RFC 3339 (default today)."
)
UNIT_ID = Param("unit_id", "Only findings against this unit.", {"type": "string", "format": "uuid"})


async def _caught_up(request: web.Request) -> int:
    """Honour ``min_position`` on the findings and on the chain, whose units, persons and
    assignments the answers name; the position both have reached."""
    return min(
        await wait_for_position(request, projection=FINDINGS), await wait_for_position(request)
    )


@route(
    "GET",
    "/v1/findings/{id}",
    "The loop status of a finding: stage, deadlines, overdue, who was responsible and who is now",
    tag=TAG,
    query=(OVERDUE_VALID_AT, KNOWN_AT, MIN_POSITION),
    response=FindingView,
)
async def get_finding(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    valid_at = query_valid_at(request)
    reached = await _caught_up(request)
    position, known_at = await query_position(request)
    finding = await findings_query.get_finding(request.app[POOL], finding_id, valid_at, position)
    if finding is None:
        raise ApiError(
            404,
            "Not found",
            f"no finding with id {finding_id}"
            + (f" known at {known_at.isoformat()}" if known_at else ""),
        )
    answer = {
        "valid_at": valid_at,
        "known_at": known_at,
        "position": min(position, reached),
        **finding,
    }
    return json_response(answer, headers={"ETag": f'"{finding["version"]}"'})


@route(
    "GET",
    "/v1/findings",
    "Search findings",
    tag=TAG,
    query=(
        UNIT_ID,
        Param(
            "include_subunits",
            "With unit_id: also the findings of every unit below it (default false).",
            {"type": "boolean"},
        ),
        Param(
            "status",
            "A stage, or open (every stage but closed).",
            {"type": "string", "enum": STATUSES},
        ),
        Param("category", "A finding category.", {"type": "string", "enum": CATEGORIES}),
        Param("overdue", "Overdue on valid_at, or not.", {"type": "boolean"}),
        Param(
            "year",
            "The year of found_on.",
            {"type": "integer", "minimum": 1900, "maximum": 2199},
        ),
        OVERDUE_VALID_AT,
        KNOWN_AT,
        LIMIT,
        CURSOR,
        MIN_POSITION,
    ),
    response=FindingPage,
)
async def search_findings(request: web.Request) -> web.Response:
    unit_id = query_uuid(request, "unit_id")
    include_subunits = query_bool(request, "include_subunits") or False
    if include_subunits and unit_id is None:
        raise invalid("include_subunits", "requires", "include_subunits needs a unit_id")
    status = query_choice(request, "status", STATUSES)
    category = query_choice(request, "category", CATEGORIES)
    overdue = query_bool(request, "overdue")
    year = query_int(request, "year", 0, 1900, 2199) if "year" in request.query else None
    valid_at = query_valid_at(request)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _after(decode_cursor(request))
    await _caught_up(request)
    position, known_at = await query_position(request)
    items = await findings_query.search_findings(
        request.app[POOL],
        as_of=valid_at,
        limit=limit + 1,
        unit_id=unit_id,
        include_subunits=include_subunits,
        status=status,
        category=category,
        overdue=overdue,
        year=year,
        after=after,
        position=position if known_at is not None else None,
    )
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor([items[-1]["found_on"], items[-1]["id"]])
    answer = {"valid_at": valid_at, "known_at": known_at, "items": items}
    return json_response(answer | {"next_cursor": next_cursor})


def _after(cursor: list[Any] | None) -> tuple[date, UUID] | None:
    """The (found_on, id) a page continues after."""
    if cursor is None:
        return None
    try:
        day, last = cursor
        return date.fromisoformat(day), UUID(last)
    except (ValueError, TypeError, AttributeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None


@route(
    "GET",
    "/v1/reports/open-loop",
    "Findings not closed in a jurisdiction, overdue first, with counts and rates",
    tag="reports",
    query=(
        Param(
            "unit_id",
            "The jurisdiction: this unit and every unit below it.",
            {"type": "string", "format": "uuid"},
            required=True,
        ),
        OVERDUE_VALID_AT,
        KNOWN_AT,
        Param(
            "limit",
            "Open findings per page (1–500, default 50); the counts cover them all.",
            {"type": "integer", "minimum": 1, "maximum": 500},
        ),
        Param("cursor", "`open_next_cursor` of the previous page: the next open findings."),
        MIN_POSITION,
    ),
    response=OpenLoopReport,
)
async def open_loop_report(request: web.Request) -> web.Response:
    unit_id = query_uuid(request, "unit_id")
    if unit_id is None:
        raise invalid("unit_id", "required", "unit_id is required")
    valid_at = query_valid_at(request)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _open_after(decode_cursor(request))
    reached = await _caught_up(request)
    position, known_at = await query_position(request)
    as_known = position if known_at is not None else None
    report = await findings_report.open_loop_report(
        request.app[POOL], unit_id, valid_at, as_known, limit=limit + 1, after=after
    )
    if report is None:
        when = f" known at {known_at.isoformat()}" if known_at is not None else ""
        raise ApiError(404, "Not found", f"no unit with id {unit_id}{when}")
    next_cursor = None
    if len(report["open"]) > limit:
        report["open"] = report["open"][:limit]
        last = report["open"][-1]
        next_cursor = encode_cursor(
            [last["days_overdue"], last["deadline"], last["found_on"], last["id"]]
        )
    answer = {"valid_at": valid_at, "known_at": known_at, "position": min(position, reached)}
    return json_response(answer | report | {"open_next_cursor": next_cursor})


def _open_after(cursor: list[Any] | None) -> findings_report.OpenAfter | None:
    """The (days overdue, deadline, found_on, id) a page of open findings continues after."""
    if cursor is None:
        return None
    try:
        days, deadline, found_on, last = cursor
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days < 10**6:
            raise TypeError("days overdue")
        return days, date.fromisoformat(deadline), date.fromisoformat(found_on), UUID(last)
    except (ValueError, TypeError, AttributeError):
        raise invalid("cursor", "cursor", "cursor is not one this service issued") from None
