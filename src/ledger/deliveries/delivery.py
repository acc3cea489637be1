"""One delivery: the receiver's host checked, the body signed as Standard Webhooks says
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>`` with a
shared ``whsec_`` secret, or ``v1a,<base64 Ed25519>`` with a ``whsk_`` key whose ``whpk_``
public key the receiver holds), posted, and the answer judged: delivered, retry (when,
honouring ``Retry-After``), gone.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import ipaddress
import random
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from standardwebhooks.webhooks import Webhook

from ledger.infra.settings import Settings


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes it: ``whsec_`` and 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_key_pair() -> tuple[str, str]:
    """An Ed25519 signing key (``whsk_``, kept sealed) and its public key (``whpk_``, the
    receiver's), each the raw 32 bytes in base64."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "whsk_" + base64.b64encode(private).decode(), "whpk_" + base64.b64encode(public).decode()


def signature(secret: str, msg_id: str, at: datetime, payload: str) -> str:
    """``v1,…`` under a ``whsec_`` secret, ``v1a,…`` under a ``whsk_`` key: both sign
    ``{msg_id}.{timestamp}.{payload}``."""
    if secret.startswith("whsk_"):
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(secret[len("whsk_") :]))
        signed = key.sign(f"{msg_id}.{int(at.timestamp())}.{payload}".encode())
        return "v1a," + base64.b64encode(signed).decode()
    return Webhook(secret).sign(msg_id, at, payload)


def message_id(webhook_id: object, position: int) -> str:
    """The same for every attempt of a delivery: receivers de-duplicate by it."""
    return f"msg_{getattr(webhook_id, 'hex', webhook_id)}_{position}"


class TargetRefused(Exception):
    """A URL the operator did not allow, or an address inside the network."""


def host_of(url: str) -> tuple[str, str]:
    """(host, host:port as allowed) of an http(s) URL; TargetRefused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise TargetRefused("the URL must not carry a user or password")
    host = parts.hostname.lower()
    return host, f"{host}:{parts.port}" if parts.port else host


def check_allowed(url: str, settings: Settings) -> None:
    host, with_port = host_of(url)
    allowed = {h.lower() for h in settings.webhook_allow}
    if host not in allowed and with_port not in allowed:
        raise TargetRefused(
            f"{with_port} is not among the hosts webhooks may be sent to (LEDGER_WEBHOOK_ALLOW)"
        )


async def check_addresses(url: str, settings: Settings) -> None:
    """Refuse loopback, link-local, private and unspecified addresses unless allowed."""
    if settings.webhook_allow_loopback:
        return
    host, _ = host_of(url)
    port = urlsplit(url).port or (443 if url.startswith("https") else 80)
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_, address in found:
        _check_outside(host, str(address[0]))


def _check_outside(host: str, address: str) -> None:
    ip = ipaddress.ip_address(address)
    if ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_unspecified:
        raise TargetRefused(f"{host} resolves to {ip}, inside the network")


class OutsideOnly(ThreadedResolver):
    """The deliverer's resolver: the addresses a delivery connects to are the ones checked.

    ``check_addresses`` before a delivery says why a subscription is disabled; but a name
    may resolve to another address a moment later (DNS rebinding: public when checked,
    internal when connected). The connection resolves through this, which refuses an
    address inside the network there and then, so no answer of the DNS reaches one.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.allow_inside = settings.webhook_allow_loopback

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await super().resolve(host, port, family)
        if not self.allow_inside:
            for result in found:
                try:
                    _check_outside(host, result["host"])
                except TargetRefused as refused:
                    raise OSError(errno.EPERM, str(refused)) from None
        return found


def session(settings: Settings) -> aiohttp.ClientSession:
    """The deliverer's HTTP client: it connects only to addresses outside the network."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=OutsideOnly(settings)))


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None = None
    error: str | None = None
    gone: bool = False  # 410: the receiver asks for no more
    retry_after: float | None = None


def sign(secret: str, msg_id: str, at: datetime, payload: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature(secret, msg_id, at, payload),
        "content-type": "application/json",
    }


async def post(
    http: aiohttp.ClientSession, url: str, secret: str, msg_id: str, payload: str, limit: float
) -> Outcome:
    """One attempt; ``limit``: the seconds the receiver has to answer."""
    headers = sign(secret, msg_id, datetime.now(UTC), payload)
    try:
        async with http.post(
            url,
            data=payload.encode(),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=limit),
            allow_redirects=False,
        ) as answer:
            await answer.read()
            if 200 <= answer.status < 300:
                return Outcome(True, answer.status)
            return Outcome(
                False,
                answer.status,
                f"answered {answer.status}",
                gone=answer.status == 410,
                retry_after=_seconds(answer.headers.get("Retry-After")),
            )
    except TimeoutError:
        return Outcome(False, None, f"no answer within {limit:g} s")
    except aiohttp.ClientError as error:
        return Outcome(False, None, f"{type(error).__name__}: {error}"[:500])


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the back-off stands


def backoff(attempts: int, settings: Settings, retry_after: float | None) -> float:
    """Seconds before the next attempt: exponential with full jitter, or what the receiver
    asked (``Retry-After``), never beyond the configured longest wait."""
    if retry_after is not None:
        return min(retry_after, settings.webhook_backoff_max)
    doubled: float = settings.webhook_backoff * 2.0 ** max(0, attempts - 1)
    ceiling = min(doubled, settings.webhook_backoff_max)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter, not a secret
