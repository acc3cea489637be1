"""The real `ledger import`: a file of history in, its rate out; again, nothing new; a bad
file, every refused line on standard error and nothing written; `ledger verify` after."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.test_commands import _run
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
