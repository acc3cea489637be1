"""A real `ledger serve` with the demo loaded, for journeys a user takes in the console.

``ledger demo`` loads the demo into a fresh database of the test server and prints a token
per role; ``ledger serve --port 0`` then serves it on a port it chooses and names on its
first line. Both are the commands a user runs, as processes of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class Demo:
    url: str
    tokens: dict[str, str]
    units: dict[str, str]
    output: list[str] = field(default_factory=list)  # what the server printed


def _environment(
    database_url: str, data_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    return (
        os.environ
        | (extra or {})
        | {
            "LEDGER_DATABASE_URL": database_url,
            "LEDGER_DATA_DIR": str(data_dir),
            "LEDGER_PROJECTION_POLL_INTERVAL": "0.2",
            "LEDGER_CHECKPOINT_INTERVAL": "0.5",
            "LEDGER_LOG_LEVEL": "warning",
        }
    )


def load(database_url: str, data_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    done = subprocess.run(
        [str(BIN / "ledger"), "demo"],
        env=_environment(database_url, data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ledger demo failed: {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    tokens = {role: held["token"] for role, held in summary["tokens"].items()}
    return tokens, summary["jurisdictions"]


def serve(
    database_url: str, data_dir: Path, extra: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str, list[str]]:
    """``extra``: more settings (``LEDGER_*``) for this server."""
    process = subprocess.Popen(
        [str(BIN / "ledger"), "serve", "--port", "0"],
        env=_environment(database_url, data_dir, extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            if line.startswith("serving on "):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    if not started.wait(60):
        process.kill()
        raise RuntimeError("ledger serve did not start: " + "\n".join(lines[-20:]))
    url = next(line for line in lines if line.startswith("serving on "))[len("serving on ") :]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return process, url, lines
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("ledger serve never became ready: " + "\n".join(lines[-20:]))


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    if process.stdout is not None:
        process.stdout.close()
