"""What `ledger verify` checks, found without creating anything: the database (an existing
embedded data directory or an existing external database holding a ledger) and the key
(an existing signing key or the verifier key given), named as the command prints them.

Verifying must never create what it verifies: a fresh embedded server, an empty schema or
a new signing key would "verify" an empty log, or find every checkpoint badly signed.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.infra import sm2
from ledger.infra.crypto import CHOICES
from ledger.infra.database import EMBEDDED_DATABASE, create_pool, embedded_url, start_embedded
from ledger.infra.settings import Settings
from ledger.offline import (
    SM2_TYPE,
    SM3_SM2,
    NoteError,
    parse_key,
    parse_verifier_key,
    sm3,
    verifier_key,
)

# The tables `ledger verify` reads: without them the database holds no ledger.
_TABLES = ("ledger_events", "ledger_seal", "ledger_head", "ledger_checkpoints", "merkle_nodes")


class NothingToVerify(Exception):
    """Raised when the database or the key to verify against does not exist, or the key
    signed none of the stored checkpoints: nothing was verified."""


@dataclass(frozen=True)
class Target:
    pool: asyncpg.Pool
    server: Any  # the embedded server's handle, kept while verifying
    database: str  # as printed: the URL without its password, or the embedded data dir


def redacted(url: str) -> str:
    """``url`` without a password, in the authority or the query."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    query = urlencode(
        [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(parts.query)]
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def fingerprint(verifier: str) -> str:
    """The verifier key's name and the hash of its public key (SHA-256 for Ed25519, SM3 for
    SM2): what it was checked by."""
    key = parse_key(verifier)
    if key.kind == SM2_TYPE:
        return f"{key.name}, SM2 public key sm3:{sm3(key.public).hex()}"
    return f"{key.name}, public key sha256:{hashlib.sha256(key.public).hexdigest()}"


def existing_verifier(settings: Settings, given: str | None, crypto: str | None = None) -> str:
    """The verifier key given (the key, or a file holding it), else the signing key's:
    Ed25519, or SM2 for a ledger whose algorithms (``crypto``, else the setting's) are SM."""
    if given is not None:
        text = Path(given).read_text().strip() if Path(given).is_file() else given.strip()
        try:
            parse_verifier_key(text)
        except NoteError as error:
            raise NothingToVerify(f"--key is not a verifier key: {error}") from None
        return text
    crypto = crypto or CHOICES[settings.crypto]
    default = "signing-key-sm2.pem" if crypto == SM3_SM2 else "signing-key.pem"
    path = settings.signing_key_file or settings.data_dir / default
    if not path.is_file():
        raise NothingToVerify(
            f"no signing key at {path}: set LEDGER_SIGNING_KEY_FILE or LEDGER_DATA_DIR to the"
            " service's, or give its verifier key with --key"
        )
    if crypto == SM3_SM2:
        try:
            point = sm2.load_private_key_pem(path.read_bytes()).public_key()
        except ValueError as error:
            raise NothingToVerify(f"{path} does not hold an SM2 private key: {error}") from None
        return verifier_key(settings.origin, point, SM2_TYPE)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NothingToVerify(f"{path} does not hold an Ed25519 private key")
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return verifier_key(settings.origin, raw)


async def open_existing(settings: Settings) -> Target:
    """A pool on the ledger's database, if it exists and holds a ledger; nothing created."""
    server = None
    if settings.database_url:
        url, database = settings.database_url, redacted(settings.database_url)
    else:
        data = settings.data_dir.expanduser().resolve() / "pg"
        database = f"embedded PostgreSQL in {data}"
        if not (data / "PG_VERSION").is_file():
            raise NothingToVerify(f"no database to verify: {data} does not hold one")
        server = await asyncio.to_thread(start_embedded, settings.data_dir)
        url = embedded_url(server, EMBEDDED_DATABASE)
    try:
        pool = await create_pool(url, 1, 2)
    except (asyncpg.InvalidCatalogNameError, asyncpg.InvalidAuthorizationSpecificationError):
        raise NothingToVerify(f"no database to verify: {database} does not exist") from None
    missing = [t for t in _TABLES if await pool.fetchval("SELECT to_regclass($1)", t) is None]
    if missing:
        await pool.close()
        raise NothingToVerify(f"{database} holds no ledger (no {', '.join(missing)})")
    return Target(pool, server, database)


async def check_key_signed(pool: asyncpg.Pool, verifier: str) -> None:
    """Raised when checkpoints are stored and the key signed none of them."""
    _, key_id, _ = parse_verifier_key(verifier)
    signers = {bytes(r["key_id"]) for r in await pool.fetch(_SIGNERS)}
    if signers and key_id not in signers:
        others = ", ".join(sorted(s.hex() for s in signers))
        raise NothingToVerify(
            f"the key {key_id.hex()} signed none of the stored checkpoints (signed by key id"
            f" {others}): this is not the service's key; give its verifier key with --key"
        )


_SIGNERS = "SELECT DISTINCT key_id FROM ledger_checkpoints"
