"""A closed-loop load generator, and a real `ledger serve` process to point it at.

``closed_loop`` runs ``CLIENTS`` coroutines at once, each issuing its next request as soon
as its last one is answered, for a warm-up and then a measured window. A request counts
when it ends inside the window: its latency is kept, or it is an error (an HTTP answer
outside 2xx, a refused connection, a database error). The rate is the requests counted
over the window's length.

``Served`` starts `ledger serve` (the console script beside ``sys.executable``) on a free
port of loopback, with its log in a file, and stops it with SIGINT (then SIGKILL).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from figures import percentile

CLIENTS = 32
WARMUP = 1.0  # seconds of load before the window opens
LEDGER = Path(sys.executable).with_name("ledger")
STOP_WAIT = 20.0  # seconds `ledger serve` has to stop after SIGINT


@dataclass
class Tally:
    """One repetition: the latencies of the requests counted (seconds), and the failures."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


class Window:
    """The measured window of one closed-loop run: what ended inside it is counted."""

    def __init__(self, duration: float, warmup: float = WARMUP) -> None:
        self.opens = time.perf_counter() + warmup
        self.closes = self.opens + duration
        self.tally = Tally(duration)

    @property
    def running(self) -> bool:
        return time.perf_counter() < self.closes

    def record(self, began: float, failure: str | None) -> None:
        """One request, started at ``began`` (``perf_counter``); ``failure`` says why it
        failed, or is None."""
        ended = time.perf_counter()
        if not self.opens <= ended <= self.closes:
            return
        if failure is None:
            self.tally.latencies.append(ended - began)
            return
        self.tally.errors += 1
        self.tally.first_error = self.tally.first_error or failure

    async def call(
        self, session: aiohttp.ClientSession, method: str, url: str, **options: Any
    ) -> bytes | None:
        """One HTTP request, timed and counted; its body when the answer is 2xx, else None."""
        began = time.perf_counter()
        try:
            async with session.request(method, url, **options) as answer:
                body = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            self.record(began, f"{method} {url}: {error!r}")
            return None
        if 200 <= answer.status < 300:
            self.record(began, None)
            return body
        self.record(began, f"{answer.status} {method} {url}: {body[:300].decode(errors='replace')}")
        return None


Step = Callable[[int, Window], Awaitable[None]]


async def closed_loop(step: Step, duration: float, clients: int = CLIENTS) -> Tally:
    """``clients`` coroutines, each calling ``step(its index, window)`` over and over until
    the window closes; ``step`` times its requests through the window."""
    window = Window(duration, min(WARMUP, duration / 2))

    async def client(index: int) -> None:
        while window.running:
            await step(index, window)

    await asyncio.gather(*(client(i) for i in range(clients)))
    return window.tally


@dataclass
class Summary:
    """Every repetition's requests together: p50 and p99 (ms; None when none succeeded),
    how many succeeded, how many failed and the first failure."""

    p50: float | None
    p99: float | None
    count: int
    errors: int
    first_error: str | None

    def __str__(self) -> str:
        if self.p50 is None or self.p99 is None:
            return f"no request answered, {self.errors} errors"
        return (
            f"p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms over {self.count:,} requests,"
            f" {self.errors} errors"
        )


def summary(tallies: list[Tally]) -> Summary:
    latencies = [s for t in tallies for s in t.latencies]
    errors = sum(t.errors for t in tallies)
    first = next((t.first_error for t in tallies if t.first_error), None)
    if not latencies:
        return Summary(None, None, 0, errors, first)
    p50, p99 = (1000 * percentile(latencies, p) for p in (50, 99))
    return Summary(p50, p99, len(latencies), errors, first)


def connector() -> aiohttp.TCPConnector:
    """Keep-alive connections, enough for every client at once."""
    return aiohttp.TCPConnector(limit=2 * CLIENTS, limit_per_host=2 * CLIENTS)


class Served:
    """A `ledger serve` process with ``env`` (merged over this process's environment
    without its LEDGER_ variables), listening on a free port of 127.0.0.1."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        self.env |= env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def __aenter__(self) -> Served:
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                str(LEDGER),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                env=self.env,
                stdout=out,
                stderr=out,
            )
        try:
            self.url = await self._listening()
            await self._ready()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def _listening(self, within: float = 120.0) -> str:
        """The base URL the process says it serves on."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            said = re.search(r"serving on (http://\S+)", self.log_tail())
            if said:
                return said.group(1)
            assert self.process is not None
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"ledger serve did not start: {self.log_tail()}")

    async def _ready(self, within: float = 120.0) -> None:
        """Wait for /readyz to answer 200."""
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{self.url}/readyz") as answer:
                        if answer.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"ledger serve not ready: {self.log_tail()}")

    def log_tail(self, size: int = 3000) -> str:
        return self.log.read_bytes()[-size:].decode(errors="replace")

    def memory_mb(self) -> tuple[float, float]:
        """Peak (VmHWM) and current (VmRSS) resident memory of the process, MB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        sizes = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.MULTILINE))
        return int(sizes["VmHWM"]) / 1024, int(sizes["VmRSS"]) / 1024

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), STOP_WAIT)
        except TimeoutError:
            process.kill()
            await process.wait()
