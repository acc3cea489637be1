"""The real commands an operator and an auditor run: ledger checkpoint, ledger verify,
and the standalone offline verifier script on what the service exports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from ledger.infra.checkpoints import load_signer
from ledger.infra.verify_target import fingerprint, redacted

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
OFFLINE = Path(__file__).resolve().parents[2] / "src" / "ledger" / "offline.py"


def _run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN / "ledger"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def _audit(folder: Path) -> subprocess.CompletedProcess[str]:
    """The auditor's run of the copied script on the files in ``folder``."""
    script = [sys.executable, "-I", "verify.py", "record", "--key", "key.txt", "record.json"]
    return subprocess.run(script, cwd=folder, capture_output=True, text=True, check=False)


async def test_checkpoint_verify_and_offline_script(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=database_url, LEDGER_DATA_DIR=str(tmp_path / "data"))
    _run(env, "demo")
    note = _run(env, "checkpoint").stdout
    lines = note.splitlines()
    assert lines[0] == "ledger.local/ledger" and int(lines[1]) > 300
    assert lines[3].startswith("chain ") and lines[4].startswith("time ")
    assert lines[5] == "" and lines[6].startswith("— ledger.local/ledger ")

    verified = _run(env, "verify")
    assert "ledger verified" in verified.stdout and "events/s" in verified.stdout
    # It says what it checked: which database, which key.
    database, key_line = verified.stdout.splitlines()[:2]
    assert database == f"database: {redacted(database_url)}"
    signer = load_signer("ledger.local/ledger", None, tmp_path / "data")
    assert key_line == f"key: {fingerprint(signer.verifier_key)} (sha256-ed25519)"

    # The auditor: the public key, a checkpoint and an exported record, with the script
    # alone (standard library + cryptography), outside the project.
    from ledger.infra.database import create_pool
    from ledger.infra.merkle import proof_record

    key = load_signer("ledger.local/ledger", None, tmp_path / "data").verifier_key
    pool = await create_pool(database_url, 1, 2)
    try:
        record = await proof_record(pool, [1, 42, int(lines[1])], int(lines[1]), note)
    finally:
        await pool.close()
    auditor = tmp_path / "auditor"
    auditor.mkdir()
    shutil.copy(OFFLINE, auditor / "verify.py")
    (auditor / "key.txt").write_text(key)
    (auditor / "record.json").write_text(json.dumps(record))
    valid = _audit(auditor)
    assert valid.returncode == 0, valid.stdout + valid.stderr

    # Tampering with a row is named by `ledger verify` and fails the auditor's check.
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                "UPDATE ledger_events SET state = overlay(state placing '\\x20'::bytea"
                " from 3 for 1) WHERE position = 42"
            )
    finally:
        await conn.close()
    caught = _run(env, "verify", ok=False)
    assert "INVALID changed row: position 42" in caught.stdout
    pool = await create_pool(database_url, 1, 2)
    try:
        record = await proof_record(pool, [42], int(lines[1]), note)
    finally:
        await pool.close()
    (auditor / "record.json").write_text(json.dumps(record))
    invalid = _audit(auditor)
    assert invalid.returncode == 1 and "INVALID" in invalid.stdout


async def test_verify_checks_the_access_log(database_url: str, tmp_path: Path) -> None:
    from ledger.infra.accesslog import AccessEntry, record
    from ledger.infra.database import create_pool

    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=database_url, LEDGER_DATA_DIR=str(tmp_path / "data"))
    _run(env, "demo")  # a log to verify, and a checkpoint its key signed
    _run(env, "checkpoint")
    pool = await create_pool(database_url, 1, 2)
    try:
        for n in range(3):
            entry = AccessEntry("审计员", "auditor", "export_csv", "/v1/x", 200, f"r{n}")
            await record(pool, entry)
        head = (await pool.fetchval("SELECT entry_hash FROM access_log WHERE seq = 3")).hex()
    finally:
        await pool.close()
    verified = _run(env, "verify")
    assert f"access log verified: 3 entries, head {head}" in verified.stdout

    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE access_log SET subject = '他人' WHERE seq = 2")
    finally:
        await conn.close()
    caught = _run(env, "verify", ok=False)
    assert "INVALID changed entry: access log entry 2" in caught.stdout
    assert "access log: 1 entry, head" in caught.stderr


def test_verify_refuses_what_does_not_exist_and_a_key_that_signed_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    fresh = tmp_path / "fresh"
    # No data dir: no embedded server is started, nothing is created, exit 2.
    nowhere = _run(env | {"LEDGER_DATA_DIR": str(fresh)}, "verify", ok=False)
    assert nowhere.returncode == 2 and nowhere.stdout == ""
    assert f"no database to verify: {fresh / 'pg'} does not hold one" in nowhere.stderr
    load_signer("ledger.local/ledger", None, fresh)
    no_db = _run(env | {"LEDGER_DATA_DIR": str(fresh)}, "verify", ok=False)
    assert no_db.returncode == 2
    assert f"no database to verify: {fresh / 'pg'} does not hold one" in no_db.stderr
    assert not (fresh / "pg").exists()
    # A ledger, and no key where the data directory says: exit 2, naming where it looked.
    keyless = tmp_path / "keyless"
    at_keyless = env | {"LEDGER_DATABASE_URL": database_url, "LEDGER_DATA_DIR": str(keyless)}
    no_key = _run(at_keyless, "verify", ok=False)
    assert no_key.returncode == 2
    assert f"ledger verify: no signing key at {keyless}" in no_key.stderr

    # An existing ledger with an empty log verifies nothing.
    at_db = env | {"LEDGER_DATABASE_URL": database_url, "LEDGER_DATA_DIR": str(fresh)}
    empty = _run(at_db, "verify", ok=False)
    assert empty.returncode == 2 and "the log in" in empty.stderr and "is empty" in empty.stderr

    # Checkpoints signed by the service's key; verify with another key: refused.
    _run(at_db, "demo")
    _run(at_db, "checkpoint")
    other = load_signer("ledger.local/ledger", None, tmp_path / "other").verifier_key
    wrong = _run(at_db, "verify", "--key", other, ok=False)
    assert wrong.returncode == 2
    assert "signed none of the stored checkpoints" in wrong.stderr
    assert "Traceback" not in wrong.stderr + empty.stderr + no_db.stderr + nowhere.stderr
    assert "Traceback" not in no_key.stderr
