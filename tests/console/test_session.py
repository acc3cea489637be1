"""Signing in to the console: the session cookie, CSRF, where sign-in sends the browser,
and the answers in words when the token or the input is wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from ledger.api.app import create_app
from ledger.infra.settings import Settings
from tests.conftest import Issue
from tests.console.conftest import Client, SignIn


async def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(
    client: Client, issue: Issue
) -> None:
    answer = await client.get("/console/search?q=司法", allow_redirects=False)
    assert answer.status == 303
    target = answer.headers["Location"]
    assert target.startswith("/console/login?next=")
    form = await client.get(target)
    assert form.status == 200 and "访问令牌" in await form.text()
    signed = await client.post(
        "/console/login",
        data={"token": issue("inspector"), "next": "/console/search?q=司法"},
        allow_redirects=False,
    )
    assert signed.status == 303
    assert signed.headers["Location"] == "/console/search?q=司法"


async def test_the_session_cookie_is_http_only_lax_and_scoped_to_the_console(
    client: Client, issue: Issue
) -> None:
    answer = await client.post(
        "/console/login",
        data={"token": issue("inspector"), "next": "/console/"},
        allow_redirects=False,
    )
    cookie = answer.headers["Set-Cookie"]
    assert "ledger_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; over TLS the cookie is Secure
    home = await client.get("/console/")
    assert home.status == 200
    assert "console-" in await home.text() or "tester" in await home.text()
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert home.headers["Referrer-Policy"] == "same-origin"


async def test_a_bad_token_is_refused_in_words_and_sets_no_cookie(client: Client) -> None:
    answer = await client.post(
        "/console/login", data={"token": "not.a.token", "next": "/console/"}, allow_redirects=False
    )
    assert answer.status == 401
    assert "令牌无效" in await answer.text()
    assert "Set-Cookie" not in answer.headers
    empty = await client.post("/console/login", data={"token": " "}, allow_redirects=False)
    assert empty.status == 401 and "请填写访问令牌" in await empty.text()


async def test_sign_in_only_sends_the_browser_to_a_console_page(
    client: Client, issue: Issue
) -> None:
    for target in ("https://evil.example/", "//evil.example/console/", "/v1/units", "/\\evil"):
        answer = await client.post(
            "/console/login",
            data={"token": issue("inspector"), "next": target},
            allow_redirects=False,
        )
        assert answer.headers["Location"] == "/console/", target


async def test_a_post_from_another_site_is_refused(client: Client, issue: Issue) -> None:
    answer = await client.post(
        "/console/login",
        data={"token": issue("inspector")},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert answer.status == 403
    assert "Set-Cookie" not in answer.headers


async def test_sign_out_needs_the_forms_csrf_token_and_ends_the_session(sign_in: SignIn) -> None:
    client = await sign_in("inspector")
    refused = await client.post("/console/logout", data={"csrf": "guess"}, allow_redirects=False)
    assert refused.status == 403
    assert (await client.get("/console/", allow_redirects=False)).status == 200
    page = await (await client.get("/console/")).text()
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    out = await client.post("/console/logout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303 and out.headers["Location"] == "/console/login"
    assert (await client.get("/console/", allow_redirects=False)).status == 303


async def test_search_finds_a_unit_by_name_within_the_callers_jurisdiction(
    world: dict[str, Any], sign_in: SignIn
) -> None:
    client = await sign_in("inspector", unit=UUID(world["jurisdictions"]["city"]))
    page = await (await client.get("/console/search", params={"q": "无锡市人民政府"})).text()
    assert ">无锡市人民政府</a>" in page and "/console/units/" in page
    outside = await (await client.get("/console/search", params={"q": "江苏省司法厅"})).text()
    assert "没有找到" in outside
    empty = await (await client.get("/console/search")).text()
    assert "请输入" in empty


async def test_a_unit_page_shows_the_chain_on_a_day_and_refuses_a_bad_day_by_name(
    world: dict[str, Any], sign_in: SignIn
) -> None:
    client = await sign_in("personnel")
    found = await (
        await client.get("/v1/search", params={"q": "无锡市人民政府", "kind": "unit"})
    ).json()
    unit = found["items"][0]["id"]
    page = await client.get(f"/console/units/{unit}", params={"valid_at": "2021-06-01"})
    text = await page.text()
    assert page.status == 200
    assert "周振华" in text and "主要负责人" in text and "行政执法" in text
    assert "您的角色不查看问题记录" in text  # personnel reads chains, not findings
    bad = await client.get(f"/console/units/{unit}", params={"valid_at": "2021-13-01"})
    assert bad.status == 422
    assert "valid_at" in await bad.text() and "日期格式" in await bad.text()
    missing = await client.get("/console/units/4f7e1f7c-0000-4000-8000-000000000000")
    assert missing.status == 404 and "不在您的管辖范围内" in await missing.text()


async def test_a_role_refused_by_the_policy_is_told_in_words(
    world: dict[str, Any], sign_in: SignIn
) -> None:
    client = await sign_in("integration")
    answer = await client.get(f"/console/units/{world['jurisdictions']['city']}")
    assert answer.status == 403
    text = await answer.text()
    assert "无权进行此操作" in text and "Traceback" not in text


async def test_an_identity_providers_sign_in_page_may_hand_the_token_over(
    settings: Settings, issue: Issue, aiohttp_client: Callable[..., Awaitable[Client]]
) -> None:
    sso = "https://sso.example.gov.cn"
    app = create_app(settings.model_copy(update={"console_signin_origins": [sso]}))
    client = await aiohttp_client(app)
    handed = await client.post(
        "/console/login",
        data={"token": issue("inspector"), "next": "/console/"},
        headers={"Origin": sso},
        allow_redirects=False,
    )
    assert handed.status == 303 and "ledger_session=" in handed.headers["Set-Cookie"]
    other = await client.post(
        "/console/login",
        data={"token": issue("inspector")},
        headers={"Origin": "https://sso.example.com"},
        allow_redirects=False,
    )
    assert other.status == 403


async def test_a_page_view_is_charged_once_to_the_rate_limit_whatever_it_reads(
    world: dict[str, Any],
    settings: Settings,
    issue: Issue,
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    """A city's page reads the API some twenty times; the token pays for the page alone.
    A client that names the console's header without its secret pays for every request."""
    limited = settings.model_copy(update={"rate_limit": 3, "rate_burst": 3})  # 3 a minute
    client = await aiohttp_client(create_app(limited))
    token = issue("inspector", subject="inspector-rate")
    signed = await client.post("/console/login", data={"token": token}, allow_redirects=False)
    assert signed.status == 303
    city = world["jurisdictions"]["city"]
    for _ in range(3):
        assert (await client.get(f"/console/units/{city}")).status == 200
    refused = await client.get(f"/console/units/{city}")
    assert refused.status == 429
    assert "请求过于频繁" in await refused.text()
    other = issue("inspector", subject="inspector-forged")
    forged = {"Authorization": f"Bearer {other}", "X-Ledger-Console": "guess"}
    statuses = [(await client.get("/v1/vocabularies", headers=forged)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
