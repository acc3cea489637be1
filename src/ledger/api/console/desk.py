"""The inspector's desk: the clues waiting for triage, each with its triage forms (立为问题
or 不予立项), the findings waiting for the caller's step, and the inspections in the
caller's jurisdiction."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from ledger.api.console import upstream
from ledger.api.console.findings import optional
from ledger.api.console.forms import BASIS, Field, body_of, field_errors, fresh_key, posted
from ledger.api.console.render import STATUS_WORDS, Context, labels_of, page, problem_page, render
from ledger.api.console.session import Session, SignInNeeded, check_form, current, login_url
from ledger.api.console.upstream import UpstreamError
from ledger.api.keys import SETTINGS
from ledger.domain.access import Role

RAISE = (
    Field("unit_id", "被督察单位", "select", required=True, options="units"),
    Field("category", "问题类别", "select", required=True, options="categories"),
    Field("severity", "严重程度", "select", required=True, options="severities"),
    Field("description", "问题描述", "textarea", required=True),
    Field("found_on", "发现日期", "date", required=True, today=True),
    Field("deadline", "整改期限", "date", required=True),
)
RAISE_ACT = (Field("reason", "说明", "textarea"), BASIS)
DISMISS = (Field("reason", "不予立项的理由", "textarea", required=True), BASIS)
# Which findings wait for whom: the unit plans and reports, the inspector verifies.
WAITING = {Role.UNIT_OFFICER: "open", Role.INSPECTOR: "awaiting_verification"}
MAX_UNITS = 300
NOTICES = {"dismissed": "线索已作不予立项处理。"}


@page("desk.html")
async def desk_page(request: web.Request, session: Session) -> Context:
    return await desk_context(request, session)


async def desk_context(request: web.Request, session: Session) -> Context:
    token = session.token
    at = request.query.get("at") or None
    waiting = WAITING.get(session.principal.role, "awaiting_verification")
    clues, inspections, findings, units = await asyncio.gather(
        optional(
            upstream.get(request, "/v1/clues", token, status="pending", limit=30, min_position=at)
        ),
        optional(upstream.get(request, "/v1/inspections", token, limit=30)),
        optional(upstream.get(request, "/v1/findings", token, status=waiting, limit=30)),
        _units(request, session),
    )
    known = dict(units)
    for clue in (clues or {}).get("items", []):
        if clue["unit_id"] and clue["unit_id"] not in known:
            known[clue["unit_id"]] = clue["unit_name"] or clue["unit_id"]
    today = datetime.now(ZoneInfo(request.app[SETTINGS].timezone)).date().isoformat()
    return {
        "clues": clues,
        "inspections": inspections,
        "findings": findings,
        "waiting": waiting,
        "options": {
            "units": list(known.items()),
            "categories": list(labels_of("category").items()),
            "severities": list(labels_of("severity").items()),
        },
        "raise_fields": RAISE + RAISE_ACT,
        "dismiss_fields": DISMISS,
        "today": today,
        "key": fresh_key,
        "open_form": "",
        "inputs": {},
        "errors": {},
        "notice": NOTICES.get(request.query.get("done", ""), ""),
        "problem": None,
    }


async def _units(request: web.Request, session: Session) -> list[tuple[str, str]]:
    """The units a finding may be raised against: the caller's jurisdiction (the first
    ``MAX_UNITS`` by name; a clue's own unit is always offered)."""
    token = session.token
    roots = [str(session.principal.unit)] if session.principal.unit else []
    if not roots:
        top = await optional(upstream.get(request, "/v1/units", token, limit=20))
        roots = [u["id"] for u in (top or {}).get("items", [])]
    pages = await asyncio.gather(
        *(
            optional(upstream.get(request, "/v1/units", token, under=r, limit=MAX_UNITS))
            for r in roots
        )
    )
    return [(u["id"], u["name"]) for found in pages for u in (found or {}).get("items", [])]


async def triage(request: web.Request) -> web.StreamResponse:
    """Triage a clue from the desk: into a new finding, or dismissed with a reason."""
    try:
        session = await current(request)
    except SignInNeeded as needed:
        raise web.HTTPSeeOther(login_url(request, needed.reason)) from None
    form = posted(await request.post())
    check_form(request, session, form)
    clue_id = request.match_info["id"]
    outcome = form.get("outcome", "")
    if outcome not in ("finding", "dismissed"):
        raise web.HTTPBadRequest(text="请选择“立为问题”或“不予立项”。")
    body: dict[str, Any] = {"outcome": outcome}
    if outcome == "finding":
        body |= body_of(RAISE_ACT, form) | {"finding": body_of(RAISE, form)}
    else:
        body |= body_of(DISMISS, form)
    version = form.get("version", "")
    headers = {"Idempotency-Key": form.get("key") or fresh_key()}
    if version.isdigit():
        headers["If-Match"] = f'"{version}"'
    try:
        answer = await upstream.call(
            request,
            "POST",
            f"/v1/clues/{clue_id}/triage",
            session.token,
            body=body,
            headers=headers,
        )
    except UpstreamError as refused:
        return await _refused(request, session, clue_id, outcome, form, refused)
    done = answer.json()
    if outcome == "finding":
        raise web.HTTPSeeOther(f"/console/findings/{done['id']}?done=triaged&at={done['position']}")
    raise web.HTTPSeeOther(f"/console/desk?done=dismissed&at={done['position']}")


async def _refused(
    request: web.Request,
    session: Session,
    clue_id: str,
    outcome: str,
    form: dict[str, str],
    refused: UpstreamError,
) -> web.StreamResponse:
    if refused.status == 401:
        raise web.HTTPSeeOther(login_url(request, refused.detail))
    try:
        context = await desk_context(request, session)
    except UpstreamError as unreadable:
        return problem_page(request, session, unreadable)
    status = refused.status
    fields = RAISE + RAISE_ACT if outcome == "finding" else DISMISS
    if status == 422 or (status == 409 and refused.errors and outcome == "finding"):
        errors = field_errors(refused, fields, prefix="finding.")
        errors.setdefault("", "请按提示修改后重新提交。")
        context |= {"open_form": f"{outcome}-{clue_id}", "inputs": form, "errors": errors}
        status = 422
    elif status in (409, 412):
        lines = ["这条线索已被他人先行分办或更新，您的分办没有写入。请核对下面的待分办线索。"]
        context |= {"problem": {"heading": "线索已被他人处理", "lines": lines}}
        status = 409
    elif status == 403:
        lines = [
            "您的账号不能分办线索：分办线索由督察人员办理，或该线索不在您的管辖范围内。",
            "如确有工作需要，请联系系统管理员调整授权。",
        ]
        context |= {"problem": {"heading": STATUS_WORDS[403], "lines": lines}}
    elif status == 404:
        context |= {"problem": {"heading": STATUS_WORDS[404], "lines": ["没有这条线索。"]}}
    else:
        context |= {
            "problem": {"heading": STATUS_WORDS.get(status, "出错了"), "lines": ["请稍后重试。"]}
        }
    base = {"session": session, "q": "", "path": request.path}
    return render(request, "desk.html", base | context, status=status)
