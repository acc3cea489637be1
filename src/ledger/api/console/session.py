"""Signing in to the console: the caller's token, kept in a cookie the page's scripts cannot
read, and a CSRF token on every form.

The cookie holds the bearer token itself (``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the
request came over TLS), so a sign-in lasts as long as the token and ends with it (expiry,
revocation). Each request verifies it again. A form carries a CSRF token derived from the
session's token, which a page of another site cannot read or compute; a POST also needs an
``Origin`` (when the browser sends one) of this site.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from ledger.api.console.upstream import UpstreamError
from ledger.api.errors import ApiError
from ledger.api.keys import LIMITER, VERIFIER
from ledger.api.limits import check_rate
from ledger.domain.access import Principal
from ledger.infra.tokens import TokenRefused

COOKIE = "ledger_session"
HOME = "/console/"


@dataclass(frozen=True)
class Session:
    token: str
    principal: Principal

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


def csrf_for(token: str) -> str:
    return hashlib.sha256(b"ledger console csrf\0" + token.encode()).hexdigest()[:40]


class SignInNeeded(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


async def verify(request: web.Request, token: str) -> Principal:
    try:
        return await request.app[VERIFIER].verify(token)
    except TokenRefused as refused:
        raise SignInNeeded(str(refused)) from None


async def current(request: web.Request) -> Session:
    """The signed-in session; each console request is charged once to its token's rate
    limit (the API calls it makes for the page are not charged again)."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        raise SignInNeeded("")
    session = Session(token, await verify(request, token))
    try:
        check_rate(request.app[LIMITER], session.principal.token_id)
    except ApiError as limited:
        raise UpstreamError(429, limited.title, f"请求过于频繁：{limited.detail}") from None
    return session


def login_url(request: web.Request, reason: str = "") -> str:
    url = f"/console/login?next={quote(request.path_qs, safe='')}"
    return url + (f"&reason={quote(reason[:200], safe='')}" if reason else "")


def safe_next(target: str) -> str:
    """Only a console page of this site: never another host (``//x``, ``/\\x``)."""
    if target.startswith(HOME) and not target.startswith(("//", "/\\")) and "\\" not in target:
        return target
    return HOME


def check_origin(request: web.Request, also: Iterable[str] = ()) -> None:
    """A POST from a page of this site (or of ``also``, the sign-in pages trusted to hand a
    token over); a browser that sends no ``Origin`` is judged by the CSRF token alone."""
    origin = request.headers.get("Origin")
    if origin is not None and origin not in (f"{request.scheme}://{request.host}", *also):
        raise web.HTTPForbidden(text="该请求来自其他站点，已拒绝。")


def check_form(request: web.Request, session: Session, form: dict[str, str]) -> None:
    check_origin(request)
    if not hmac.compare_digest(form.get("csrf", ""), session.csrf):
        raise web.HTTPForbidden(text="表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试。")


def set_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path="/console/",
        httponly=True,
        samesite="Lax",
        secure=request.secure,
    )


def clear_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/console/")
