"""Webhook subscriptions and deliveries in the database (``sql/0005_webhooks.sql``).

A subscription's signing secret must be readable to sign, so it cannot be hashed: it is
stored sealed (AES-256-GCM under a key derived from the PII key with HKDF, its own
purpose), so that a copy of the database alone forges no delivery.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SEALED = "aesgcm:v1:"


def _aead(key: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ledger webhook secrets v1"
    ).derive(key)
    return AESGCM(derived)


def seal(key: bytes, secret: str) -> str:
    """The secret as stored: sealed under ``key`` (the PII key), bound to its purpose."""
    nonce = os.urandom(12)
    sealed = _aead(key).encrypt(nonce, secret.encode(), b"webhook secret")
    return _SEALED + base64.b64encode(nonce + sealed).decode()


def unseal(key: bytes, stored: str) -> str:
    """The secret to sign with (a value stored unsealed is taken as it is)."""
    if not stored.startswith(_SEALED):
        return stored
    raw = base64.b64decode(stored[len(_SEALED) :])
    return _aead(key).decrypt(raw[:12], raw[12:], b"webhook secret").decode()


_COLUMNS = (
    "id, url, types, unit_id, jurisdiction, owner, role, status, status_reason, cursor,"
    " created_at, updated_at, scheme, public_key"
)


@dataclass(frozen=True)
class Subscription:
    id: UUID
    url: str
    types: list[str] | None
    unit_id: UUID | None
    jurisdiction: UUID | None
    owner: str
    role: str
    status: str
    status_reason: str | None
    cursor: int
    created_at: datetime
    updated_at: datetime
    scheme: str = "v1"  # v1: HMAC with a shared secret; v1a: Ed25519, the receiver's public key
    public_key: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "types": self.types,
            "unit_id": self.unit_id,
            "status": self.status,
            "status_reason": self.status_reason,
            "cursor": self.cursor,
            "owner": self.owner,
            "created_at": self.created_at,
            "scheme": self.scheme,
            "public_key": self.public_key,
        }


def _subscription(row: asyncpg.Record) -> Subscription:
    return Subscription(**{k: v for k, v in dict(row).items() if k != "secret"})


async def create(pool: asyncpg.Pool, subscription: Subscription, secret: str) -> Subscription:
    row = await pool.fetchrow(
        "INSERT INTO webhooks (id, url, types, unit_id, jurisdiction, owner, role, secret,"
        " cursor, scheme, public_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        f" RETURNING {_COLUMNS}",
        subscription.id,
        subscription.url,
        subscription.types,
        subscription.unit_id,
        subscription.jurisdiction,
        subscription.owner,
        subscription.role,
        secret,
        subscription.cursor,
        subscription.scheme,
        subscription.public_key,
    )
    return _subscription(row)


async def get(pool: asyncpg.Pool, webhook_id: UUID) -> Subscription | None:
    row = await pool.fetchrow(
        f"SELECT {_COLUMNS} FROM webhooks WHERE id = $1 AND status <> 'deleted'", webhook_id
    )
    return _subscription(row) if row else None


async def listed(pool: asyncpg.Pool) -> list[Subscription]:
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM webhooks WHERE status <> 'deleted' ORDER BY created_at, id"
    )
    return [_subscription(r) for r in rows]


async def active(pool: asyncpg.Pool) -> list[tuple[Subscription, str]]:
    """The subscriptions to deliver to, with their secrets."""
    rows = await pool.fetch(f"SELECT {_COLUMNS}, secret FROM webhooks WHERE status = 'active'")
    return [(_subscription(r), str(r["secret"])) for r in rows]


async def set_status(
    pool: asyncpg.Pool, webhook_id: UUID, status: str, reason: str | None = None
) -> Subscription | None:
    row = await pool.fetchrow(
        "UPDATE webhooks SET status = $2, status_reason = $3, updated_at = now()"
        f" WHERE id = $1 AND status <> 'deleted' RETURNING {_COLUMNS}",
        webhook_id,
        status,
        reason,
    )
    return _subscription(row) if row else None


async def rotate(
    pool: asyncpg.Pool, webhook_id: UUID, secret: str, public_key: str | None = None
) -> Subscription | None:
    """A new secret (or key, and its public key) for the subscription, of the same scheme."""
    row = await pool.fetchrow(
        "UPDATE webhooks SET secret = $2, public_key = $3, updated_at = now()"
        f" WHERE id = $1 AND status <> 'deleted' RETURNING {_COLUMNS}",
        webhook_id,
        secret,
        public_key,
    )
    return _subscription(row) if row else None


async def rewind(pool: asyncpg.Pool, webhook_id: UUID, cursor: int) -> Subscription | None:
    """Deliver again everything after ``cursor`` (same message ids: receivers de-duplicate)."""
    row = await pool.fetchrow(
        "UPDATE webhooks SET cursor = LEAST(cursor, $2), updated_at = now()"
        f" WHERE id = $1 AND status <> 'deleted' RETURNING {_COLUMNS}",
        webhook_id,
        cursor,
    )
    return _subscription(row) if row else None


async def advance(pool: asyncpg.Pool, webhook_id: UUID, position: int) -> None:
    await pool.execute(
        "UPDATE webhooks SET cursor = GREATEST(cursor, $2) WHERE id = $1", webhook_id, position
    )


async def due(pool: asyncpg.Pool, webhook_id: UUID, limit: int = 1) -> list[asyncpg.Record]:
    """The first pending deliveries (in position order): new ones, retries or replays."""
    return list(
        await pool.fetch(
            "SELECT position, attempts, next_at FROM webhook_deliveries"
            " WHERE webhook_id = $1 AND status = 'pending' ORDER BY position LIMIT $2",
            webhook_id,
            limit,
        )
    )


async def delivered(
    pool: asyncpg.Pool, webhook_id: UUID, answers: Sequence[tuple[int, int]]
) -> None:
    """Deliveries the receiver took, (position, its status) each: one statement for many."""
    if answers:
        await pool.execute(
            "UPDATE webhook_deliveries d SET status = 'delivered', attempts = d.attempts + 1,"
            " last_status = a.status, last_error = NULL, updated_at = now()"
            " FROM unnest($2::bigint[], $3::int[]) AS a(position, status)"
            " WHERE d.webhook_id = $1 AND d.position = a.position",
            webhook_id,
            [p for p, _ in answers],
            [status for _, status in answers],
        )


async def pend(pool: asyncpg.Pool, webhook_id: UUID, positions: Sequence[int]) -> None:
    """Deliveries to make (again): pending, no attempt yet, due now."""
    await pool.execute(
        "INSERT INTO webhook_deliveries (webhook_id, position, status)"
        " SELECT $1, unnest($2::bigint[]), 'pending'"
        " ON CONFLICT (webhook_id, position) DO UPDATE SET status = 'pending', attempts = 0,"
        " next_at = now(), last_status = NULL, last_error = NULL, updated_at = now()",
        webhook_id,
        list(positions),
    )


async def attempted(
    pool: asyncpg.Pool,
    webhook_id: UUID,
    position: int,
    status: str,
    answer: int | None,
    error: str | None,
    next_at: datetime | None = None,
) -> None:
    await pool.execute(
        "UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1,"
        " last_status = $4, last_error = $5, next_at = COALESCE($6, next_at), updated_at = now()"
        " WHERE webhook_id = $1 AND position = $2",
        webhook_id,
        position,
        status,
        answer,
        error,
        next_at,
    )


async def deliveries(
    pool: asyncpg.Pool, webhook_id: UUID, status: str | None, after: int, limit: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT position, status, attempts, next_at, last_status, last_error, updated_at"
        " FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2)"
        " AND position > $3 ORDER BY position LIMIT $4",
        webhook_id,
        status,
        after,
        limit,
    )
    return [dict(r) for r in rows]


async def replay_one(pool: asyncpg.Pool, webhook_id: UUID, position: int) -> bool:
    """A delivery made again (a dead letter, or one the receiver lost)."""
    done = await pool.execute(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_at = now(),"
        " updated_at = now() WHERE webhook_id = $1 AND position = $2",
        webhook_id,
        position,
    )
    return bool(done.endswith(" 1"))
