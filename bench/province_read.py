"""The read side on the generated province at two sizes: catch-up of every read model
(against the design of one statement per event), the API's queries, `ledger verify`, the
disk and the memory of a rebuild.

The province (``ledger.demo.province``, seeded) is written at 0.055 × and 0.55 × ``--scale``
(about 100,000 and 1,000,000 events at 1.0; keys say ``@100k`` and ``@1M`` whatever the
scale, the notes the real counts) and imported by the real `ledger import` (a process of
its own) into a fresh ledger. On each:

- R-cu-*:      ``catch_up`` of chain_v1, findings_v1, records_v1 from position 0 over the
               whole log, batches of 5,000 (the worker's default, its tables given as the
               worker gives them); events of the log per second; run 1 on the fresh import,
               then (after the baseline) on the tables emptied and analyzed: min(--repeat,
               3) runs at 100k, at least 2; 2 at 1M;
- R-cu-*-1x1:  the baseline: the same read model emptied, analyzed and caught up by the
               design before batching (``bench/per_event.py``, one statement per event,
               batches of 500); for chain_v1 and findings_v1 (records_v1 was never batched).
               A baseline that runs past ``BUDGET`` stops there, after its first N events;
               then R-cu-*-part times the batched design over the same N events;
- R-chain, R-get, R-search, R-pref, R-uref, R-open: the queries the API's endpoints call,
               with the arguments they pass a whole-ledger caller (p50, p99 in ms); at 1M,
               their ratio to the 100k p50 ("vs ref"), flagged past 3×;
- R-scan, R-verify: `ledger verify` (``verify_ledger`` after ``make_checkpoint``) against
               reading the same rows (``verifiable.scan``, V-scan's baseline);
- R-disk, R-wal: the database per million events, and the WAL the import wrote;
- R-rss-rebuild: the peak resident memory (VmHWM) of `ledger projections rebuild`.

Run alone: ``.venv/bin/python bench/province_read.py --scale 0.05``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import structlog
from databases import Databases, bench_server
from figures import Figure, table, timed
from importing import LEDGER, PROVINCE, _import
from per_event import PER_EVENT
from processes import run_measured
from verifiable import scan

from ledger.demo.province import LAST, write_province
from ledger.infra.checkpoints import load_signer, make_checkpoint
from ledger.infra.codec import make_mapper
from ledger.infra.database import create_pool
from ledger.infra.verify import verify_ledger
from ledger.projections import chain, evaluation, findings, records
from ledger.projections.chain import queries as chain_query
from ledger.projections.common import NOW
from ledger.projections.findings import queries as findings_query
from ledger.projections.findings import report as findings_report
from ledger.projections.registry import TABLES
from ledger.projections.runner import Projection, Statistics, catch_up, catch_up_batch

SIZES = (("100k", PROVINCE / 10), ("1M", PROVINCE))  # of the generator's scale, × --scale
BATCH = 5_000  # the worker's default batch (LEDGER_PROJECTION_BATCH_SIZE)
BASELINE_BATCH = 500  # the per-event design's batch, as it ran
BUDGET = 180.0  # seconds a per-event baseline may run before it stops after a batch
SAMPLES = 200  # per query, × --scale, at least MIN_SAMPLES
MIN_SAMPLES = 30
GROWTH_FLAG = 3.0  # a query whose p50 grows more from 100k to 1M is flagged
YEARS = (2020, 2024)  # the province's five years
AS_OF = LAST  # overdue counted on the province's last day (the API's default is today)
MB = 1024 * 1024
MODELS = (chain, findings, records)
SHORT = {chain.NAME: "chain", findings.NAME: "find", records.NAME: "rec"}
QUERIES = ("R-chain", "R-get", "R-search", "R-pref", "R-uref", "R-open")


async def province_read(
    dbs: Databases,
    scale: float,
    reps: int,
    say: Callable[[str], None],
    *,
    budget: float = BUDGET,
) -> list[Figure]:
    """Every figure at both sizes, each size in a fresh ledger database of its own.

    Both databases are kept until the end: the queries are sampled on the two in turn
    (a burst of outside load then falls on both sizes alike, so their ratio holds), and
    the rebuilds, which rewrite every read model, come after them.
    """
    samples = max(MIN_SAMPLES, round(SAMPLES * scale))
    sizes: list[_Size] = []
    with tempfile.TemporaryDirectory(prefix="ledger-bench-province-") as folder:
        async with contextlib.AsyncExitStack() as stack:
            for size, share in SIZES:
                url = await stack.enter_async_context(dbs.fresh(ledger=True))
                pool = await create_pool(url, 2, 10)
                stack.push_async_callback(pool.close)
                measured = _Size(url, pool, Path(folder), size, say)
                await measured.prepare(share * scale, reps, budget)
                sizes.append(measured)
            say(f"province read: the queries at both sizes, {samples} samples each, in turn")
            await _sample(sizes, samples)
            for measured in sizes:
                measured.figures.append(measured.rebuild_rss())
    figures = [f for measured in sizes for f in measured.figures]
    _growth(figures, sizes)
    return figures


class _Size:
    """One size of the province: its database, its counts, the figures made on it."""

    def __init__(
        self, url: str, pool: asyncpg.Pool, folder: Path, size: str, say: Callable[[str], None]
    ) -> None:
        self.url, self.pool, self.folder, self.size = url, pool, folder, size
        self.tag = f"@{size}"
        self.progress = say
        self.events = 0
        self.answers: dict[str, float] = {}  # query key: the mean objects in its answers
        self.found = (0, 0)  # findings, and those open on AS_OF
        self.figures: list[Figure] = []
        self.queries: list[_Query] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        self.env |= {
            "LEDGER_DATABASE_URL": url,
            "LEDGER_DATA_DIR": str(folder),
            "LEDGER_LOG_LEVEL": "warning",
        }

    def say(self, text: str) -> None:
        self.progress(f"province read {self.size}: {text}")

    async def prepare(self, share: float, reps: int, budget: float) -> None:
        """Import, catch up, verify, measure the disk, and plan the queries (sampled by
        ``_sample``); the figures in the table's order, each query's a place held."""
        wal = await self._imported(share)
        self.figures += await self._catch_ups(reps, budget)
        self.queries = await self._plan_queries()
        self.figures += [q.figure for q in self.queries]
        self.figures += await self._verified()
        self.figures += [await self._disk(), wal]

    # --- a. the province, imported ------------------------------------------------------

    async def _imported(self, share: float) -> Figure:
        """Write the file, `ledger import` it; the WAL it wrote (R-wal)."""
        file = self.folder / f"province-{self.size}.jsonl"
        seconds = time.perf_counter()
        lines = write_province(file, scale=share)
        seconds = time.perf_counter() - seconds
        megabytes = file.stat().st_size / MB
        self.say(f"{lines:,} lines written (generator scale {share:.4g}); `ledger import` it")
        before = await self.pool.fetchval("SELECT pg_current_wal_lsn()::text")
        summary = _import(file, self.env)
        wal = float(
            await self.pool.fetchval(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::text::pg_lsn)", before
            )
        )
        file.unlink()
        self.events = int(summary["events"])
        head = int(await self.pool.fetchval("SELECT position FROM ledger_head"))
        if head != self.events:
            raise RuntimeError(f"the import wrote {self.events:,} events, the head is {head:,}")
        return Figure(
            f"R-wal{self.tag}",
            "WAL written by the import, per million events",
            "MB",
            [wal / MB * 1e6 / self.events],
            ratios=False,
            note=f"{wal / MB:,.0f} MB of WAL (the server's pg_current_wal_lsn before and after) for"
            f" {self.events:,} events from {lines:,} lines ({megabytes:,.0f} MB of JSON,"
            f" written in {seconds:.1f} s, generator scale {share:.4g}); the import took"
            f" {summary['seconds']:.1f} s, {summary['events_per_second']:,.0f} events/s",
        )

    # --- b. catch-up, batched and one statement per event --------------------------------

    async def _catch_ups(self, reps: int, budget: float) -> list[Figure]:
        """Each read model from 0: batched on the fresh import, then (chain and findings)
        the per-event baseline, then batched again; the batched path leaves them caught up."""
        mapper = make_mapper()
        # Run 1 on the fresh import, the last after the baseline (leaving the read model
        # as the batched path makes it); at 1M no third run: each takes a minute or more.
        runs = max(2, min(reps, 3)) if self.size == SIZES[0][0] else 2
        figures: list[Figure] = []
        for model in MODELS:
            name, short = model.NAME, SHORT[model.NAME]
            topics = model.PROJECTION.topics
            own = int(
                await self.pool.fetchval(
                    "SELECT count(*) FROM ledger_events WHERE topic = ANY($1)", list(topics)
                )
            )
            batched = Figure(
                f"R-cu-{short}{self.tag}",
                f"catch_up of {name} from 0, batches of {BATCH:,}",
                "events/s",
            )
            self.say(f"catch-up of {name}, batched")
            batched.rates.append(self.events / await self._catch_up(mapper, model.PROJECTION))
            made = await _fingerprint(self.pool, name)
            rows = ", ".join(f"{t} {n:,}" for t, (n, _) in zip(TABLES[name], made, strict=True))
            where = (
                f"over {self.events:,} events, {own:,} its own (decoded, applied); its rows: {rows}"
            )
            extra: list[Figure] = []
            if name in PER_EVENT:
                baseline, part = await self._baseline(
                    mapper, model, list(topics), made, budget, where
                )
                extra = [baseline] + ([part] if part else [])
                batched.ref = None if part else baseline.key
            for _ in range(runs - 1 if not extra[1:] else 0):
                await _reset(self.pool, name)
                batched.rates.append(self.events / await self._catch_up(mapper, model.PROJECTION))
            if await _fingerprint(self.pool, name) != made:
                raise RuntimeError(f"{name}: the batched catch-ups left different rows")
            applied = (batched.rate or 0) * own / self.events
            each = ", ".join(f"{r:,.0f}" for r in batched.rates)
            batched.note = (
                f"{where}; {applied:,.0f} applied/s. Run 1 on the fresh import (tables as"
                " migrated, never analyzed)"
                + (
                    f", run{'s 2–' if len(batched.rates) > 2 else ' '}{len(batched.rates)}"
                    " after emptying and analyzing them, as the baseline"
                    if len(batched.rates) > 1
                    else ""
                )
                + f" (events/s: {each})"
                + ("" if name in PER_EVENT else "; no baseline: records_v1 was never batched")
                + (
                    f"; the baseline stopped early: R-cu-{short}-part{self.tag} over the"
                    " same first events is the like-for-like ratio"
                    if extra[1:]
                    else ""
                )
            )
            figures += [batched, *extra]
        return figures

    async def _catch_up(self, mapper: Any, projection: Projection) -> float:
        """Seconds ``catch_up`` takes over the whole log (batches of ``BATCH``)."""

        async def run() -> None:
            applied = await catch_up(self.pool, mapper, projection, BATCH, TABLES[projection.name])
            if applied != self.events:
                raise RuntimeError(f"{projection.name}: {applied:,} of {self.events:,} applied")

        return await timed(run)

    async def _baseline(
        self,
        mapper: Any,
        model: Any,
        topics: list[str],
        made: list[tuple[int, str]],
        budget: float,
        where: str,
    ) -> tuple[Figure, Figure | None]:
        """The per-event design over the emptied read model (within ``budget`` seconds);
        if it stopped early, the batched design over the same first events (R-cu-*-part),
        then the batched catch-up to the head, untimed."""
        name, short = model.NAME, SHORT[model.NAME]
        await _reset(self.pool, name)
        self.say(f"catch-up of {name}, one statement per event (baseline)")
        done, seconds = await _by_batches(
            self.pool, mapper, PER_EVENT[name], BASELINE_BATCH, self.events, budget
        )
        baseline = Figure(
            f"R-cu-{short}-1x1{self.tag}",
            f"the same, one statement per event, batches of {BASELINE_BATCH} (baseline)",
            "events/s",
            [done / seconds],
        )
        if done == self.events:
            # The counts a tally keeps (loop_counts) came with batching: the design before
            # had none, so they are left out of the comparison (and the baseline's work).
            kept = [i for i, t in enumerate(TABLES[name]) if t not in TALLIED]
            after = await _fingerprint(self.pool, name)
            same = [after[i] for i in kept] == [made[i] for i in kept]
            if not same:
                self.say(f"{name}: THE PER-EVENT BASELINE LEFT OTHER ROWS THAN THE BATCHED")
            baseline.note = (
                f"{where}; the design before batching (bench/per_event.py) over the tables"
                " emptied and analyzed, their statistics kept as it fills (as catch_up);"
                f" {seconds:.1f} s; "
                + (
                    "the same rows as the batched catch-up"
                    + (" (but loop_counts, which it never kept)" if len(kept) < len(after) else "")
                    if same
                    else "ROWS DIFFER from the batched catch-up's (count and hash per table)"
                )
            )
            return baseline, None
        own = await self.pool.fetchval(
            "SELECT count(*) FROM ledger_events WHERE position <= $2 AND topic = ANY($1)",
            topics,
            done,
        )
        baseline.note = (
            f"{where}; stopped after {budget:.0f} s: over the first {done:,} events only"
            f" ({own:,} of them its own; catch_up_batch in a loop), {seconds:.1f} s; its"
            f" rate is of those events, compare it with R-cu-{short}-part{self.tag}"
        )
        await _reset(self.pool, name)
        self.say(f"catch-up of {name}, batched over the baseline's first {done:,} events")
        reached, part_seconds = await _by_batches(
            self.pool, mapper, model.PROJECTION, BATCH, done, float("inf")
        )
        part = Figure(
            f"R-cu-{short}-part{self.tag}",
            f"catch_up of {name}, batched, over the baseline's first events",
            "events/s",
            [reached / part_seconds],
            ref=baseline.key,
            note=f"the first {reached:,} of {self.events:,} events ({own:,} its own; those"
            f" the baseline reached in {budget:.0f} s), batches of {BATCH:,}, tables emptied and"
            f" analyzed: {part_seconds:.1f} s; then caught up to the head (not timed)",
        )
        await catch_up(self.pool, mapper, model.PROJECTION, BATCH, TABLES[name])
        return baseline, part

    # --- c. the API's queries --------------------------------------------------------------

    async def _plan_queries(self) -> list[_Query]:
        """The queries the endpoints call, as a whole-ledger caller calls them, each with
        its random arguments, after VACUUM ANALYZE of every read model."""
        pool = self.pool
        every = [t for ts in TABLES.values() for t in ts]
        await pool.execute(f"VACUUM ANALYZE {', '.join(every)}", timeout=3600)
        pick = random.Random(20240101)

        async def ids(sql: str) -> list[UUID]:
            return [UUID(r[0]) for r in await pool.fetch(sql)]

        units = await ids("SELECT unit_id::text FROM chain_units WHERE known_to IS NULL")
        found = await ids("SELECT finding_id::text FROM loop_findings WHERE known_to IS NULL")
        cities = await ids(
            "SELECT u.unit_id::text FROM chain_units u JOIN chain_units p"
            " ON p.unit_id = u.parent_id AND p.known_to IS NULL"
            " WHERE u.known_to IS NULL AND u.level = 'municipal' AND p.level = 'provincial'"
        )
        root = (
            await ids(
                "SELECT unit_id::text FROM chain_units WHERE parent_id IS NULL"
                " AND known_to IS NULL ORDER BY code LIMIT 1"
            )
        )[0]
        first, last = date(YEARS[0], 1, 1), date(YEARS[1], 12, 31)
        tenures = [
            (UUID(r[0]), r[1], r[2])
            for r in await pool.fetch(
                "SELECT person_id::text, effective_from, effective_to FROM chain_assignments"
                " WHERE role = 'principal' AND known_to IS NULL AND effective_from <= $2"
                " AND (effective_to IS NULL OR effective_to > $1)",
                first,
                last,
            )
        ]
        # The position an evaluation reference reads at: the least the three read models
        # reached (the API's read_position without min_position or known_at).
        position = int(
            await pool.fetchval(
                "SELECT min(position) FROM projection_tracking WHERE name = ANY($1)",
                [m.NAME for m in MODELS],
            )
        )
        open_ = int(
            await pool.fetchval(
                "SELECT count(*) FROM loop_findings WHERE known_to IS NULL AND stage <> 'closed'"
            )
        )
        self.found = (len(found), open_)

        def year(lo: int = YEARS[0], hi: int = YEARS[1]) -> tuple[date, date]:
            y = pick.randint(lo, hi)
            return date(y, 1, 1), date(y, 12, 31)

        def valid_day() -> date:
            return first + timedelta(pick.randrange((last - first).days + 1))

        def principal() -> tuple[UUID, date, date]:
            person, since, to = pick.choice(tenures)
            until = (to - timedelta(1)) if to else last
            start, end = year(max(YEARS[0], since.year), min(YEARS[1], until.year))
            return person, start, end

        def person_reference() -> Awaitable[Any]:
            person, start, end = principal()
            # as_of: min(end, today), today past the province's years.
            return evaluation.person_reference(pool, person, start, end, position, end)

        def unit_reference() -> Awaitable[Any]:
            start, end = year()
            unit = pick.choice(units)
            return evaluation.unit_reference(pool, unit, start, end, position, end, False)

        # (key, label, what it reads, a new call with its random arguments)
        queries: list[tuple[str, str, str, Callable[[], Awaitable[Any]]]] = [
            (
                "R-chain",
                "chain.queries.chain of a random unit on a random day",
                f"GET /v1/units/{{id}}/chain: a random unit of {len(units):,}, valid_at a"
                f" random day of {YEARS[0]}–{YEARS[1]}, as known now",
                lambda: chain_query.chain(pool, pick.choice(units), valid_day(), NOW),
            ),
            (
                "R-get",
                "findings.queries.get_finding of a random finding",
                f"GET /v1/findings/{{id}}: a random finding of {len(found):,}, overdue"
                f" counted on {AS_OF}, as known now",
                lambda: findings_query.get_finding(pool, pick.choice(found), AS_OF, NOW),
            ),
            (
                "R-search",
                "search_findings, a city + subunits, first page of 50",
                f"GET /v1/findings?unit_id&include_subunits=true: a random city (its party"
                f" committee, {len(cities)} of them) and every unit below it, newest first,"
                " limit 50 (51 asked)",
                lambda: findings_query.search_findings(
                    pool, as_of=AS_OF, limit=51, unit_id=pick.choice(cities), include_subunits=True
                ),
            ),
            (
                "R-pref",
                "evaluation.person_reference of a principal, 1 year",
                f"GET /v1/persons/{{id}}/evaluation-reference: a random principal of"
                f" {len(tenures):,} tenures in {YEARS[0]}–{YEARS[1]}, one year of it, at"
                f" position {position:,}",
                person_reference,
            ),
            (
                "R-uref",
                "evaluation.unit_reference of a unit, 1 year",
                f"GET /v1/units/{{id}}/evaluation-reference: a random unit, a random year"
                f" of {YEARS[0]}–{YEARS[1]}, without subunits, at position {position:,}",
                unit_reference,
            ),
            (
                "R-open",
                "open_loop_report of the province (root)",
                f"GET /v1/reports/open-loop?unit_id=root: the whole province, {open_:,} open"
                f" findings counted by unit and category, the first page of 50 (51 asked),"
                f" on {AS_OF}",
                lambda: findings_report.open_loop_report(pool, root, AS_OF, None, limit=51),
            ),
        ]
        return [
            _Query(key, Figure(key + self.tag, label, "ms", latency=True, note=note), call)
            for key, label, note, call in queries
        ]

    # --- d. ledger verify --------------------------------------------------------------

    async def _verified(self) -> list[Figure]:
        self.say("the tree and a checkpoint, reading verify's rows, then ledger verify")
        signer = load_signer("ledger.bench/province", None, self.folder)
        checkpoint = await timed(lambda: make_checkpoint(self.pool, signer))
        started = time.perf_counter()
        read = await scan(self.pool)
        scanned = time.perf_counter() - started
        if read != self.events:
            raise RuntimeError(f"the scan read {read:,} rows, not {self.events:,}")
        report = await verify_ledger(self.pool, signer.verifier_key)
        if not report.ok or report.events != self.events:
            raise RuntimeError(
                f"ledger verify did not pass: {report.events:,} events,"
                f" findings: {'; '.join(map(str, report.findings))}"
            )
        return [
            Figure(
                f"R-scan{self.tag}",
                "verify's rows read, nothing computed (baseline, as V-scan)",
                "rows/s",
                [read / scanned],
                note=f"{read:,} rows (events ⟗ seal ⟕ leaves) in {scanned:.1f} s",
            ),
            Figure(
                f"R-verify{self.tag}",
                "verify_ledger (`ledger verify`) of the imported province",
                "events/s",
                [report.rate],
                ref=f"R-scan{self.tag}",
                note=f"ok: {report.summary}; after make_checkpoint (the tree from nothing"
                f" and a signed checkpoint, {checkpoint:.1f} s)",
            ),
        ]

    # --- e. disk -----------------------------------------------------------------------

    async def _disk(self) -> Figure:
        """The database per million events, with the log, seal, tree and read models."""
        size = "pg_total_relation_size"
        parts = {
            "the log (ledger_events)": f"{size}('ledger_events')",
            "the seal (ledger_seal)": f"{size}('ledger_seal')",
            "the tree (merkle_nodes, merkle_head, ledger_checkpoints)": (
                f"{size}('merkle_nodes') + {size}('merkle_head') + {size}('ledger_checkpoints')"
            ),
        }
        for model in MODELS:
            parts[f"{model.NAME} ({', '.join(TABLES[model.NAME])})"] = " + ".join(
                f"{size}('{t}')" for t in TABLES[model.NAME]
            )
        sql = ", ".join(f"{expr} AS p{i}" for i, expr in enumerate(parts.values()))
        row = await self.pool.fetchrow(f"SELECT pg_database_size(current_database()) AS db, {sql}")
        per_million = 1e6 / self.events / MB
        lines = [
            f"{what}: {row[f'p{i}'] * per_million:,.1f} MB/M ({row[f'p{i}'] / MB:,.1f} MB)"
            for i, what in enumerate(parts)
        ]
        rest = row["db"] - sum(row[f"p{i}"] for i in range(len(parts)))
        lines.append(
            f"the rest (other tables, catalogs): {rest * per_million:,.1f} MB/M"
            f" ({rest / MB:,.1f} MB; mostly fixed, so large per million on a small log)"
        )
        return Figure(
            f"R-disk{self.tag}",
            "pg_database_size per million events",
            "MB",
            [row["db"] * per_million],
            ratios=False,
            note=f"{row['db'] / MB:,.0f} MB for {self.events:,} events, after the catch-ups,"
            " the tree and a checkpoint; each with its indexes and TOAST:\n" + "\n".join(lines),
        )

    # --- f. the memory of a rebuild ------------------------------------------------------

    def rebuild_rss(self) -> Figure:
        """`ledger projections rebuild` as a process; its VmHWM sampled from /proc."""
        self.say("`ledger projections rebuild`, its memory sampled")
        ran = run_measured([str(LEDGER), "projections", "rebuild"], self.env)
        if ran.returncode != 0:
            raise RuntimeError(f"ledger projections rebuild failed: {ran.stderr[-2000:]}")
        return Figure(
            f"R-rss-rebuild{self.tag}",
            "peak RSS of `ledger projections rebuild`",
            "MB",
            [ran.peak_mb],
            ratios=False,
            note="VmHWM from /proc/<pid>/status, read every 50 ms (bench/processes.py): the"
            f" three read models replayed from {self.events:,} events, each in one"
            f" transaction, in {ran.seconds:.1f} s with the process's start",
        )


@dataclass
class _Query:
    """One query at one size: its figure, and a new call with its random arguments."""

    key: str
    figure: Figure
    call: Callable[[], Awaitable[Any]]
    objects: int = 0  # in its answers, summed


async def _sample(sizes: list[_Size], samples: int) -> None:
    """Each query's samples at every size in turn (the order alternating), after a
    warm-up call at each (prepared statements, caches); the arguments are drawn before
    the clock starts."""
    for index in range(len(QUERIES)):
        at = [measured.queries[index] for measured in sizes]
        for query in at:
            if await query.call() is None:
                raise RuntimeError(f"{query.figure.key}: no answer")
        for n in range(samples):
            for query in at if n % 2 == 0 else reversed(at):
                call = query.call()
                started = time.perf_counter()
                answer = await call
                query.figure.rates.append(1000 * (time.perf_counter() - started))
                if answer is None:
                    raise RuntimeError(f"{query.figure.key}: no answer")
                query.objects += _objects(answer)
    for measured in sizes:
        for query in measured.queries:
            mean = query.objects / samples
            measured.answers[query.key] = mean
            query.figure.note += (
                f"; over {measured.events:,} events; answers of {mean:,.1f} objects on"
                " average; sampled in turn with the other size"
            )


async def _by_batches(
    pool: asyncpg.Pool,
    mapper: Any,
    projection: Projection,
    batch: int,
    until: int,
    budget: float,
) -> tuple[int, float]:
    """``catch_up``'s loop (``catch_up_batch``, statistics kept as the tables fill) up to
    ``until`` events, or until ``budget`` seconds have passed; returns (events, seconds)."""
    statistics = Statistics({projection.name: TABLES[projection.name]})
    done = 0
    started = time.perf_counter()
    while done < until and time.perf_counter() - started < budget:
        size = min(batch, until - done)
        applied = await catch_up_batch(pool, mapper, projection, size)
        if not applied:
            break
        done += applied
        await statistics.after_batch(pool, projection, applied, batch)
    return done, time.perf_counter() - started


async def _reset(pool: asyncpg.Pool, name: str) -> None:
    """Empty a read model's tables and its tracking row, then VACUUM ANALYZE the tables."""
    tables = ", ".join(TABLES[name])
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute(f"TRUNCATE {tables}")
            await conn.execute("UPDATE projection_tracking SET position = 0 WHERE name = $1", name)
        await conn.execute(f"VACUUM ANALYZE {tables}", timeout=3600)


# Tables of counts kept by the batches' tallies (projections.tally), never by one statement
# per event.
TALLIED = {"loop_counts"}


async def _fingerprint(pool: asyncpg.Pool, name: str) -> list[tuple[int, str]]:
    """Per table of the read model: its rows, and the sum of their hashes (any order)."""
    found = []
    for t in TABLES[name]:
        row = await pool.fetchrow(
            f"SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text FROM {t} t",
            timeout=3600,
        )
        found.append((int(row[0]), str(row[1])))
    return found


def _objects(answer: Any) -> int:
    """How many objects (JSON objects: dicts) an answer holds, itself included."""
    if isinstance(answer, dict):
        return 1 + sum(_objects(v) for v in answer.values())
    if isinstance(answer, list | tuple):
        return sum(_objects(v) for v in answer)
    return 0


def _growth(figures: list[Figure], sizes: list[_Size]) -> None:
    """Each query at 1M against itself at 100k ("vs ref"), flagged past ``GROWTH_FLAG``."""
    if len(sizes) != 2:
        return
    small, big = sizes
    by_key = {f.key: f for f in figures}
    for key in QUERIES:
        low, high = by_key.get(key + small.tag), by_key.get(key + big.tag)
        if low is None or high is None or not low.rate or high.rate is None:
            continue
        high.ref = low.key
        grew = high.rate / low.rate
        answers = f"{small.answers[key]:,.1f} → {big.answers[key]:,.1f} objects"
        (found, open_), (found_1m, open_1m) = small.found, big.found
        high.note += (
            f"\ngrowth: p50 {grew:.2f}× the {small.size} one ({small.events:,} →"
            f" {big.events:,} events, {big.events / small.events:.1f}×; answers {answers};"
            f" findings {found:,} → {found_1m:,}, open {open_:,} → {open_1m:,})"
        )
        if grew > GROWTH_FLAG:
            high.note += (
                f"; FLAGGED: p50 grew more than {GROWTH_FLAG:.0f}× — a time that grows with"
                " the log rather than with its answer is a defect: see whether it follows"
                " its answer (objects, findings counted) or the log"
            )


# --- run alone --------------------------------------------------------------------------


async def _alone(admin_url: str, port: int | None, args: argparse.Namespace) -> list[Figure]:
    dbs = Databases(admin_url, port)
    await dbs.make_template()
    try:
        return await province_read(dbs, args.scale, args.repeat, _progress, budget=args.budget)
    finally:
        await dbs.drop_template()


def _progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="as run.py's (default 1.0)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="catch-up repetitions, 2 to 3 (default 3)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET,
        help=f"seconds a per-event baseline may run (default {BUDGET:.0f})",
    )
    args = parser.parse_args()
    if args.scale <= 0 or args.repeat < 1 or args.budget <= 0:
        parser.error("--scale and --budget must be above 0, --repeat at least 1")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    started = time.perf_counter()
    with bench_server(_progress) as (admin_url, port, _embedded):
        figures = asyncio.run(_alone(admin_url, port, args))
    print(f"--scale {args.scale} --repeat {args.repeat}; {os.cpu_count()} cores")
    print()
    print(table(figures, "A", "B"))
    print(f"\nwall time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
