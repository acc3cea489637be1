"""A command run as a process of its own, its peak memory read from /proc while it runs."""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float  # VmHWM: the process's own peak resident set
    seconds: float


def run_measured(command: list[str], env: dict[str, str], every: float = 0.05) -> Ran:
    """Run ``command``, reading its VmHWM every ``every`` seconds until it ends. Not
    ``ru_maxrss`` of the children: that counts the pages of this process forked into the
    child before it executes the command."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        peak = 0
        while True:
            peak = max(peak, vm_hwm_kb(process.pid))  # read before poll() reaps it
            if process.poll() is not None:
                break
            time.sleep(every)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Ran(
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            peak / 1024,
            seconds,
        )


def vm_hwm_kb(pid: int) -> int:
    """The process's peak resident set (VmHWM, kB); 0 once it has none (exited)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
