"""The real `ledger import`: a file of history in, its rate out; again, nothing new; a bad
file, every refused line on standard error and nothing written; `ledger verify` after."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import asyncpg
import pytest

from ledger.demo.province import write_province
from tests.e2e.test_commands import LEDGER, _env, _run
from tests.integration.test_import import history

pytestmark = pytest.mark.e2e


async def test_import_again_and_refused_then_verify(database_url: str, tmp_path: Path) -> None:
    lines = history()
    file = tmp_path / "history.jsonl"
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    file.write_text(text, "utf-8")
    done = _run(database_url, "import", str(file), "--actor", "operator:e2e")
    summary = json.loads(done.stdout)
    assert (summary["lines"], summary["skipped"], summary["transactions"]) == (len(lines), 0, 1)
    assert summary["events"] > len(lines) and summary["events_per_second"] > 0
    assert f"{len(lines)} lines imported" in done.stderr and "events/s" in done.stderr

    again = json.loads(_run(database_url, "import", str(file)).stdout)
    assert (again["lines"], again["skipped"], again["events"]) == (0, len(lines), 0)

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "person", "key": "p-new", "create": {}}\n\n{oops\n', "utf-8")
    refused = _run(database_url, "import", str(bad), check=False)
    assert refused.returncode == 1
    assert "line 1, create.name: Field required" in refused.stderr
    assert "line 3: not valid JSON" in refused.stderr
    assert "2 line(s) refused: nothing was written" in refused.stderr

    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM ledger_events") == summary["events"]
    finally:
        await conn.close()
    _run(database_url, "checkpoint")
    verified = _run(database_url, "verify")  # exits 0: the seal, tree and checkpoint hold
    assert f"ledger verified: {summary['events']} events" in verified.stdout


async def test_an_import_killed_midway_leaves_nothing_and_runs_again(
    database_url: str, tmp_path: Path
) -> None:
    """kill -9 while the rows are being copied: the one transaction dies with the process,
    the log and its head are as they were, and the same file then imports whole."""
    file = tmp_path / "province.jsonl"
    lines = write_province(file, scale=0.03)
    env = _env(database_url)
    started = await asyncio.create_subprocess_exec(
        str(LEDGER),
        "import",
        str(file),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(600):  # until the import's transaction has copied rows
            copied = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%ledger_events%'"
            )
            if copied or started.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert started.returncode is None, "the import ended before it could be killed"
        started.send_signal(signal.SIGKILL)
        await asyncio.wait_for(started.wait(), 30)
        assert await conn.fetchval("SELECT count(*) FROM ledger_events") == 0
        assert await conn.fetchval("SELECT position FROM ledger_head") == 0
        again = json.loads(_run(database_url, "import", str(file)).stdout)
        assert (again["lines"], again["skipped"]) == (lines, 0)
        assert await conn.fetchval("SELECT count(*) FROM ledger_events") == again["events"]
    finally:
        await conn.close()
