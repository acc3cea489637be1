"""Token revocations: written once to the database, read by every API process."""

from __future__ import annotations

import asyncpg


async def revoke(pool: asyncpg.Pool, jti: str, by: str, reason: str | None = None) -> bool:
    """Revoke the token ``jti``; False if it was revoked already."""
    status = await pool.execute(
        "INSERT INTO token_revocations (jti, revoked_by, reason) VALUES ($1, $2, $3)"
        " ON CONFLICT (jti) DO NOTHING",
        jti,
        by,
        reason,
    )
    return bool(status.endswith(" 1"))


class RevocationList:
    """The revoked ``jti``s this process knows, read incrementally by ``seq``."""

    def __init__(self, revoked: set[str]) -> None:
        self.revoked = revoked  # shared with the verifier, updated in place
        self.seen = 0

    async def refresh(self, pool: asyncpg.Pool) -> int:
        """Read revocations past the last one seen; returns how many were new."""
        rows = await pool.fetch(
            "SELECT seq, jti FROM token_revocations WHERE seq > $1 ORDER BY seq", self.seen
        )
        for row in rows:
            self.revoked.add(row["jti"])
            self.seen = row["seq"]
        return len(rows)
