"""`ledger verify` finds what it checks without creating it: an existing database holding
a ledger, an existing key that signed its checkpoints; and names both as it prints them."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.infra.checkpoints import Signer, load_signer, make_checkpoint
from ledger.infra.settings import Settings
from ledger.infra.verify_target import (
    NothingToVerify,
    check_key_signed,
    existing_verifier,
    fingerprint,
    open_existing,
    redacted,
)
from tests.conftest import with_database

ORIGIN = "ledger.local/ledger"


def test_the_url_is_printed_without_its_password() -> None:
    url = "postgresql://auditor:s3cret@db.example:5432/ledger?sslmode=require&password=s3cret"
    shown = redacted(url)
    assert "s3cret" not in shown
    assert shown.startswith("postgresql://auditor:***@db.example:5432/ledger?")
    assert "sslmode=require" in shown
    assert redacted("postgresql://db.example/ledger") == "postgresql://db.example/ledger"


def test_the_key_is_named_by_the_sha256_of_its_public_key(tmp_path: Path) -> None:
    signer = load_signer(ORIGIN, None, tmp_path)
    digest = hashlib.sha256(signer.public_key).hexdigest()
    assert fingerprint(signer.verifier_key) == f"{ORIGIN}, public key sha256:{digest}"


def test_no_key_is_made_when_none_exists(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(NothingToVerify, match="no signing key at"):
        existing_verifier(settings, None)
    assert not (tmp_path / "data").exists()
    with pytest.raises(NothingToVerify, match="not a verifier key"):
        existing_verifier(settings, "not-a-key")
    signer = load_signer(ORIGIN, None, tmp_path / "data")
    assert existing_verifier(settings, None) == signer.verifier_key
    key_file = tmp_path / "key.txt"
    key_file.write_text(signer.verifier_key + "\n")
    assert existing_verifier(settings, str(key_file)) == signer.verifier_key


async def test_an_embedded_data_dir_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(NothingToVerify, match="no database to verify"):
        await open_existing(Settings(data_dir=tmp_path / "nowhere"))
    assert not (tmp_path / "nowhere").exists()


async def test_only_an_existing_database_holding_a_ledger_is_opened(
    database_url: str, server_url: str
) -> None:
    target = await open_existing(Settings(database_url=database_url))
    await target.pool.close()
    assert target.database == redacted(database_url)

    missing = with_database(server_url, f"ledger_missing_{uuid.uuid4().hex[:8]}")
    with pytest.raises(NothingToVerify, match="does not exist"):
        await open_existing(Settings(database_url=missing))

    bare = f"ledger_bare_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{bare}"')
        with pytest.raises(NothingToVerify, match="holds no ledger"):
            await open_existing(Settings(database_url=with_database(server_url, bare)))
        conn = await asyncpg.connect(with_database(server_url, bare))
        try:  # and it still holds none: nothing was migrated
            assert await conn.fetchval("SELECT to_regclass('ledger_events')") is None
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{bare}" WITH (FORCE)')
        await admin.close()


async def test_a_key_that_signed_none_of_the_checkpoints_is_refused(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    service = load_signer(ORIGIN, None, tmp_path)
    stranger = Signer(ORIGIN, Ed25519PrivateKey.generate())
    await check_key_signed(pool, stranger.verifier_key)  # no checkpoint yet: nothing to hold
    await make_checkpoint(pool, service)
    await check_key_signed(pool, service.verifier_key)
    with pytest.raises(NothingToVerify, match="signed none of the stored checkpoints") as refused:
        await check_key_signed(pool, stranger.verifier_key)
    assert service.key_id.hex() in str(refused.value)
