"""The API under load: a real `ledger serve` over loopback HTTP, 32 clients at once.

The database holds a generated province (`ledger import`, read models caught up). Its
Merkle tree is extended to the head first (as a running sealer keeps it), so that the
server's start does not build it, and the database is vacuumed and analyzed, as
autovacuum does soon after an import (right after one, with no statistics yet, the
conditional appends of H-loop crawl). Then `ledger serve` runs as its own process (the
defaults but no rate limit: a pool of 10 connections, the projection worker and the
sealer in process) and this process is the load generator: one aiohttp session with
keep-alive connections, 32 clients in a closed loop (each sends its next request when
its last is answered), 1 s of warm-up, then a window of max(2, 10 × ``scale``) seconds
(below ``scale`` 0.05, as ``--quick`` runs, 0.25 s and 0.5 s: it checks, it does not measure).
A request counts when it ends inside the window; any answer outside 2xx is an error,
and a line with errors says so instead of a rate. Before each run the server is let
settle: its read models and tree at the head of the log. The generator shares the
machine's cores with the server and PostgreSQL. Rates are one per repetition, the
repetitions interleaved (round 1 runs each scenario once, then round 2, …); the p50 and
p99 in each note are over every request of every repetition.

- H-raw:     the baseline of the commands: raw asyncpg, 32 connections, each a loop of
             one-row transactions appending to a hash-chained table (a one-row head updated
             and locked by the statement, `sha256(previous ‖ payload)`, ~400 bytes of JSON)
             in a fresh database of its own on the same server;
- H-cmd:     `POST /v1/clues`, one new clue a request (an `integration` token), ref H-raw;
- H-loop:    whole closed loops over HTTP, each client on a unit of its own, one of the
             32 targets of an inspection planned and started through the API first: raise
             a finding (inspector), plan its rectification and report it complete (unit
             officer), verify and close it (inspector); every command counts, ref H-raw;
- H-health:  `GET /healthz`: the HTTP floor, the baseline of the reads;
- H-chain:   `GET /v1/units/{id}/chain?valid_at=` of a random unit at a random day of the
             province's years (an `auditor` token, as every read here), ref H-health;
- H-finding: `GET /v1/findings/{id}` of a random finding, ref H-health;
- H-search:  `GET /v1/findings?unit_id=&include_subunits=true` of a random city (a
             municipal party committee), the first page of 50, ref H-health;
- H-pref:    `GET /v1/persons/{id}/evaluation-reference` of a principal a finding was
             attributed to, for that finding's year, with `X-Access-Purpose` (each read
             also appends to the access log), ref H-health;
- H-open:    `GET /v1/reports/open-loop?unit_id=` of the province's root, the first page,
             ref H-health;
- H-rss:     the peak resident memory (VmHWM) of the `ledger serve` process at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import structlog
from databases import with_database
from figures import Figure, table
from loadgen import CLIENTS, Served, Step, Tally, Window, closed_loop, connector, summary

from ledger.domain.access import Role
from ledger.infra.database import create_pool
from ledger.infra.merkle import extend_all
from ledger.infra.settings import Settings
from ledger.infra.tokens import issue_token, load_token_key
from ledger.projections.registry import PROJECTIONS

SETTLE_WITHIN = 600.0  # seconds the server may take to catch up after a run
RAW_APPEND = (
    "WITH h AS (UPDATE raw_head SET position = position + 1,"
    " chain_hash = sha256(chain_hash || $1::bytea) RETURNING position, chain_hash)"
    " INSERT INTO raw_chain SELECT position, $1, chain_hash FROM h"
)
RAW_SCHEMA = (
    "CREATE TABLE raw_head (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
    " position bigint NOT NULL, chain_hash bytea NOT NULL);"
    " INSERT INTO raw_head VALUES (true, 0, '\\x00'::bytea);"
    " CREATE TABLE raw_chain (position bigint PRIMARY KEY, payload bytea NOT NULL,"
    " chain_hash bytea NOT NULL)"
)
SETTLED = (
    "SELECT (SELECT position FROM ledger_head) AS head,"
    " (SELECT coalesce(max(size), 0) FROM merkle_head) AS tree,"
    " (SELECT coalesce(min(position), 0) FROM projection_tracking WHERE name = ANY($1)) AS read"
)
PURPOSE = "bench%20load%20test"  # X-Access-Purpose, percent-encoded


@dataclass
class Province:
    """What the reads ask for, sampled from the read models."""

    root: str
    units: list[str]
    days: list[date]
    findings: list[str]
    cities: list[str]
    principals: list[tuple[str, int]]  # a person and a year they answered for a finding


@dataclass
class Target:
    """A unit of the load's inspection and its principal (who owns its plans)."""

    unit: str
    principal: str


@dataclass
class Scenario:
    """One line: how a client takes its next step, and every repetition's tally."""

    figure: Figure
    step: Step
    tallies: list[Tally] = field(default_factory=list)

    async def once(self, duration: float) -> None:
        tally = await closed_loop(self.step, duration)
        self.tallies.append(tally)
        self.figure.rates.append(tally.rate)

    def finish(self) -> Figure:
        """The figure with its latencies (note, and ``p50_ms``/``p99_ms`` where the
        figure has them) and its errors."""
        done = summary(self.tallies)
        self.figure.note = "\n".join(filter(None, [self.figure.note, str(done)]))
        names = {f.name for f in dataclasses.fields(self.figure)}
        for name, value in (("p50_ms", done.p50), ("p99_ms", done.p99)):
            if name in names:
                setattr(self.figure, name, value)
        if done.errors:
            total = done.count + done.errors
            self.figure.error = (
                f"{done.errors} of {total} requests failed; first: {done.first_error}"
            )
        return self.figure


class Api:
    """The served API: its base URL, the shared session and a token per role."""

    def __init__(self, base: str, session: aiohttp.ClientSession, settings: Settings) -> None:
        self.base = base
        self.session = session
        key, _ = load_token_key(settings)
        self.tokens = {
            role: issue_token(key, settings, subject=f"bench-{role.value}", role=role)[0]
            for role in (Role.INSPECTOR, Role.UNIT_OFFICER, Role.INTEGRATION, Role.AUDITOR)
        }

    def headers(self, role: Role, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    async def call(
        self, window: Window, method: str, path: str, role: Role | None, **options: Any
    ) -> bytes | None:
        extra = options.pop("headers", {})
        headers = self.headers(role, **extra) if role else extra
        return await window.call(
            self.session, method, f"{self.base}{path}", headers=headers, **options
        )

    async def command(self, path: str, role: Role, body: dict[str, Any]) -> dict[str, Any]:
        """A setup command outside any window; raises unless 2xx."""
        url = f"{self.base}{path}"
        async with self.session.post(url, json=body, headers=self.headers(role)) as answer:
            if not 200 <= answer.status < 300:
                raise RuntimeError(f"{path}: {answer.status} {await answer.text()}")
            result: dict[str, Any] = await answer.json()
            return result


async def http_load(url: str, scale: float, reps: int, say: Callable[[str], None]) -> list[Figure]:
    """The H lines (see the module's docstring) on the province in ``url``."""
    # Below --scale 0.05 (--quick, the tests) half a second: enough to see every request
    # answered, not a figure.
    duration = max(2.0, 10 * scale) if scale >= 0.05 else 0.5
    pool = await create_pool(url, 1, 2)
    try:
        say("http load: sampling the province, extending its Merkle tree, VACUUM ANALYZE")
        province = await sample_province(pool)
        await extend_all(pool)
        await _execute(url, "VACUUM ANALYZE")  # no command timeout: long on a large province
        with tempfile.TemporaryDirectory(prefix="ledger-bench-http-") as folder:
            settings = Settings(
                database_url=url,
                data_dir=Path(folder),
                rate_limit=0,
                log_level="warning",
                token_key_file=None,
            )
            return await _served(settings, pool, province, duration, reps, say)
    finally:
        await pool.close()


async def _served(
    settings: Settings,
    pool: asyncpg.Pool,
    province: Province,
    duration: float,
    reps: int,
    say: Callable[[str], None],
) -> list[Figure]:
    """Start the server and the raw baseline's database, run the rounds, stop them."""
    load_token_key(settings)  # the key exists before the server starts: it signs with it
    env = {
        "LEDGER_DATABASE_URL": str(settings.database_url),
        "LEDGER_DATA_DIR": str(settings.data_dir),
        "LEDGER_RATE_LIMIT": "0",
        "LEDGER_LOG_LEVEL": settings.log_level,
        "LEDGER_TOKEN_ISSUER": settings.token_issuer,
        "LEDGER_TOKEN_AUDIENCE": settings.token_audience,
    }
    say("http load: starting ledger serve and the raw baseline's database")
    async with contextlib.AsyncExitStack() as stack:
        raw = await stack.enter_async_context(raw_connections(str(settings.database_url)))
        served = await stack.enter_async_context(Served(env, settings.data_dir / "serve.log"))
        session = await stack.enter_async_context(aiohttp.ClientSession(connector=connector()))
        api = Api(served.url, session, settings)
        say("http load: an inspection of the province's units, planned and started over HTTP")
        inspection, targets, day = await open_inspection(api, pool)
        scenarios = [
            raw_scenario(raw),
            clue_scenario(api),
            loop_scenario(api, inspection, targets, day),
            *read_scenarios(api, province),
        ]
        await rounds(scenarios, pool, duration, reps, say)
        peak, now = served.memory_mb()
    rss = Figure("H-rss", "peak RSS of the ledger serve process", "MB", [peak], ratios=False)
    rss.note = f"VmHWM at the end of the load; VmRSS then {now:.0f} MB"
    return [*(s.finish() for s in scenarios), rss]


async def rounds(
    scenarios: list[Scenario],
    pool: asyncpg.Pool,
    duration: float,
    reps: int,
    say: Callable[[str], None],
) -> None:
    """Every scenario once a round, the server settled before each."""
    for rep in range(reps):
        say(f"http load: round {rep + 1} of {reps} ({len(scenarios)} × {duration:.0f} s)")
        for scenario in scenarios:
            await settle(pool)
            await scenario.once(duration)


async def settle(pool: asyncpg.Pool) -> None:
    """Wait until the read models and the Merkle tree have reached the head of the log."""
    names = [p.name for p in PROJECTIONS]
    deadline = time.monotonic() + SETTLE_WITHIN
    while time.monotonic() < deadline:
        row = await pool.fetchrow(SETTLED, names)
        if row["read"] >= row["head"] and row["tree"] >= row["head"]:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the server did not catch up within {SETTLE_WITHIN:.0f} s: {dict(row)}")


async def sample_province(pool: asyncpg.Pool) -> Province:
    """Units, days, findings, cities, the root and principals with findings, at random."""

    async def ids(column: str, relation: str, where: str = "") -> list[str]:
        rows = await pool.fetch(
            f"SELECT {column}::text FROM {relation} WHERE known_to IS NULL {where}"
            " ORDER BY random() LIMIT 5000"
        )
        return [r[0] for r in rows]

    first, last = await pool.fetchrow(
        "SELECT min(effective_from), max(coalesce(effective_to, effective_from))"
        " FROM chain_assignments WHERE known_to IS NULL"
    )
    principals = await pool.fetch(
        "SELECT * FROM (SELECT DISTINCT a.person_id::text, extract(year FROM f.found_on)::int"
        " FROM loop_attributions a JOIN loop_findings f ON f.finding_id = a.finding_id"
        " AND f.known_to IS NULL WHERE a.known_to IS NULL AND a.liability = 'principal') p"
        " ORDER BY random() LIMIT 5000"
    )
    if not principals:
        raise RuntimeError("the database holds no findings: import a generated province first")
    root = (await ids("unit_id", "chain_units", "AND parent_id IS NULL"))[0]
    cities = await ids(
        "unit_id", "chain_units", "AND level = 'municipal' AND kind = 'party_committee'"
    )
    return Province(
        root=root,
        units=await ids("unit_id", "chain_units"),
        days=[first + timedelta(n) for n in range((last - first).days + 1)],
        findings=await ids("finding_id", "loop_findings"),
        cities=cities or [root],
        principals=[(r[0], r[1]) for r in principals],
    )


async def open_inspection(api: Api, pool: asyncpg.Pool) -> tuple[str, list[Target], date]:
    """An inspection of units with a principal today, planned and started over HTTP by the
    province's inspection body (its principal the team), dated the day after the chains'
    last change; returns it, its targets and that day."""
    last: date = await pool.fetchval(
        "SELECT max(greatest(effective_from, coalesce(effective_to, effective_from)))"
        " FROM chain_assignments WHERE known_to IS NULL"
    )
    day = last + timedelta(1)
    organizer, head = await pool.fetchrow(
        "SELECT u.unit_id::text, min(a.person_id::text) FROM chain_units u"
        " LEFT JOIN chain_assignments a ON a.unit_id = u.unit_id AND a.known_to IS NULL"
        " AND a.role = 'principal' AND a.effective_to IS NULL"
        " WHERE u.known_to IS NULL AND NOT u.dissolved GROUP BY u.unit_id, u.kind, u.level"
        " ORDER BY u.kind <> 'inspection_body', u.level <> 'provincial', u.unit_id LIMIT 1"
    )
    rows = await pool.fetch(
        "SELECT DISTINCT ON (a.unit_id) a.unit_id::text, a.person_id::text"
        " FROM chain_assignments a JOIN chain_units u ON u.unit_id = a.unit_id"
        " AND u.known_to IS NULL AND NOT u.dissolved WHERE a.known_to IS NULL"
        " AND a.role = 'principal' AND a.effective_to IS NULL AND a.unit_id::text <> $1"
        " ORDER BY a.unit_id, a.effective_from DESC LIMIT $2",
        organizer,
        CLIENTS,  # one per client
    )
    targets = [Target(unit, person) for unit, person in rows]
    planned = await api.command(
        "/v1/inspections",
        Role.INSPECTOR,
        {
            "title": "压力测试督察",
            "year": day.year,
            "organizer_unit_id": organizer,
            "target_unit_ids": [t.unit for t in targets],
            "team": [head or targets[0].principal],
            "topics": ["law_enforcement"],
            "starts_on": day.isoformat(),
            "ends_on": (day + timedelta(29)).isoformat(),
        },
    )
    path = f"/v1/inspections/{planned['id']}/start"
    await api.command(path, Role.INSPECTOR, {"started_on": day.isoformat()})
    return str(planned["id"]), targets, day


@contextlib.asynccontextmanager
async def raw_database(url: str) -> AsyncIterator[str]:
    """A fresh database on the server of ``url`` with the raw chain's tables; dropped after."""
    admin = with_database(url, "postgres")
    name = f"ledger_bench_raw_{uuid.uuid4().hex[:10]}"
    await _execute(admin, f'CREATE DATABASE "{name}"')
    try:
        conn = await asyncpg.connect(with_database(url, name))
        try:
            await conn.execute(RAW_SCHEMA)
        finally:
            await conn.close()
        yield with_database(url, name)
    finally:
        await _execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def raw_connections(url: str) -> AsyncIterator[list[asyncpg.Connection]]:
    """One connection per client to a fresh raw database."""
    async with raw_database(url) as raw_url:
        conns = [await asyncpg.connect(raw_url) for _ in range(CLIENTS)]
        try:
            yield conns
        finally:
            for conn in conns:
                await conn.close()


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _event(n: int) -> bytes:
    """About 400 bytes of JSON, shaped like a finding's event."""
    return json.dumps(
        {
            "originator_id": str(uuid.uuid4()),
            "originator_version": 1,
            "timestamp": "2025-03-02T09:00:00.000000+00:00",
            "unit_id": str(uuid.uuid4()),
            "category": "law_enforcement",
            "severity": "medium",
            "description": f"行政执法记录不全，第{n}号案卷缺少法制审核意见",
            "found_on": "2025-03-02",
            "deadline": "2025-06-30",
            "actor": "inspector:bench",
            "source": "api",
        },
        ensure_ascii=False,
    ).encode()


def raw_scenario(conns: list[asyncpg.Connection]) -> Scenario:
    counter = itertools.count()

    async def step(index: int, window: Window) -> None:
        payload = _event(next(counter))
        began = time.perf_counter()
        try:
            await conns[index].execute(RAW_APPEND, payload)
        except asyncpg.PostgresError as error:
            window.record(began, repr(error))
            return
        window.record(began, None)

    figure = Figure("H-raw", "raw asyncpg hash-chained appends, 32 conns (baseline)", "rows/s")
    figure.note = f"one row per transaction, {len(_event(0))} bytes of JSON, one head row locked"
    return Scenario(figure, step)


def clue_scenario(api: Api) -> Scenario:
    run = uuid.uuid4().hex[:8]
    counter = itertools.count()

    async def step(index: int, window: Window) -> None:
        body = {
            "source": "hotline_12345",
            "external_id": f"load-{run}-{next(counter):08d}",
            "summary": "市民来电反映窗口办事推诿，要求督促整改",
            "received_at": "2025-03-02T09:00:00+08:00",
        }
        await api.call(window, "POST", "/v1/clues", Role.INTEGRATION, json=body)

    figure = Figure("H-cmd", "POST /v1/clues over HTTP, 32 clients", "commands/s", ref="H-raw")
    figure.note = "one new clue (one event) a request, an integration token"
    return Scenario(figure, step)


def loop_scenario(api: Api, inspection: str, targets: list[Target], day: date) -> Scenario:
    """Raise, plan, progress (complete), verify, close; client i on target i (mod their
    number: with 32 or more, each client on a unit of its own)."""

    async def step(index: int, window: Window) -> None:
        target = targets[index % len(targets)]
        raised = await api.call(
            window, "POST", "/v1/findings", Role.INSPECTOR, json=_finding(inspection, target, day)
        )
        if raised is None:
            return
        path = f"/v1/findings/{json.loads(raised)['id']}"
        for role, action, body in _closing(target, day):  # finished after the window too
            if await api.call(window, "POST", f"{path}/{action}", role, json=body) is None:
                return

    figure = Figure("H-loop", "closed loops over HTTP, 32 clients", "commands/s", ref="H-raw")
    figure.note = (
        "raise (with its automatic attributions), plan, progress, verify, close: 5 commands;"
        f" {len(targets)} units, each client on its own when there are 32 or more"
    )
    return Scenario(figure, step)


def _finding(inspection: str, target: Target, day: date) -> dict[str, Any]:
    return {
        "unit_id": target.unit,
        "inspection_id": inspection,
        "category": "law_enforcement",
        "severity": "medium",
        "description": "行政执法记录不全",
        "found_on": day.isoformat(),
        "deadline": (day + timedelta(120)).isoformat(),
    }


def _closing(target: Target, day: date) -> list[tuple[Role, str, dict[str, Any]]]:
    def on(days: int) -> str:
        return (day + timedelta(days)).isoformat()

    plan = {
        "measures": "补全执法记录，建立月度核查",
        "owner_person_id": target.principal,
        "deadline": on(60),
        "planned_on": on(5),
    }
    progress = {
        "reported_on": on(30),
        "summary": "整改完成",
        "evidence": [{"ref": "整改报告〔2025〕1号"}],
        "complete": True,
    }
    return [
        (Role.UNIT_OFFICER, "rectification-plan", plan),
        (Role.UNIT_OFFICER, "progress", progress),
        (Role.INSPECTOR, "verify", {"verified_on": on(35), "note": "抽查无误"}),
        (Role.INSPECTOR, "close", {"outcome": "rectified", "closed_on": on(36)}),
    ]


Ask = Callable[[random.Random], tuple[str, dict[str, str], dict[str, str]]]


def read_scenario(api: Api, key: str, label: str, ask: Ask, role: Role | None) -> Scenario:
    """GETs of what ``ask`` picks (path, query, headers) with ``role``'s token."""
    rng = random.Random(key)

    async def step(index: int, window: Window) -> None:
        path, params, headers = ask(rng)
        await api.call(window, "GET", path, role, params=params, headers=headers)

    ref = None if key == "H-health" else "H-health"
    figure = Figure(key, label, "requests/s", ratios=False, ref=ref)
    return Scenario(figure, step)


def read_scenarios(api: Api, p: Province) -> list[Scenario]:
    def chain(rng: random.Random) -> tuple[str, dict[str, str], dict[str, str]]:
        valid_at = rng.choice(p.days).isoformat()
        return f"/v1/units/{rng.choice(p.units)}/chain", {"valid_at": valid_at}, {}

    def reference(rng: random.Random) -> tuple[str, dict[str, str], dict[str, str]]:
        person, year = rng.choice(p.principals)
        period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
        return f"/v1/persons/{person}/evaluation-reference", period, {"X-Access-Purpose": PURPOSE}

    subunits = {"include_subunits": "true"}
    asks: list[tuple[str, str, Ask, Role | None]] = [
        ("H-health", "GET /healthz, 32 clients (baseline)", lambda _: ("/healthz", {}, {}), None),
        ("H-chain", "GET a unit's chain at a day", chain, Role.AUDITOR),
        (
            "H-finding",
            "GET a finding",
            lambda rng: (f"/v1/findings/{rng.choice(p.findings)}", {}, {}),
            Role.AUDITOR,
        ),
        (
            "H-search",
            "GET findings of a city with subunits, page 1",
            lambda rng: ("/v1/findings", {"unit_id": rng.choice(p.cities), **subunits}, {}),
            Role.AUDITOR,
        ),
        ("H-pref", "GET a principal's evaluation reference, a year", reference, Role.AUDITOR),
        (
            "H-open",
            "GET the open-loop report of the root, page 1",
            lambda _: ("/v1/reports/open-loop", {"unit_id": p.root}, {}),
            Role.AUDITOR,
        ),
    ]
    return [read_scenario(api, *ask) for ask in asks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="PostgreSQL URL of a database holding an imported province")
    parser.add_argument("--scale", type=float, default=1.0, help="window: max(2, 10 × scale) s")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    def say(text: str) -> None:
        print(f"  … {text}", file=sys.stderr, flush=True)

    figures = asyncio.run(http_load(args.url, args.scale, args.repeat, say))
    print(table(figures, "A", "B"))
    for figure in figures:
        if figure.error:
            print(f"\n{figure.key} did not run: {figure.error}")


if __name__ == "__main__":
    main()
