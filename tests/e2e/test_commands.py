"""The real `ledger` command against a test database: demo, project, rebuild, migrate."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import jwt
import pytest

from ledger.domain.access import Role

pytestmark = pytest.mark.e2e

LEDGER = Path(sys.executable).with_name("ledger")
DATA_DIR = Path(tempfile.gettempdir()) / f"ledger-e2e-{os.getpid()}"


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_DATABASE_URL"] = database_url
    env["LEDGER_DATA_DIR"] = str(DATA_DIR)  # the token key: never in the checkout
    env["LEDGER_PROJECTION_POLL_INTERVAL"] = "0.2"
    return env


def _run(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(LEDGER), *args],
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 or not check, done.stderr
    return done


async def _tracked(database_url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(database_url)
    try:
        head = await conn.fetchval("SELECT position FROM ledger_head")
        tracked = await conn.fetchval(
            "SELECT position FROM projection_tracking WHERE name = 'chain_v1'"
        )
        return int(head), int(tracked)
    finally:
        await conn.close()


async def test_demo_is_idempotent_and_worker_catches_up(database_url: str) -> None:
    first = json.loads(_run(database_url, "demo").stdout)
    assert first["events"] > 300 and first["units"] >= 25
    second = json.loads(_run(database_url, "demo").stdout)
    assert second["events"] == 0 and second["head"] == first["head"]
    # One token per role, scoped to the demo's city (the unit officer to its bureau).
    claims = {
        role: jwt.decode(given["token"], options={"verify_signature": False})
        for role, given in second["tokens"].items()
    }
    assert {c["role"] for c in claims.values()} == {r.value for r in Role}
    assert "unit" not in claims["admin"]
    assert claims["unit_officer"]["unit"] == second["jurisdictions"]["bureau"]
    assert claims["discipline"]["unit"] == second["jurisdictions"]["city"]

    head, tracked = await _tracked(database_url)
    assert (head, tracked) == (first["head"], 0)
    worker = await asyncio.create_subprocess_exec(
        str(LEDGER), "project", env=_env(database_url), stderr=asyncio.subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        # polling the database: another process moves the position
        while (await _tracked(database_url))[1] < head and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(worker.communicate(), timeout=30)
    assert worker.returncode == 0, stderr.decode()
    assert (await _tracked(database_url))[1] == head

    rebuilt = _run(database_url, "projections", "rebuild")
    assert f"chain_v1: {head} events replayed" in rebuilt.stderr
    assert (await _tracked(database_url))[1] == head


def test_migrate_is_repeatable(database_url: str) -> None:
    for _ in range(2):
        assert "schema is up to date" in _run(database_url, "migrate").stderr


def test_openapi_command_prints_the_document(database_url: str) -> None:
    document = json.loads(_run(database_url, "openapi").stdout)
    assert "/v1/units/{id}/chain" in document["paths"]


async def test_token_issue_prints_the_token_last_and_revoke_refuses_it(database_url: str) -> None:
    issued = _run(
        database_url,
        "token",
        "issue",
        "--role",
        "inspector",
        "--subject",
        "周督察",
        "--unit",
        "6f1c1a52-4a55-4c55-9a4e-1d1f1c1a5200",
        "--expires",
        "2h",
    )
    token = issued.stdout.strip().splitlines()[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["role"], claims["sub"], claims["exp"] - claims["iat"]) == (
        "inspector",
        "周督察",
        7200,
    )
    assert claims["unit"] == "6f1c1a52-4a55-4c55-9a4e-1d1f1c1a5200"
    everywhere = _run(database_url, "token", "issue", "--role", "auditor", "--subject", "a")
    assert "unit" not in jwt.decode(
        everywhere.stdout.strip().splitlines()[-1], options={"verify_signature": False}
    )
    for bad in (["--role", "root"], ["--expires", "forever"], ["--unit", "市政府"]):
        args = ["token", "issue", "--role", "inspector", "--subject", "x", *bad]
        done = _run(database_url, *args, check=False)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert _run(database_url, "token", "revoke", claims["jti"]).stdout.startswith("revoked")
    again = _run(database_url, "token", "revoke", claims["jti"])
    assert "already revoked" in again.stdout
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT jti FROM token_revocations") == claims["jti"]
    finally:
        await conn.close()
