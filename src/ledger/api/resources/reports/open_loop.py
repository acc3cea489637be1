"""The open-loop report (闭环情况): counts and rates over a jurisdiction, and its open
findings a page at a time; or, as CSV, every open finding in one table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.csv_export import (
    FORMAT_TYPES,
    Column,
    csv_response,
    joined,
    label,
    render_csv,
    wants_csv,
)
from ledger.api.errors import ApiError, invalid
from ledger.api.http import (
    decode_cursor,
    encode_cursor,
    json_response,
    query_int,
    query_uuid,
    query_valid_at,
)
from ledger.api.keys import TARGET
from ledger.api.positions import query_position
from ledger.api.resources.findings.queries import OVERDUE_VALID_AT, caught_up
from ledger.api.resources.findings.schemas import FindingSummary
from ledger.api.routing import KNOWN_AT, MIN_POSITION, Param, RouteTable
from ledger.api.schemas import View
from ledger.domain.vocab import Category, FindingStage, Severity
from ledger.projections.findings import report as findings_report

routes = RouteTable("reports")

# The CSV: every open finding, overdue first (most days first), as the JSON's open list.
COLUMNS: list[Column] = [
    ("unit_name", "单位"),
    ("description", "问题描述"),
    ("category", "问题类别"),
    ("severity", "严重程度"),
    ("stage", "办理阶段"),
    ("found_on", "发现日期"),
    ("original_deadline", "原整改期限"),
    ("deadline", "现整改期限"),
    ("days_overdue", "逾期天数"),
    ("documents", "文号"),
    ("id", "问题编号"),
]


class LoopCounts(View):
    """Counts of findings; "on time" means verified by the original deadline, everywhere
    (as `on_time` in the evaluation references)."""

    total: int = Field(description="Findings of the group.")
    open: int = Field(description="Not closed.")
    overdue: int = Field(description="Not closed and past the current deadline on valid_at.")
    closed: int = Field(description="Closed: rectified, referred or dismissed.")
    rectified: int = Field(
        description="Closed rectified: rectified_on_time + rectified_after_extension"
        " + rectified_late."
    )
    referred: int = Field(description="Closed referred.")
    dismissed: int = Field(description="Closed dismissed.")
    rectified_on_time: int = Field(
        description="Rectified, verified on or before the original deadline. A finding"
        " verified only by an extended deadline is not on time: it is counted in"
        " rectified_after_extension."
    )
    rectified_after_extension: int = Field(
        description="Rectified, verified after the original deadline but on or before the"
        " extended (current) one."
    )
    rectified_late: int = Field(
        description="Rectified, verified after the current deadline (extensions included)."
    )
    closed_rate: float | None = Field(description="closed / total; null without findings.")
    overdue_rate: float | None = Field(description="overdue / open; null with none open.")
    on_time_rate: float | None = Field(
        description="rectified_on_time / rectified (by the original deadline); null with"
        " none rectified."
    )


class UnitLoopCounts(LoopCounts):
    unit_id: UUID
    unit_name: str | None


class CategoryLoopCounts(LoopCounts):
    category: Category


class ReportUnit(View):
    id: UUID
    name: str


class OpenLoopReport(View):
    unit: ReportUnit
    valid_at: date
    known_at: datetime | None = Field(description="The report as the ledger knew it then.")
    position: int = Field(description="The ledger position the answer reflects.")
    totals: LoopCounts = Field(description="The whole jurisdiction: the unit and all below it.")
    by_unit: list[UnitLoopCounts] = Field(description="Units with findings, most overdue first.")
    by_category: list[CategoryLoopCounts] = Field(description="Most overdue first.")
    open: list[FindingSummary] = Field(
        description="Not closed: overdue first (most days first), then by deadline; a page."
    )
    open_next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page of open findings."
    )


@routes.route(
    "GET",
    "/v1/reports/open-loop",
    "Findings not closed in a jurisdiction, overdue first, with counts and rates. With"
    " `Accept: text/csv`, every finding not closed (no page: no `limit` nor `cursor`) as one"
    " table (UTF-8 with BOM, CRLF; Chinese headers, codes by their labels): 单位, 问题描述,"
    " 问题类别, 严重程度, 办理阶段, 发现日期, 原整改期限, 现整改期限, 逾期天数, 文号, 问题编号;"
    " the ledger position in the `Ledger-Position` header.",
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
    media_types=FORMAT_TYPES,
    errors=(404,),
)
async def open_loop_report(request: web.Request) -> web.Response:
    unit_id = query_uuid(request, "unit_id")
    if unit_id is None:
        raise invalid("unit_id", "required", "unit_id is required")
    valid_at = query_valid_at(request)
    limit = query_int(request, "limit", 50, 1, 500)
    after = _open_after(decode_cursor(request))
    as_csv = wants_csv(request)
    for paging in ("limit", "cursor"):
        if as_csv and paging in request.query:
            raise invalid(paging, "format", "the CSV holds every open finding: no page to ask")
    reached = await caught_up(request)
    position, known_at = await query_position(request)
    as_known = position if known_at is not None else None
    report = await findings_report.open_loop_report(
        await reader(request),
        unit_id,
        valid_at,
        as_known,
        limit=None if as_csv else limit + 1,
        after=after,
    )
    if report is None:
        when = f" known at {known_at.isoformat()}" if known_at is not None else ""
        raise ApiError(404, "Not found", f"no unit with id {unit_id}{when}")
    answer = {"valid_at": valid_at, "known_at": known_at, "position": min(position, reached)}
    if as_csv:
        request[TARGET] = ("unit", unit_id)  # the access log names the jurisdiction exported
        return csv_response(
            request,
            render_csv(COLUMNS, (_open_row(item) for item in report["open"])),
            f"open-loop-{unit_id}-{valid_at}.csv",
            {"Ledger-Position": str(answer["position"])},
        )
    next_cursor = None
    if len(report["open"]) > limit:
        report["open"] = report["open"][:limit]
        last = report["open"][-1]
        next_cursor = encode_cursor(
            [last["days_overdue"], last["deadline"], last["found_on"], last["id"]]
        )
    return json_response(answer | report | {"open_next_cursor": next_cursor})


def _open_row(item: dict[str, Any]) -> dict[str, Any]:
    return item | {
        "category": label(Category, item["category"]),
        "severity": label(Severity, item["severity"]),
        "stage": label(FindingStage, item["stage"]),
        "documents": joined([item["basis"], *item["documents"]]),
    }


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
