"""An inspection's page: what it inspected, who, when, the evidence it collected and the
findings it raised, each with its stage and how far past its deadline.

``GET /v1/findings`` has no inspection filter: the findings' stages and overdue days are
read per target unit and matched by ``source.id``; the inspection's own answer lists every
finding it raised, so one a target's page leaves out still shows, with its stage.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from ledger.api.console import upstream
from ledger.api.console.findings import optional
from ledger.api.console.render import Context, page
from ledger.api.console.session import Session

MAX_TARGETS = 30


async def _findings_of(
    request: web.Request, token: str, inspection_id: str, unit_id: str
) -> list[dict[str, Any]]:
    found = await optional(upstream.get(request, "/v1/findings", token, unit_id=unit_id, limit=500))
    items = (found or {}).get("items", [])
    return [
        f
        for f in items
        if f["source"]["kind"] == "inspection" and f["source"]["id"] == inspection_id
    ]


@page("inspection.html")
async def inspection_page(request: web.Request, session: Session) -> Context:
    inspection_id = request.match_info["id"]
    token = session.token
    inspection = await upstream.get(request, f"/v1/inspections/{inspection_id}", token)
    targets = [t["id"] for t in inspection["targets"]][:MAX_TARGETS]
    pages = await asyncio.gather(
        *(_findings_of(request, token, inspection_id, unit) for unit in targets)
    )
    loop = {f["id"]: f for page_ in pages for f in page_}
    # The inspection's answer has every finding; the loop's answer adds overdue days.
    findings = [
        loop.get(f["id"], {**f, "overdue": False, "days_overdue": 0})
        for f in inspection["findings"]
    ]
    stages: dict[str, int] = {}
    for f in findings:
        stages[f["stage"]] = stages.get(f["stage"], 0) + 1
    return {
        "inspection": inspection,
        "findings": findings,
        "stages": stages,
        "overdue": sum(1 for f in findings if f["overdue"]),
    }
