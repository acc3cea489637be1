"""`make bench` at a hundredth of its size: every section runs to its figure, so a change
that breaks a benchmark fails here, not in the next person's `make bench`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"
SECTIONS = (
    "A ",
    "E1 ",
    "C-reg ",
    "P-cu ",
    "L-raise ",
    "L-loop ",
    "L-open ",
    "V-verify ",
    "Q-rec ",
    "C-batch ",
    "W-one ",
)


def test_every_benchmark_section_runs(server_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_BENCH_DATABASE_URL"] = server_url
    done = subprocess.run(
        [sys.executable, str(BENCH), "--scale", "0.01", "--repeat", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "did not run" not in done.stdout, done.stdout
    rows = [line for line in done.stdout.splitlines() if line[:1].isupper()]
    for section in SECTIONS:
        assert any(row.startswith(section) for row in rows), f"no figure {section.strip()}"
