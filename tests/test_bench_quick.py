"""`bench/run.py --quick`: every section of the bench runs at a small size and writes its
results to bench/results/quick.json, and only there.

SLOW: about half a minute on 2 cores (it starts its own embedded PostgreSQL and runs every
benchmark section). It runs in `make test` on purpose: a change that breaks a benchmark
fails here, not in the next person's `make bench`.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "bench" / "run.py"
RESULTS = ROOT / "bench" / "results"
KEYS = {"name", "value", "unit", "baseline", "ratio", "p50_ms", "p99_ms"}
# The one documented reason a figure may not run (bench/README.md): baseline B needs
# psycopg (the `dev` extra) for eventsourcing.postgres; without it, its rows say "not run"
# and why (the exception's name first) and the rest runs. Any other error fails the test.
OPTIONAL = {"B", "B8", "B100"}
MISSING_MODULE = ("ModuleNotFoundError:", "ImportError:")


def _sections() -> list[str]:
    """The names in run.py's SECTIONS, read from its source (importing it would put bench/
    on this process's path, where its modules' names could shadow others)."""
    for node in ast.parse(RUN.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SECTIONS" for t in node.targets
        ):
            assert isinstance(node.value, ast.Dict)
            return [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
    raise AssertionError("run.py has no SECTIONS")


def _stamp(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


def _allowed(figure: dict[str, Any]) -> bool:
    return figure["name"] in OPTIONAL and str(figure["error"]).startswith(MISSING_MODULE)


def _run_quick() -> dict[str, Any]:
    """Run the quick bench as `make bench` would, return what it wrote to quick.json."""
    untouched = [ROOT / "BENCHMARKS.md", RESULTS / "latest.json"]
    before = [_stamp(path) for path in untouched]
    started = datetime.now().astimezone() - timedelta(seconds=2)
    # The app's settings read LEDGER_* variables: only the bench's own server may pass.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LEDGER_") or k == "LEDGER_BENCH_DATABASE_URL"
    }
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=360,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quick:      true" in done.stdout
    assert [_stamp(path) for path in untouched] == before, "a quick run wrote a real run's files"
    result: dict[str, Any] = json.loads((RESULTS / "quick.json").read_text(encoding="utf-8"))
    assert datetime.fromisoformat(result["started_at"]) >= started, "quick.json is not this run's"
    return result


def test_quick_bench_runs_every_section_and_writes_quick_json() -> None:
    # Slow (about half a minute): see the module's docstring.
    result = _run_quick()
    assert result["quick"] is True
    assert result["wall_seconds"] > 0
    assert {"cores", "cpu", "kernel", "postgresql", "libraries"} <= set(result["machine"])
    figures = result["figures"]
    names = {f["name"] for f in figures}
    for figure in figures:
        assert set(figure) >= KEYS, figure
        if "error" in figure:
            assert figure["value"] is None
            assert _allowed(figure), f"{figure['name']} did not run: {figure['error']}"
            continue
        assert isinstance(figure["value"], int | float), figure
        assert figure["baseline"] is None or figure["baseline"] in names, figure
        assert (figure["ratio"] is None) == (figure["baseline"] is None), figure
    ran = {f["section"] for f in figures if "error" not in f}
    missing = [name for name in _sections() if name not in ran]
    assert missing == [], f"sections with no figure in the quick run: {missing}"
