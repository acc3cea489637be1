"""The open-loop dashboard (闭环看板) of a jurisdiction: the API's open-loop report as
counts, charts by unit and by category, and the open findings overdue first; its CSV."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from ledger.api.console import charts, upstream
from ledger.api.console.downloads import download, proxy
from ledger.api.console.render import Context, page, zh
from ledger.api.console.session import Session
from ledger.api.console.units import day, parent_of
from ledger.api.console.upstream import UpstreamError

OPEN_PAGE = 50
CHART_UNITS = 20
MAX_CHILDREN = 60


async def _unit_id(request: web.Request, session: Session) -> str | None:
    """The unit asked for; else the caller's own; else, for a whole-ledger caller, the first
    root unit (None: the ledger has no unit yet)."""
    asked = request.query.get("unit_id", "").strip()
    if asked:
        return asked
    if session.principal.unit is not None:
        return str(session.principal.unit)
    roots = await upstream.get(request, "/v1/units", session.token, limit=1)
    return roots["items"][0]["id"] if roots["items"] else None


async def _around(request: web.Request, token: str, unit_id: str) -> dict[str, Any]:
    """The units a user may switch to from this one: its parent (if in view), its children."""
    unit, children = await asyncio.gather(
        upstream.get(request, f"/v1/units/{unit_id}", token),
        upstream.get(request, "/v1/units", token, parent_id=unit_id, limit=MAX_CHILDREN),
    )
    parent = await parent_of(request, token, unit)
    return {"unit": unit, "parent": parent, "children": children["items"]}


def _link(unit_id: str, valid_at: str | None) -> str:
    return f"/console/dashboard?unit_id={unit_id}" + (f"&valid_at={valid_at}" if valid_at else "")


@page("dashboard.html")
async def dashboard(request: web.Request, session: Session) -> Context:
    on = day(request, "valid_at", None)
    valid_at = on.isoformat() if on else None
    unit_id = await _unit_id(request, session)
    if unit_id is None:
        return {"report": None, "valid_at": valid_at or ""}
    report = await upstream.get(
        request,
        "/v1/reports/open-loop",
        session.token,
        unit_id=unit_id,
        valid_at=valid_at,
        cursor=request.query.get("cursor") or None,
        limit=OPEN_PAGE,
    )
    around = await _around(request, session.token, unit_id)
    by_unit = report["by_unit"][:CHART_UNITS]
    unit_rows = [(u["unit_name"] or "—", _link(u["unit_id"], valid_at), u) for u in by_unit]
    category_rows = [(zh(c["category"], "category"), None, c) for c in report["by_category"]]
    return {
        "report": report,
        "unit_id": unit_id,
        "valid_at": valid_at or "",
        "around": around,
        "by_unit_chart": charts.stacked(f"{report['unit']['name']}：各单位问题整改情况", unit_rows),
        "by_category_chart": charts.stacked(
            f"{report['unit']['name']}：各类别问题整改情况", category_rows
        ),
        "more_units": len(report["by_unit"]) - len(by_unit),
        "parts": charts.PARTS,
        "first_page": "cursor" not in request.query,
    }


@download
async def dashboard_csv(request: web.Request, session: Session) -> web.StreamResponse:
    """The open-loop report as the API answers ``Accept: text/csv``."""
    on = day(request, "valid_at", None)
    unit_id = await _unit_id(request, session)
    if unit_id is None:
        raise UpstreamError(404, "Not found", "没有可查看的单位。")
    stamp = on.isoformat() if on else "today"
    return await proxy(
        request,
        "/v1/reports/open-loop",
        session.token,
        accept="text/csv",
        stem=f"open-loop-{unit_id}-{stamp}",
        unit_id=unit_id,
        valid_at=on,
    )
