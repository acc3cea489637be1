"""A person's dossier (人员档案): who they are, the posts they held over time, the findings
they answer for by liability, cases and sanctions as they stand after appeals, the
assessments of the units they led, and who has looked at it. Opening it asks for the
purpose, which the API writes in the access log."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from ledger.api.console import charts, purposes, upstream
from ledger.api.console.render import Context, page
from ledger.api.console.session import Session
from ledger.api.console.units import day
from ledger.api.keys import SETTINGS

ACTIONS = {
    "get_person": "查看人员信息",
    "person_assignments": "查看任职记录",
    "find_person": "按证件号码查找",
    "person_reference": "查看考核评价参考",
    "history": "查看审计记录",
    "list_access_log": "查看访问日志",
}
MAX_POSTS = 500
LOOKED_DAYS = 365
LOOKED_SHOWN = 30


async def _looked(request: web.Request, session: Session, person_id: str) -> Any:
    """The access log's reads of this person's data over the last year, latest first (None
    for a role that may not read the access log)."""
    since: dict[str, Any] = {"from": request.app[SETTINGS].today() - timedelta(days=LOOKED_DAYS)}
    page_ = await upstream.optional(
        upstream.get(
            request,
            "/v1/access-log",
            session.token,
            person_id=person_id,
            limit=500,
            **since,
        )
    )
    if page_ is None:
        return None
    items = list(reversed(page_["items"]))
    return {"items": items[:LOOKED_SHOWN], "count": len(items), "more": page_["next_cursor"]}


@page("dossier.html")
async def dossier(request: web.Request, session: Session) -> Context | web.StreamResponse:
    person_id = request.match_info["id"]
    today = request.app[SETTINGS].today()
    asked_from = day(request, "from", None)
    end = day(request, "to", today) or today
    purpose = purposes.stated(request)
    if purpose is None:
        return purposes.ask(request, session, "该人员的档案")
    person, posts = await asyncio.gather(
        upstream.get(request, f"/v1/persons/{person_id}", session.token, purpose=purpose),
        upstream.get(
            request,
            f"/v1/persons/{person_id}/assignments",
            session.token,
            purpose=purpose,
            limit=MAX_POSTS,
        ),
    )
    first = min((date.fromisoformat(p["effective_from"]) for p in posts["items"]), default=None)
    start = asked_from or first or end - timedelta(days=365)
    reference = await upstream.optional(
        upstream.get(
            request,
            f"/v1/persons/{person_id}/evaluation-reference",
            session.token,
            purpose=purpose,
            **{"from": start, "to": end},
        )
    )
    return {
        "person": person,
        "posts": posts["items"],
        "more_posts": posts["next_cursor"] is not None,
        "timeline": charts.timeline(f"{person['name']}的任职经历", posts["items"], today),
        "reference": reference,
        "looked": await _looked(request, session, person_id),
        "actions": ACTIONS,
        "purpose": purpose,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
