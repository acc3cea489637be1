"""Signing in and out, the home page and search."""

from __future__ import annotations

from aiohttp import web

from ledger.api.console import upstream
from ledger.api.console.render import Context, page, render
from ledger.api.console.session import (
    HOME,
    Session,
    SignInNeeded,
    check_form,
    check_origin,
    clear_cookie,
    current,
    safe_next,
    set_cookie,
    verify,
)
from ledger.api.keys import SETTINGS

KINDS = (
    ("", "全部"),
    ("unit", "单位"),
    ("person", "人员"),
    ("finding", "问题"),
    ("inspection", "督察"),
)
KIND_NAMES = {"unit": "单位", "person": "人员", "finding": "问题", "inspection": "督察"}
PATHS = {"unit": "units", "person": "persons", "finding": "findings", "inspection": "inspections"}


def see_other(target: str) -> web.Response:
    """A 303 to ``target`` that can carry a cookie (an HTTPException is raised, not kept)."""
    return web.Response(status=303, headers={"Location": target})


def link(item: dict[str, str]) -> str:
    return f"/console/{PATHS[item['kind']]}/{item['id']}"


async def login_form(request: web.Request) -> web.StreamResponse:
    try:
        await current(request)
        raise web.HTTPSeeOther(safe_next(request.query.get("next", HOME)))
    except SignInNeeded:
        pass
    context = {
        "session": None,
        "q": "",
        "next": safe_next(request.query.get("next", HOME)),
        "reason": request.query.get("reason", ""),
    }
    return render(request, "login.html", context)


async def login(request: web.Request) -> web.StreamResponse:
    """Take the token (typed in, or posted by an identity provider's sign-in page)."""
    check_origin(request, request.app[SETTINGS].console_signin_origins)
    form = await request.post()
    token = str(form.get("token", "")).strip()
    target = safe_next(str(form.get("next", HOME)))
    try:
        if not token:
            raise SignInNeeded("请填写访问令牌。")
        await verify(request, token)
    except SignInNeeded as refused:
        context = {
            "session": None,
            "q": "",
            "next": target,
            "reason": f"令牌无效：{refused.reason}",
        }
        return render(request, "login.html", context, status=401)
    response = see_other(target)
    set_cookie(response, request, token)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    response = see_other("/console/login")
    try:
        session = await current(request)
    except SignInNeeded:
        clear_cookie(response)
        return response
    form = await request.post()
    check_form(request, session, {k: str(v) for k, v in form.items()})
    clear_cookie(response)
    return response


@page("home.html")
async def home(request: web.Request, session: Session) -> Context:
    unit = session.principal.unit
    if unit is not None:
        return {
            "unit": await upstream.get(request, f"/v1/units/{unit}", session.token),
            "roots": [],
        }
    roots = await upstream.get(request, "/v1/units", session.token, limit=50)
    return {"unit": None, "roots": roots["items"]}


@page("search.html")
async def search(request: web.Request, session: Session) -> Context:
    q = request.query.get("q", "").strip()
    kind = request.query.get("kind", "")
    kind = kind if kind in KIND_NAMES else ""
    found: dict[str, object] = {"items": [], "next_cursor": None}
    if q:
        found = await upstream.get(
            request,
            "/v1/search",
            session.token,
            q=q,
            kind=kind or None,
            cursor=request.query.get("cursor") or None,
            limit=30,
        )
    return {
        "q": q,
        "kind": kind,
        "kinds": KINDS,
        "kind_names": KIND_NAMES,
        "items": found["items"],
        "next_cursor": found["next_cursor"],
        "link": link,
    }
