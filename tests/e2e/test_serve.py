"""End to end: the real `ledger serve` on its own embedded PostgreSQL, over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

LEDGER = Path(sys.executable).with_name("ledger")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_TOKENS: dict[str, str] = {}  # base URL -> the first admin token the service wrote


def _login(base: str, data_dir: Path) -> str:
    """The first admin token: written by the service on its first start, mode 0600."""
    path = data_dir / "admin-token"
    assert path.stat().st_mode & 0o777 == 0o600
    _TOKENS[base] = path.read_text().strip()
    return _TOKENS[base]


def _call(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if base in _TOKENS:
        headers["Authorization"] = f"Bearer {_TOKENS[base]}"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_DATA_DIR=str(data_dir), LEDGER_PORT=str(port))
    return subprocess.Popen(
        [str(LEDGER), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            status, _ = _call(base, "GET", "/readyz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("ledger serve did not become ready")


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


def _postmaster_running(data_dir: Path) -> bool:
    pid_file = data_dir / "pg" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().splitlines()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_register_assign_chain_and_restart(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(tmp_path, port)
    try:
        _wait_ready(base, process)
        _login(base, tmp_path)
        status, unit = _call(
            base,
            "POST",
            "/v1/units",
            {"name": "苏州市人民政府", "kind": "government", "level": "municipal"},
        )
        assert status == 201
        _, person = _call(base, "POST", "/v1/persons", {"name": "陈立"})
        status, assignment = _call(
            base,
            "POST",
            "/v1/assignments",
            {
                "unit_id": unit["id"],
                "person_id": person["id"],
                "role": "principal",
                "principal_title": "government_head",
                "title": "市长",
                "effective_from": "2022-01-10",
            },
        )
        assert status == 201
        status, chain = _call(
            base,
            "GET",
            f"/v1/units/{unit['id']}/chain?valid_at=2023-01-01"
            f"&min_position={assignment['position']}",
        )
        assert status == 200
        assert chain["chain"][0]["person_name"] == "陈立"
        status, problem = _call(base, "POST", "/v1/units", {"name": ""})
        assert status == 422 and problem["errors"]
    finally:
        stderr = _stop(process)
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    requests = [entry for entry in lines if entry.get("event") == "request"]
    assert requests and all("request_id" in r and "duration_ms" in r for r in requests)
    assert not any("陈立" in line for line in stderr.splitlines()), "personal data in logs"
    assert not _postmaster_running(tmp_path), "the embedded server outlived the service"

    # A second start reuses the data.
    process = _start(tmp_path, port)
    try:
        _wait_ready(base, process)
        status, again = _call(base, "GET", f"/v1/units/{unit['id']}?min_position=3")
        assert status == 200 and again["name"] == "苏州市人民政府"
    finally:
        _stop(process)


EXAMPLES = Path(__file__).resolve().parents[2] / "api" / "examples"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the published examples use curl")
def test_the_published_examples_run_against_the_service(tmp_path: Path) -> None:
    """`api/examples/*.sh` are the documentation an integrator copies: they must work."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(tmp_path, port)
    outputs = {}
    try:
        _wait_ready(base, process)
        for script in ("chain.sh", "loop.sh"):
            done = subprocess.run(
                ["bash", str(EXAMPLES / script)],
                env={**os.environ, "LEDGER_URL": base, "LEDGER_DATA_DIR": str(tmp_path)},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
            outputs[script] = [json.loads(line) for line in done.stdout.splitlines() if line]
        done = subprocess.run(
            [sys.executable, str(EXAMPLES / "integrate.py")],
            env={**os.environ, "LEDGER_URL": base, "LEDGER_DATA_DIR": str(tmp_path), "RUN": "e2e"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        integrated = json.loads(done.stdout.splitlines()[-1])
    finally:
        _stop(process)
    assert outputs["chain.sh"][-1]["chain"][0]["person_name"] == "李华"
    finding, report, reference = outputs["loop.sh"][-3:]
    assert (finding["stage"], finding["outcome"]) == ("closed", "rectified")
    assert {r["liability"] for r in finding["responsible_then"]} == {"principal", "leadership"}
    assert report["totals"]["closed"] == 2
    assert integrated == {
        "counts": {"created": 3, "already_received": 0, "conflicting": 0, "rejected": 0},
        "already_received": True,
        "found": "JS12345-e2e-1",
        "refused": [["types", "enum"]],
        "followed": ["JS12345-e2e-0", "JS12345-e2e-1", "JS12345-e2e-2"],
    }
    [sanction] = reference["accountability"][0]["sanctions"]
    assert (sanction["original_kind"], sanction["kind"], sanction["state"]) == (
        "government_sanction",
        "admonishment_talk",
        "modified",
    )


def test_serve_on_a_port_in_use_ends_with_one_line_before_anything_starts(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update(LEDGER_DATA_DIR=str(tmp_path / "data"), LEDGER_PORT=str(port))
        done = subprocess.run(
            [str(LEDGER), "serve"], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert lines == [f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"]
    # Nothing was started or made: no signing key, no database.
    assert not (tmp_path / "data").exists()
