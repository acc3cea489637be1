"""Why a person's data is read (查阅目的): asked before a dossier, an evaluation reference or
an audit trail, kept in the page's URL (``?purpose=``, so the page stays a link a user can
keep or send) and sent to the API as ``X-Access-Purpose``, which writes it in the access log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from ledger.api.access import HEADER, MAX_PURPOSE
from ledger.api.console.render import render
from ledger.api.console.session import Session
from ledger.api.console.upstream import UpstreamError

COMMON = ("干部考察", "纪律审查", "督察核实", "考核评价", "审计检查")
# The form's own fields: folded into ``purpose`` and never passed on.
FORM = ("reason", "detail")


def stated(request: web.Request) -> str | None:
    text = request.query.get("purpose", "").strip()
    return text or None


def asked_by_api(error: UpstreamError) -> bool:
    """The API refused for want of a purpose (400 naming the header)."""
    return error.status == 400 and any(e.get("field") == HEADER for e in error.errors)


def _kept(request: web.Request) -> list[tuple[str, str]]:
    """The page's other parameters (period, …), carried through the form."""
    return [(k, v) for k, v in request.query.items() if k not in (*FORM, "purpose")]


def ask(request: web.Request, session: Session, subject: str) -> web.StreamResponse:
    """The purpose form, or, once it is filled in, the page's own URL with ``purpose``."""
    reason = request.query.get("reason", "").strip()
    detail = request.query.get("detail", "").strip()
    problem = ""
    if "reason" in request.query or "detail" in request.query:
        purpose = f"{reason}：{detail}" if reason and detail else reason or detail
        if not purpose:
            problem = "请选择或填写查阅目的。"
        elif len(purpose) > MAX_PURPOSE or not purpose.isprintable():
            problem = f"查阅目的不超过 {MAX_PURPOSE} 个字，且不含换行等控制字符。"
        else:
            query = urlencode([*_kept(request), ("purpose", purpose)])
            raise web.HTTPSeeOther(f"{request.path}?{query}")
    context = {
        "session": session,
        "q": "",
        "subject": subject,
        "common": COMMON,
        "kept": _kept(request),
        "reason": reason,
        "detail": detail,
        "problem": problem,
        "action": request.path,
    }
    return render(request, "purpose.html", context, status=422 if problem else 200)
