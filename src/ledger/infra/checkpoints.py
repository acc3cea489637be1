"""Signed checkpoints (C2SP signed-note format) of the Merkle tree, and the signing key."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.infra import sm2
from ledger.infra.eventlog import EventLog
from ledger.infra.keyfiles import ed25519_key, sm2_key
from ledger.infra.merkle import Tree, extend_all
from ledger.offline import (
    ED25519_TYPE,
    SHA256_ED25519,
    SM2_TYPE,
    SM3_SM2,
    Checkpoint,
    NoteSigner,
    key_id,
    sign_note,
    verifier_key,
)

log = structlog.get_logger(__name__)


class SM2NoteKey:
    """An SM2 key in the system OpenSSL (``infra.sm2``) as a note signer (the offline
    verifier's ``NoteSigner``: a key in a hardware security module would stand here)."""

    kind = SM2_TYPE

    def __init__(self, key: sm2.SM2PrivateKey) -> None:
        self.key = key
        self._public = key.public_key()

    def public_bytes(self) -> bytes:
        return self._public

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message)


@dataclass(frozen=True)
class Signer:
    """The key that signs checkpoints, under the log's origin name: Ed25519, or SM2 for a
    ledger in SM mode."""

    name: str
    private_key: Ed25519PrivateKey | NoteSigner

    @property
    def kind(self) -> bytes:
        """The note signature type (``offline.ED25519_TYPE`` or ``offline.SM2_TYPE``)."""
        if isinstance(self.private_key, Ed25519PrivateKey):
            return ED25519_TYPE
        return self.private_key.kind

    @property
    def public_key(self) -> bytes:
        if isinstance(self.private_key, Ed25519PrivateKey):
            return self.private_key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        return self.private_key.public_bytes()

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key, self.kind)

    @property
    def verifier_key(self) -> str:
        return verifier_key(self.name, self.public_key, self.kind)


def load_signer(
    name: str, key_file: Path | None, data_dir: Path, crypto: str = SHA256_ED25519
) -> Signer:
    """Read the signing key (PEM, PKCS#8: Ed25519, or SM2 for an SM ledger), or create one
    in the data directory (``signing-key.pem``, ``signing-key-sm2.pem``)."""
    setting = "LEDGER_SIGNING_KEY_FILE" if key_file else None
    if crypto == SM3_SM2:
        path = key_file or data_dir / "signing-key-sm2.pem"
        made, created = sm2_key(path, setting)
        signer = Signer(name, SM2NoteKey(made))
    else:
        path = key_file or data_dir / "signing-key.pem"
        key, created = ed25519_key(path, setting)
        signer = Signer(name, key)
    if not created:
        return signer
    log.warning("signing_key_generated", path=str(path), verifier_key=signer.verifier_key)
    return signer


async def make_checkpoint(pool: asyncpg.Pool, signer: Signer) -> str:
    """Extend the tree to the head of the log and sign its head; returns the note."""
    await extend_all(pool)
    tree = Tree(pool)
    size = await tree.size()
    root = await tree.root(size)
    seal = await EventLog(pool).seal(size)
    chain, when = seal if seal else (bytes(32), datetime.fromtimestamp(0, UTC))
    checkpoint = Checkpoint(
        origin=signer.name,
        size=size,
        root=root,
        extensions=(
            f"chain {base64.b64encode(chain).decode()}",
            f"time {when.astimezone(UTC).isoformat().replace('+00:00', 'Z')}",
        ),
    )
    note = sign_note(checkpoint.body(), signer.name, signer.private_key)
    await pool.execute(
        "INSERT INTO ledger_checkpoints (size, key_id, root, chain_hash, note)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        size,
        signer.key_id,
        root,
        chain,
        note,
    )
    return str(await checkpoint_of_size(pool, signer.key_id, size))


async def latest_checkpoint(pool: asyncpg.Pool, key: bytes) -> tuple[int, str] | None:
    """The size and note of the largest checkpoint signed by ``key``."""
    row = await pool.fetchrow(
        "SELECT size, note FROM ledger_checkpoints WHERE key_id = $1 ORDER BY size DESC LIMIT 1",
        key,
    )
    return (int(row["size"]), str(row["note"])) if row else None


async def checkpoint_of_size(pool: asyncpg.Pool, key: bytes, size: int) -> str | None:
    """The note of the checkpoint ``key`` signed at tree size ``size``, if there is one."""
    note = await pool.fetchval(
        "SELECT note FROM ledger_checkpoints WHERE size = $1 AND key_id = $2", size, key
    )
    return str(note) if note is not None else None


async def checkpoint_page(
    pool: asyncpg.Pool, key: bytes, *, before: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` checkpoints signed by ``key`` below tree size ``before``, newest
    (largest) first, each its ``size``, ``created_at`` and ``note``; and whether more follow."""
    rows = await pool.fetch(
        "SELECT size, created_at, note FROM ledger_checkpoints"
        " WHERE key_id = $1 AND size < $2 ORDER BY size DESC LIMIT $3",
        key,
        before,
        limit + 1,
    )
    return [dict(r) for r in rows[:limit]], len(rows) > limit
