"""The real commands on a ledger in SM mode: `ledger demo` and `ledger import` with
LEDGER_CRYPTO=sm, `ledger checkpoint`, then `ledger verify` with no LEDGER_CRYPTO (it reads
the ledger's algorithms from the database), a start set otherwise refused, and the
auditor's copied script checking an SM record; a changed row named by `ledger verify`."""

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
from ledger.infra.database import create_pool
from ledger.infra.merkle import proof_record
from ledger.offline import SM3_SM2, parse_key
from tests.integration.test_import import history

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
OFFLINE = Path(__file__).resolve().parents[2] / "src" / "ledger" / "offline.py"


def run(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN / "ledger"), *args], env=env, capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def audit(folder: Path) -> subprocess.CompletedProcess[str]:
    """The auditor's run of the copied script on the files in ``folder``."""
    script = [sys.executable, "-I", "verify.py", "record", "--key", "key.txt", "record.json"]
    return subprocess.run(script, cwd=folder, capture_output=True, text=True, check=False)


async def test_sm_ledger_commands_and_the_auditors_script(
    database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATABASE_URL=database_url, LEDGER_DATA_DIR=str(tmp_path / "data"))
    sm = env | {"LEDGER_CRYPTO": "sm"}
    run(sm, "demo")
    note = run(sm, "checkpoint").stdout
    size = int(note.splitlines()[1])
    assert size > 300 and (tmp_path / "data" / "signing-key-sm2.pem").exists()

    # An import's bulk append: its SM3 links computed under the head lock, as an append's.
    lines = history()
    file = tmp_path / "history.jsonl"
    file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    summary = json.loads(run(sm, "import", str(file), "--actor", "operator:sm").stdout)
    assert summary["lines"] == len(lines) and summary["events"] > len(lines)
    note = run(sm, "checkpoint").stdout
    size = int(note.splitlines()[1])

    verified = run(env, "verify")  # no LEDGER_CRYPTO: the database says
    assert f"ledger verified: {size:,} events" in verified.stdout
    assert "ledger verified" in verified.stdout
    assert "SM2 public key sm3:" in verified.stdout and "(sm3-sm2)" in verified.stdout
    refused = run(env, "migrate", ok=False)  # a start set otherwise than its ledger
    assert "this ledger's algorithms are sm3-sm2" in refused.stderr

    pool = await create_pool(database_url, 1, 2)
    try:
        record = await proof_record(pool, [1, 42, size], size, note)
    finally:
        await pool.close()
    assert record["crypto"] == "sm3-sm2"
    verifier = load_signer("ledger.local/ledger", None, tmp_path / "data", SM3_SM2).verifier_key
    assert parse_key(verifier).crypto == SM3_SM2
    auditor = tmp_path / "auditor"
    auditor.mkdir()
    shutil.copy(OFFLINE, auditor / "verify.py")
    (auditor / "key.txt").write_text(verifier)
    (auditor / "record.json").write_text(json.dumps(record))
    audited = audit(auditor)
    assert audited.returncode == 0, audited.stdout + audited.stderr

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
    caught = run(env, "verify", ok=False)
    assert "INVALID changed row: position 42" in caught.stdout
