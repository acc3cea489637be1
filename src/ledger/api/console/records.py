"""Verified, visibly: the audit trail of any record, each event's inclusion in the latest
signed checkpoint checked by the console (``verification``), the checkpoint itself; and the
page that tells an auditor how to check a downloaded reference offline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from ledger import offline
from ledger.api.console import purposes, upstream
from ledger.api.console.render import Context, page
from ledger.api.console.session import Session
from ledger.api.console.upstream import UpstreamError
from ledger.api.console.verification import check_checkpoint, check_event

KINDS = {
    "unit": "单位",
    "person": "人员",
    "assignment": "任职",
    "finding": "问题",
    "inspection": "督察",
    "accountabilitycase": "问责案件",
    "clue": "线索",
    "bulletin": "简报专报",
    "assessment": "考核",
    "indicatorset": "考核指标体系",
}
# The console's page of a record, where it has one.
PAGES = {"unit": "units", "person": "persons", "finding": "findings"}
TRAIL_PAGE = 100


async def _public_key(request: web.Request, token: str) -> str:
    answer = await upstream.call(
        request, "GET", "/v1/ledger/public-key", token, accept="text/plain"
    )
    return answer.body.decode().strip()


@page("record.html")
async def record(request: web.Request, session: Session) -> Context | web.StreamResponse:
    kind, record_id = request.match_info["kind"], request.match_info["id"]
    if kind not in KINDS:
        raise UpstreamError(
            404, "Not found", f"没有“{kind}”这类记录。", [{"field": "kind", "message": kind}]
        )
    purpose = purposes.stated(request)
    if kind == "person" and purpose is None:
        return purposes.ask(request, session, "该人员的审计记录")
    try:
        trail, key = await asyncio.gather(
            upstream.get(
                request,
                f"/v1/history/{record_id}",
                session.token,
                purpose=purpose,
                proofs="true",
                limit=TRAIL_PAGE,
                cursor=request.query.get("cursor") or None,
            ),
            _public_key(request, session.token),
        )
    except UpstreamError as error:
        if purpose is None and purposes.asked_by_api(error):
            return purposes.ask(request, session, "该记录的审计记录")
        raise
    actual = trail["subject"]["kind"]
    if actual != kind and actual in KINDS:  # the URL named the wrong kind: the right one
        query = urlencode(list(request.query.items()))
        raise web.HTTPSeeOther(f"/console/records/{actual}/{record_id}?{query}")
    checkpoint = check_checkpoint(trail.get("checkpoint"), key)
    items = [item | {"checked": check_event(item, checkpoint)} for item in trail["items"]]
    states = [item["checked"].state for item in items]
    next_query = None
    if trail["next_cursor"]:
        kept = [(k, v) for k, v in request.query.items() if k != "cursor"]
        next_query = urlencode([*kept, ("cursor", trail["next_cursor"])])
    return {
        "kind": kind,
        "kind_name": KINDS[kind],
        "record_id": record_id,
        "page_of": PAGES.get(kind),
        "subject": trail["subject"],
        "items": items,
        "checkpoint": checkpoint,
        "proved_through": trail.get("proved_through"),
        "public_key": key,
        "verified": states.count("verified"),
        "failed": states.count("failed"),
        "pending": states.count("pending"),
        "purpose": purpose,
        "next_query": next_query,
        "first_page": "cursor" not in request.query,
    }


@page("verify.html")
async def verify_help(request: web.Request, session: Session) -> Context:
    return {
        "origin": f"{request.scheme}://{request.host}",
        "public_key": await _public_key(request, session.token),
    }


async def verifier_file(_: web.Request) -> web.StreamResponse:
    """The offline verifier itself, one file an auditor copies (standard library and
    ``cryptography`` only)."""
    return web.FileResponse(
        Path(offline.__file__),
        headers={
            "Content-Type": "text/x-python; charset=utf-8",
            "Content-Disposition": 'attachment; filename="offline.py"',
        },
    )
