"""Identity: every request but the open ones needs a verified JWT, which names the actor.

Token attacks (alg none, HMAC keyed with the public key, wrong issuer or audience,
expired, not yet valid, unknown key, a forged role), the first admin token, revocation
seen by two app instances, and an identity provider's keys rotating behind a JWKS URL.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.api.app import create_app
from ledger.infra.revocations import revoke
from ledger.infra.settings import Settings
from ledger.infra.tokens import LEEWAY_SECONDS, TokenRefused, Verifier, load_token_key
from tests.conftest import Issue, bearer, log_count

AiohttpClient = Callable[..., Awaitable[TestClient[Any, Any]]]
PERSON = {"name": "赵敏"}


@pytest.fixture
async def anon(settings: Settings, aiohttp_client: AiohttpClient) -> TestClient[Any, Any]:
    """The real app, with no token sent unless a request carries one."""
    return await aiohttp_client(create_app(settings))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(settings: Settings, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": "mallory",
        "name": "mallory",
        "role": "admin",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(settings: Settings, **over: Any) -> str:
    key, _ = load_token_key(settings)
    return jwt.encode(
        _claims(settings, **over), key.private_key, algorithm="EdDSA", headers={"kid": key.kid}
    )


def _unsigned(settings: Settings) -> str:
    key, _ = load_token_key(settings)
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": key.kid}).encode())
    return f"{header}.{_b64(json.dumps(_claims(settings)).encode())}."


def _hmac_with_public_key(settings: Settings) -> str:
    key, _ = load_token_key(settings)
    public = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    body = _b64(json.dumps(_claims(settings)).encode())
    mac = hmac.new(public, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(mac)}"


def _other_key_same_kid(settings: Settings) -> str:
    key, _ = load_token_key(settings)
    return jwt.encode(
        _claims(settings), Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": key.kid}
    )


ATTACKS: dict[str, Callable[[Settings], str]] = {
    "alg-none": _unsigned,
    "hmac-keyed-with-the-public-key": _hmac_with_public_key,
    "signed-by-another-key": _other_key_same_kid,
    "wrong-issuer": lambda s: _signed(s, iss="someone-else"),
    "wrong-audience": lambda s: _signed(s, aud="another-service"),
    "expired": lambda s: _signed(s, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "not-yet-valid": lambda s: _signed(s, nbf=int(time.time()) + 3600),
    "issued-in-the-future": lambda s: _signed(s, iat=int(time.time()) + 3600),
    "no-expiry": lambda s: _signed(s, exp=None),
    "no-jti": lambda s: _signed(s, jti=None),
    "unknown-role": lambda s: _signed(s, role="superuser"),
    "unit-not-a-uuid": lambda s: _signed(s, unit="市政府"),
    "not-a-jwt": lambda s: "s3cret",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_a_forged_or_stale_token_answers_401_and_writes_nothing(
    anon: TestClient[Any, Any], settings: Settings, pool: asyncpg.Pool, attack: str
) -> None:
    before = await log_count(pool)
    token = ATTACKS[attack](settings)
    response = await anon.post("/v1/persons", json=PERSON, headers=bearer(token))
    assert response.status == 401, await response.text()
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem = await response.json()
    assert problem["status"] == 401 and problem["detail"]
    assert await log_count(pool) == before


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer ", "Basic czNjcmV0", "tok"])
async def test_no_bearer_token_answers_401(
    anon: TestClient[Any, Any], authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in (("GET", "/v1/units"), ("GET", "/v1/events"), ("POST", "/v1/persons")):
        response = await anon.request(method, path, json=PERSON, headers=headers)
        assert response.status == 401, (path, await response.text())
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_open_endpoints_need_no_token(anon: TestClient[Any, Any]) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs", "/metrics"):
        assert (await anon.get(path)).status == 200, path
    assert (await anon.get("/v1/ledger/public-key")).status == 200


async def test_the_token_subject_is_the_actor_whatever_the_headers_say(
    anon: TestClient[Any, Any], issue: Issue
) -> None:
    auth = bearer(issue("personnel", subject="hr-clerk-7")) | {"X-Actor": "someone-else"}
    created = await anon.post("/v1/persons", json=PERSON, headers=auth)
    assert created.status == 201, await created.text()
    admin = bearer(issue("admin"))
    feed = await (await anon.get("/v1/events", headers=admin)).json()
    assert [item["actor"] for item in feed["items"]] == ["hr-clerk-7"]


async def test_a_role_the_policy_does_not_name_answers_403_and_writes_nothing(
    anon: TestClient[Any, Any], issue: Issue, pool: asyncpg.Pool
) -> None:
    before = await log_count(pool)
    response = await anon.post("/v1/persons", json=PERSON, headers=bearer(issue("auditor")))
    assert response.status == 403
    problem = await response.json()
    assert problem["errors"][0]["field"] == "role" and "auditor" in problem["detail"]
    assert await log_count(pool) == before


async def test_first_start_writes_an_admin_token_readable_by_the_owner_only(
    settings: Settings, aiohttp_client: AiohttpClient
) -> None:
    path = settings.data_dir / "admin-token"
    assert not path.exists()
    client = await aiohttp_client(create_app(settings))
    assert path.stat().st_mode & 0o777 == 0o600
    token = path.read_text().strip()
    answer = await client.post("/v1/persons", json=PERSON, headers=bearer(token))
    assert answer.status == 201
    # A second start keeps the key, and does not write the token again.
    path.unlink()
    await aiohttp_client(create_app(settings))
    assert not path.exists()
    assert (await client.get("/v1/units", headers=bearer(token))).status == 200


async def test_a_revoked_token_is_refused_by_every_instance_within_seconds(
    settings: Settings, aiohttp_client: AiohttpClient, pool: asyncpg.Pool, issue: Issue
) -> None:
    fast = settings.model_copy(update={"revocation_poll_interval": 0.1})
    first = await aiohttp_client(create_app(fast))
    second = await aiohttp_client(create_app(fast))
    token = issue("inspector", subject="inspector-9")
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    for client in (first, second):
        assert (await client.get("/v1/units", headers=bearer(token))).status == 200
    assert await revoke(pool, jti, "admin", "lost laptop")
    assert not await revoke(pool, jti, "admin")  # once is enough
    deadline = time.monotonic() + 5
    statuses: list[int] = []
    while time.monotonic() < deadline:
        statuses = [
            (await c.get("/v1/units", headers=bearer(token))).status for c in (first, second)
        ]
        if statuses == [401, 401]:
            break
        await asyncio.sleep(0.05)
    assert statuses == [401, 401]
    other = issue("inspector", subject="inspector-10")
    assert (await first.get("/v1/units", headers=bearer(other))).status == 200


def _jwk(key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": kid, "use": "sig"}


async def test_identity_provider_keys_rotate_behind_a_jwks_url(
    settings: Settings, aiohttp_client: AiohttpClient
) -> None:
    """A local JWKS server: tokens of its current key pass; after rotation a token with the
    new kid makes the service refetch (at most once per interval); the old key is gone."""
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    served = {"keys": [_jwk(old, "k1")]}
    hits: list[float] = []

    async def jwks(_: web.Request) -> web.Response:
        hits.append(time.monotonic())
        return web.json_response(served)

    provider = web.Application()
    provider.router.add_get("/jwks.json", jwks)
    server = TestServer(provider)
    await server.start_server()
    try:
        idp = settings.model_copy(
            update={
                "jwks_url": str(server.make_url("/jwks.json")),
                "token_issuer": "https://sso.gov.example",
                "jwks_refetch_interval": 0.5,
                "token_claims": {"role": "ledger_role", "unit": "org"},
            }
        )
        client = await aiohttp_client(create_app(idp))

        def token(key: Ed25519PrivateKey, kid: str) -> str:
            claims = _claims(idp, sub="wang.wei", ledger_role="inspector", role=None)
            return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})

        assert (await client.get("/v1/units", headers=bearer(token(old, "k1")))).status == 200
        assert len(hits) == 1
        served["keys"] = [_jwk(new, "k2")]  # the provider rotates
        # Within the interval an unknown kid does not refetch.
        assert (await client.get("/v1/units", headers=bearer(token(new, "k2")))).status == 401
        assert len(hits) == 1
        await asyncio.sleep(0.6)
        assert (await client.get("/v1/units", headers=bearer(token(new, "k2")))).status == 200
        assert len(hits) == 2
        # The refetched set no longer holds k1: its tokens are refused from now on.
        assert (await client.get("/v1/units", headers=bearer(token(old, "k1")))).status == 401
    finally:
        await server.close()


async def test_closed_metrics_take_an_admin_or_auditor_token(
    settings: Settings, aiohttp_client: AiohttpClient, issue: Issue
) -> None:
    closed = await aiohttp_client(create_app(settings.model_copy(update={"metrics_public": False})))
    assert (await closed.get("/metrics")).status == 401
    assert (await closed.get("/metrics", headers=bearer(issue("inspector")))).status == 403
    for role in ("admin", "auditor"):
        assert (await closed.get("/metrics", headers=bearer(issue(role)))).status == 200, role
    assert (await closed.get("/healthz")).status == 200  # the other open ones stay open


async def test_a_verified_token_is_remembered_until_it_expires_and_revocations_still_count(
    settings: Settings,
) -> None:
    """The verifier keeps the tokens it verified (a session's requests need not verify the
    signature each time), but never past their expiry, and never past a revocation."""
    key, _ = load_token_key(settings)
    verifier = Verifier(settings, key)
    token = _signed(settings, role="auditor")
    decoded: list[str] = []
    decode = verifier._decode

    async def counted(text: str) -> Any:
        decoded.append(text)
        return await decode(text)

    verifier._decode = counted  # type: ignore[method-assign]
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first and decoded == [token]  # remembered
    principal, _ = verifier._verified[token]
    verifier._verified[token] = (principal, time.time() - LEEWAY_SECONDS - 1)  # expired
    assert await verifier.verify(token) == first and decoded == [token, token]  # checked again
    verifier.revoked.add(first.token_id)
    with pytest.raises(TokenRefused, match="revoked"):
        await verifier.verify(token)
    with pytest.raises(TokenRefused, match="not a JWT"):
        await verifier.verify("not.a.token")
