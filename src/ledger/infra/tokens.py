"""Bearer tokens: JWTs signed with the ledger's Ed25519 key or an identity provider's.

PyJWT verifies them (signature, ``exp``, ``iat``, ``nbf``, issuer, audience). Only
asymmetric algorithms are accepted, so ``alg: none`` and an HMAC forged with a public key
are refused before any key is looked at. An identity provider's keys come from a JWKS (URL
or file), fetched without blocking the event loop and refetched on an unknown ``kid`` at
most once per ``REFETCH_SECONDS``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.domain.access import Principal, Role
from ledger.infra.keyfiles import ed25519_key, write_private
from ledger.infra.settings import Settings

log = structlog.get_logger(__name__)

LOCAL_ALGORITHMS = ["EdDSA"]
PROVIDER_ALGORITHMS = ["EdDSA", "ES256", "ES384", "RS256", "PS256"]
REQUIRED = ["exp", "iat", "sub", "jti", "iss", "aud"]
REFETCH_SECONDS = 30.0
LEEWAY_SECONDS = 30
VERIFIED_KEPT = 10_000  # verified tokens remembered, the oldest forgotten first
ADMIN_TOKEN_FILE = "admin-token"
FIRST_TOKEN_TTL = timedelta(days=30)


class TokenRefused(Exception):
    """The token is not one this ledger accepts; the message says why (no secrets)."""


@dataclass(frozen=True)
class TokenKey:
    private_key: Ed25519PrivateKey
    kid: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


def _kid(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")


def load_token_key(settings: Settings) -> tuple[TokenKey, bool]:
    """The token key, and whether it was created now (then a first admin token is due)."""
    path = settings.token_key_file or settings.data_dir / "token-key.pem"
    key, created = ed25519_key(path, "LEDGER_TOKEN_KEY_FILE" if settings.token_key_file else None)
    return TokenKey(key, _kid(key.public_key())), created


def issue_token(
    key: TokenKey,
    settings: Settings,
    *,
    subject: str,
    role: Role,
    unit: uuid.UUID | None = None,
    name: str | None = None,
    ttl: timedelta | None = None,
    now: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    """A signed token and its claims."""
    issued = now or datetime.now(UTC)
    lifetime = ttl if ttl is not None else timedelta(seconds=settings.token_ttl)
    claims: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": subject,
        "name": name or subject,
        "role": role.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if unit is not None:
        claims["unit"] = str(unit)
    token = jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
    return token, claims


def write_first_admin_token(key: TokenKey, settings: Settings) -> Path:
    """The first admin token (whole ledger, 30 days) in ``<data_dir>/admin-token``, 0600."""
    path = settings.data_dir / ADMIN_TOKEN_FILE
    token, _ = issue_token(key, settings, subject="admin", role=Role.ADMIN, ttl=FIRST_TOKEN_TTL)
    if path.exists():
        path.unlink()
    write_private(path, (token + "\n").encode())
    return path


class KeySet:
    """An identity provider's signing keys by ``kid``, from a JWKS URL or file."""

    def __init__(
        self, url: str | None, file: Path | None, interval: float = REFETCH_SECONDS
    ) -> None:
        self.url = url
        self.file = file
        self.interval = interval
        self.keys: dict[str, Any] = {}
        self.fetches = 0
        self.fetched_at = -interval
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any:
        if kid not in self.keys:
            async with self._lock:
                if kid not in self.keys and time.monotonic() - self.fetched_at >= self.interval:
                    await self.refresh()
        found = self.keys.get(kid)
        if found is None:
            raise TokenRefused(f"the token's key {kid!r} is not among the trusted keys")
        return found

    async def refresh(self) -> None:
        self.fetched_at = time.monotonic()
        self.fetches += 1
        try:
            document = await (self._fetch() if self.url else self._read())
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (OSError, ValueError, aiohttp.ClientError, jwt.PyJWKSetError) as error:
            log.warning("jwks_unavailable", source=self.url or str(self.file), error=str(error))
            return
        self.keys = {k.key_id: k for k in keys if k.key_id}
        log.info("jwks_loaded", source=self.url or str(self.file), keys=len(self.keys))

    async def _fetch(self) -> dict[str, Any]:
        assert self.url is not None
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(self.url) as response,
        ):
            response.raise_for_status()
            return dict(await response.json(content_type=None))

    async def _read(self) -> dict[str, Any]:
        assert self.file is not None
        text = await asyncio.to_thread(self.file.read_text, encoding="utf-8")
        return dict(json.loads(text))


class Verifier:
    """Turns a bearer token into a ``Principal``, or refuses it with the reason."""

    def __init__(self, settings: Settings, key: TokenKey | None) -> None:
        self.settings = settings
        self.local = key
        self.provider = (
            KeySet(settings.jwks_url, settings.jwks_file, settings.jwks_refetch_interval)
            if settings.jwks_url or settings.jwks_file
            else None
        )
        self.revoked: set[str] = set()
        # Tokens whose signature and claims were checked: each request of a session would
        # verify the same signature again. Kept until the token expires; the revocations
        # are checked on every use.
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if time.time() <= expires + LEEWAY_SECONDS:
                return self._unrevoked(principal)
            del self._verified[token]
        principal, expires = await self._decode(token)
        if len(self._verified) >= VERIFIED_KEPT:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, expires)
        return self._unrevoked(principal)

    def _unrevoked(self, principal: Principal) -> Principal:
        if principal.token_id in self.revoked:
            raise TokenRefused("the token has been revoked")
        return principal

    async def _decode(self, token: str) -> tuple[Principal, float]:
        """The token's principal and expiry, its signature and claims checked."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise TokenRefused("the bearer token is not a JWT") from None
        alg, kid = header.get("alg"), header.get("kid")
        if self.local is not None and kid == self.local.kid:
            key: Any = self.local.public_key
            algorithms = LOCAL_ALGORITHMS
        elif self.provider is not None and isinstance(kid, str):
            key = await self.provider.key(kid)
            algorithms = PROVIDER_ALGORITHMS
        else:
            raise TokenRefused("the token is not signed by a trusted key")
        if alg not in algorithms:
            raise TokenRefused(f"the token's algorithm {alg!r} is not accepted")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.settings.token_audience,
                issuer=self.settings.token_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRefused("the token is not valid yet") from None
        except jwt.InvalidTokenError as error:
            raise TokenRefused(f"the token is not valid: {error}") from None
        return principal_of(claims, self.settings.token_claims), float(claims["exp"])


def principal_of(claims: Mapping[str, Any], mapping: Mapping[str, str]) -> Principal:
    """Read the ledger's claims (renamed by ``mapping`` for an identity provider)."""

    def claim(name: str) -> Any:
        return claims.get(mapping.get(name, name))

    try:
        role = Role(claim("role"))
    except ValueError:
        raise TokenRefused(
            "the token's role must be one of: " + ", ".join(r.value for r in Role)
        ) from None
    raw_unit = claim("unit")
    try:
        unit = uuid.UUID(str(raw_unit)) if raw_unit not in (None, "") else None
    except ValueError:
        raise TokenRefused("the token's unit is not a unit id (a UUID)") from None
    subject = str(claim("sub"))
    return Principal(
        subject=subject,
        name=str(claim("name") or subject),
        role=role,
        unit=unit,
        token_id=str(claims["jti"]),
        expires=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )
