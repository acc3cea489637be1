"""How a console page is answered: the signed-in session, the template, the errors in words.

``page(template)`` wraps a handler ``(request, session) -> context``: no session sends the
browser to sign in (and back after); an API refusal or a missing record is rendered as a
page that says so, in Chinese, with the API's own reason; the page never shows a trace.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
import jinja2
import structlog
from aiohttp import web

from ledger.api.console.session import Session, SignInNeeded, current, login_url
from ledger.api.console.upstream import UpstreamError
from ledger.application.policy import allows
from ledger.domain.attribution import AUTOMATIC_ATTRIBUTION
from ledger.domain.labels import EVENT_LABELS, LABELS, vocabulary_name

log = structlog.get_logger("ledger.console")

Context = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PageHandler = Callable[[web.Request, Session], Awaitable[Context | web.StreamResponse]]

# A page's own policy: styles and the few scripts from this site only, forms to this site.
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

_LABELS = {vocabulary_name(v): labels for v, labels in LABELS.items()}

STATUS_WORDS = {
    400: "请求有误",
    401: "需要重新登录",
    403: "无权进行此操作",
    404: "未找到",
    409: "与当前记录冲突",
    412: "记录已被他人修改",
    422: "填写有误",
    428: "需要先读取最新版本",
    429: "请求过于频繁",
    503: "服务暂不可用",
}


def zh(code: Any, vocabulary: str) -> str:
    """The Chinese label of a code (the code itself when it has none)."""
    if code is None or code == "":
        return "—"
    return _LABELS.get(vocabulary, {}).get(str(code), str(code))


def labels_of(vocabulary: str) -> dict[str, str]:
    """Every code of a vocabulary with its Chinese label, in the vocabulary's order."""
    return dict(_LABELS.get(vocabulary, {}))


def may(session: Session | None, action: str) -> bool:
    """Whether the signed-in role may take the API operation (to offer only what works)."""
    return session is not None and allows(session.principal.role, action)


def event_name(short: str) -> str:
    """An event type's Chinese name (``Finding.Raised`` → 发现问题)."""
    return EVENT_LABELS.get(short, short)


# Reasons the ledger records itself (in the stored event), as a reader says them.
_REASONS = {AUTOMATIC_ATTRIBUTION: "按发现之日的责任链条自动认定"}


def reason(text: str | None) -> str:
    return _REASONS.get(text or "", text or "")


def setup(app: web.Application, templates: str, **globals_: Any) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("ledger.api.console", templates),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        context_processors=[],
    )
    env.filters["zh"] = zh
    env.filters["event_name"] = event_name
    env.filters["reason"] = reason
    env.globals["labels"] = _LABELS
    env.globals["may"] = may
    env.globals.update(globals_)
    env.trim_blocks = True
    env.lstrip_blocks = True


def render(
    request: web.Request, template: str, context: Context, status: int = 200
) -> web.Response:
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers["Content-Security-Policy"] = CSP
    # Not no-referrer: a browser would then send ``Origin: null`` with the page's forms.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def problem_page(
    request: web.Request, session: Session | None, error: UpstreamError
) -> web.Response:
    status = error.status if 400 <= error.status < 600 else 502
    return render(
        request,
        "error.html",
        {
            "session": session,
            "q": "",
            "status": status,
            "heading": STATUS_WORDS.get(status, "出错了"),
            "error": error,
        },
        status=status,
    )


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A console request the API refused, wherever it was refused, answers a page in
    words (``page`` does so itself; a form's handler relies on this)."""
    if not request.path.startswith("/console"):
        return await handler(request)
    try:
        return await handler(request)
    except UpstreamError as error:
        return problem_page(request, None, error)


def page(
    template: str,
) -> Callable[[PageHandler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    def wrap(handler: PageHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(handler)
        async def handle(request: web.Request) -> web.StreamResponse:
            session: Session | None = None
            try:
                session = await current(request)
                context = await handler(request, session)
            except SignInNeeded as needed:
                raise web.HTTPSeeOther(login_url(request, needed.reason)) from None
            except UpstreamError as error:
                if error.status == 401:
                    raise web.HTTPSeeOther(login_url(request, error.detail)) from None
                return problem_page(request, session, error)
            if isinstance(context, web.StreamResponse):
                return context
            base = {"session": session, "q": request.query.get("q", ""), "path": request.path}
            return render(request, template, base | context)

        return handle

    return wrap
