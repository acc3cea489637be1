"""A unit's page: its place in the jurisdiction, its responsibility chain as of a date (and
as the ledger knew it at a time), the gaps, the changes over a period, its findings and
assessments."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from ledger.api.console import upstream
from ledger.api.console.render import Context, page
from ledger.api.console.session import Session
from ledger.api.console.upstream import UpstreamError
from ledger.api.keys import SETTINGS

GAPS = {
    "no_principal": "无主要负责人",
    "no_line": "无汇报关系",
    "reports_to_ended": "上级岗位已不在任",
    "staff_without_leader": "工作人员未对应分管领导",
    "uncovered_category": "无班子成员分管",
}
CHANGES = {
    "assigned": "到任",
    "ended": "离任",
    "portfolio_changed": "分工调整",
    "line_changed": "汇报关系调整",
    "corrected": "更正记录",
}
MAX_CHILDREN = 40


def day(request: web.Request, name: str, default: date | None) -> date | None:
    text = request.query.get(name, "")
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UpstreamError(
            422,
            "Invalid",
            "日期格式应为 年-月-日，如 2021-06-01",
            [{"field": name, "message": text}],
        ) from None


def known_time(request: web.Request) -> str | None:
    """The form's local time (``datetime-local``) as RFC 3339 in the ledger's time zone."""
    text = request.query.get("known_at", "")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UpstreamError(
            422, "Invalid", "时间格式应为 年-月-日T时:分", [{"field": "known_at", "message": text}]
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(request.app[SETTINGS].timezone))
    return moment.isoformat()


async def _principal(request: web.Request, token: str, unit: dict[str, Any], on: date) -> Any:
    chain = await upstream.get(request, f"/v1/units/{unit['id']}/chain", token, valid_at=on)
    principals = [n for n in chain["chain"] if n["role"] == "principal"]
    return {"unit": unit, "principal": principals[0] if principals else None}


def _flag(nodes: list[dict[str, Any]], gaps: list[dict[str, Any]]) -> None:
    """Mark each node of the tree with the gaps that name its assignment."""
    by_assignment: dict[str, list[str]] = {}
    for gap in gaps:
        if gap.get("assignment_id"):
            by_assignment.setdefault(gap["assignment_id"], []).append(
                GAPS.get(gap["kind"], gap["kind"])
            )
    for node in nodes:
        node["flags"] = by_assignment.get(node["id"], [])
        _flag(node["reports"], gaps)


@page("unit.html")
async def unit_page(request: web.Request, session: Session) -> Context:
    unit_id = request.match_info["id"]
    token = session.token
    today = datetime.now(ZoneInfo(request.app[SETTINGS].timezone)).date()
    valid_at = day(request, "valid_at", today) or today
    known_at = known_time(request)
    start = day(request, "from", valid_at - timedelta(days=365)) or valid_at
    end = day(request, "to", valid_at) or valid_at
    period: dict[str, Any] = {"from": start, "to": end}
    unit, chain, changes, children, findings, assessments = await asyncio.gather(
        upstream.get(request, f"/v1/units/{unit_id}", token),
        upstream.get(
            request, f"/v1/units/{unit_id}/chain", token, valid_at=valid_at, known_at=known_at
        ),
        upstream.get(request, f"/v1/units/{unit_id}/chain/changes", token, **period),
        upstream.get(request, "/v1/units", token, parent_id=unit_id, limit=MAX_CHILDREN),
        upstream.optional(
            upstream.get(
                request, "/v1/findings", token, unit_id=unit_id, include_subunits="true", limit=20
            )
        ),
        upstream.optional(upstream.get(request, f"/v1/units/{unit_id}/assessments", token)),
    )
    heads = await asyncio.gather(
        *(_principal(request, token, child, valid_at) for child in children["items"])
    )
    parent = None
    if unit["parent_id"]:
        try:
            parent = await upstream.get(request, f"/v1/units/{unit['parent_id']}", token)
        except UpstreamError as outside:  # above the caller's jurisdiction
            if outside.status not in (403, 404):
                raise
    _flag(chain["chain"], chain["gaps"])
    return {
        "unit": unit,
        "parent": parent,
        "chain": chain,
        "unit_gaps": [g for g in chain["gaps"] if not g.get("assignment_id")],
        "gap_names": GAPS,
        "change_names": CHANGES,
        "changes": changes["items"],
        "children": heads,
        "more_children": children["next_cursor"] is not None,
        "findings": findings and findings["items"],
        "more_findings": findings is not None and findings["next_cursor"] is not None,
        "assessments": assessments,
        "valid_at": valid_at.isoformat(),
        "known_at": request.query.get("known_at", ""),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
