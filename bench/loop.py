"""The closed loop: raising findings, whole loops, catch-up of the loop's read models and
their queries, each against a baseline measured in the same database."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from commands import CTX, new_ledger, populate, register_persons
from figures import Figure, Measured, timed

from ledger.application.commands import (
    Assign,
    CloseFinding,
    EndAssignment,
    PlanInspection,
    PlanRectification,
    RaiseFinding,
    RegisterPerson,
    ReportProgress,
    StartInspection,
    VerifyRectification,
)
from ledger.domain.vocab import Category, EndReason, Outcome, Role, Severity
from ledger.infra.codec import make_mapper
from ledger.projections import chain, evaluation, findings, records
from ledger.projections.chain import queries as chain_query
from ledger.projections.findings import queries as findings_query
from ledger.projections.findings import report as findings_report
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import catch_up
from ledger.projections.sqlfiles import projection_sql

FOUND_ON = date(2024, 9, 2)
DEADLINE = date(2024, 12, 31)
AS_OF = date(2025, 3, 1)  # after the deadline: every finding still open is overdue
PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
BY_NAME = {p.name: p for p in PROJECTIONS}
BATCH = 5_000  # events per catch-up transaction: the worker's default
# Raised, attributed to the principal and to the leader whose portfolio holds the
# category, then plan, progress, verified, closed.
EVENTS_PER_LOOP = 7


class _Loops:
    """Raising findings and closing them, over the departments in turn."""

    def __init__(self, pool: asyncpg.Pool, inspection: UUID, depts: list[dict[str, UUID]]):
        self.ledger = new_ledger(pool)
        self.inspection = inspection
        self.depts = depts
        self.turns = itertools.cycle(depts)
        self.made: list[UUID] = []

    async def raise_(self, unit_id: UUID) -> UUID:
        result = await self.ledger.findings.raise_finding(
            CTX,
            RaiseFinding(
                unit_id=unit_id,
                inspection_id=self.inspection,
                clue_id=None,
                category=Category.LAW_ENFORCEMENT,
                severity=Severity.MEDIUM,
                description="行政执法记录不全",
                found_on=FOUND_ON,
                deadline=DEADLINE,
            ),
        )
        self.made.append(result.id)
        return result.id

    async def raise_some(self, count: int) -> None:
        for _ in range(count):
            await self.raise_(next(self.turns)["unit_id"])

    async def close_some(self, count: int) -> None:
        """``count`` loops: raise, rectification plan (owned by the leader), progress
        (complete), verify, close rectified."""
        for _ in range(count):
            dept = next(self.turns)
            finding = await self.raise_(dept["unit_id"])
            await self.ledger.findings.plan_rectification(
                CTX,
                finding,
                PlanRectification(
                    measures="补全执法记录，建立月度核查",
                    owner_person_id=dept["leader"],
                    deadline=date(2024, 11, 30),
                    planned_on=date(2024, 9, 10),
                ),
            )
            await self.ledger.findings.report_progress(
                CTX,
                finding,
                ReportProgress(
                    reported_on=date(2024, 10, 15),
                    summary="整改完成",
                    evidence=[{"ref": "整改报告〔2024〕1号", "sha256": None}],
                    complete=True,
                ),
            )
            await self.ledger.findings.verify_rectification(
                CTX, finding, VerifyRectification(verified_on=date(2024, 10, 20), note=None)
            )
            await self.ledger.findings.close_finding(
                CTX, finding, CloseFinding(outcome=Outcome.RECTIFIED, closed_on=date(2024, 10, 25))
            )


async def _world(pool: asyncpg.Pool, departments: int) -> tuple[UUID, list[dict[str, UUID]], UUID]:
    """``populate``'s departments, and an inspection of all of them under way; returns the
    root, each department with its principal and a leader, and the inspection."""
    ledger = new_ledger(pool)
    await populate(ledger, departments, 0)
    # populate answers nothing: the chain read model says what it made.
    await catch_up(pool, make_mapper(), chain.PROJECTION)
    # As text: asyncpg's own UUID type does not encode into events.
    root = UUID(
        await pool.fetchval("SELECT unit_id::text FROM chain_units WHERE parent_id IS NULL")
    )
    rows = await pool.fetch(
        "SELECT u.unit_id::text, min(a.person_id::text) FILTER (WHERE a.role = 'principal')"
        " AS principal, min(a.person_id::text) FILTER (WHERE a.role = 'leader') AS leader"
        " FROM chain_units u JOIN chain_assignments a ON a.unit_id = u.unit_id"
        " AND a.known_to IS NULL WHERE u.parent_id = $1 AND u.known_to IS NULL"
        " GROUP BY u.unit_id ORDER BY u.unit_id",
        root,
    )
    depts = [{k: UUID(v) for k, v in r.items()} for r in rows]
    # An inspection names its team (督察组): at least one person.
    inspector = await ledger.persons.register_person(CTX, RegisterPerson(name="督察组成员"))
    planned = await ledger.inspections.plan_inspection(
        CTX,
        PlanInspection(
            title="2024年度法治政府建设督察",
            year=2024,
            organizer_unit_id=root,
            target_unit_ids=[d["unit_id"] for d in depts],
            team=[inspector.id],
            topics=[Category.LAW_ENFORCEMENT],
            starts_on=date(2024, 9, 1),
            ends_on=date(2024, 9, 30),
        ),
    )
    await ledger.inspections.start_inspection(
        CTX, planned.id, StartInspection(started_on=date(2024, 9, 1))
    )
    return root, depts, planned.id


TURNOVER = 40  # staff who came and went in a department with a long history


async def _turnover(pool: asyncpg.Pool, loops: _Loops, depts: list[dict[str, UUID]]) -> _Loops:
    """``TURNOVER`` staff who joined and left each of ``depts`` between 2019 and 2024 (an
    appointment and its end each: 80 more events tagged with the unit), and raising over
    them as ``loops`` does."""
    ledger = loops.ledger
    for dept in depts:
        for i in range(TURNOVER):
            person = await ledger.persons.register_person(CTX, RegisterPerson(name=f"科员{i}"))
            start = date(2019 + i // 8, 1 + i % 8, 1)
            post = await ledger.assignments.assign(
                CTX,
                Assign(
                    unit_id=dept["unit_id"],
                    person_id=person.id,
                    role=Role.STAFF,
                    title="科员",
                    effective_from=start,
                ),
            )
            await ledger.assignments.end_assignment(
                CTX,
                post.id,
                EndAssignment(
                    effective_to=date(start.year, start.month + 4, 1),
                    reason=EndReason.TRANSFERRED,
                ),
            )
    return _Loops(pool, loops.inspection, depts)


async def _commands(
    pool: asyncpg.Pool, loops: _Loops, n: Callable[[float], int], reps: int
) -> list[Figure]:
    """L-reg, L-raise, L-raise-long, L-loop, L-loop8, their repetitions interleaved as in
    run.py."""
    reg = await register_persons(pool, n(250))
    reg.figure.key, reg.figure.label = "L-reg", "Ledger.register_person, 1 client (baseline)"
    raising = Figure("L-raise", "Ledger.raise_finding, 1 client", "commands/s", ref="L-reg")
    long = Figure(
        "L-raise-long",
        "Ledger.raise_finding, 1 client, departments with five years of turnover",
        "commands/s",
        ref="L-raise",
    )
    seasoned = await _turnover(pool, loops, loops.depts[:4])
    # A loop is five commands: no ratio to A or B, whose units are one row or event.
    one = Figure("L-loop", "closed loops (5 commands each), 1 client", "loops/s", ratios=False)
    eight = Figure(
        "L-loop8", "closed loops, 8 concurrent clients", "loops/s", ratios=False, ref="L-loop"
    )
    raises, single, each = n(200), n(150), max(1, n(320) // 8)

    async def concurrent() -> None:
        await asyncio.gather(*(loops.close_some(each) for _ in range(8)))

    scenarios = [
        reg,
        Measured(raising, lambda: _rate(raises, lambda: loops.raise_some(raises))),
        Measured(long, lambda: _rate(raises, lambda: seasoned.raise_some(raises))),
        Measured(one, lambda: _rate(single, lambda: loops.close_some(single))),
        Measured(eight, lambda: _rate(8 * each, concurrent)),
    ]
    await loops.raise_some(5)  # warm-up
    await seasoned.raise_some(5)
    await loops.close_some(5)
    for _ in range(reps):
        for measured in scenarios:
            assert measured.once is not None
            measured.figure.rates.append(await measured.once())
    raising.note = (
        f"{raises} per repetition over {len(loops.depts)} departments of 6 posts: reads the"
        " unit, the inspection, the unit's assignments; appends Raised + 2 attributions"
    )
    long.note = (
        f"{raises} per repetition over {len(seasoned.depts)} of the departments, each also with"
        f" {TURNOVER} staff who came and went (2019–2024): the unit's tag finds"
        f" {6 + TURNOVER} assignments; flat in the unit's history is a ratio near 1"
    )
    for figure, count in ((one, f"{single} loops"), (eight, f"8 × {each} loops")):
        figure.note = (
            f"{count} per repetition; raise, plan, progress, verify, close:"
            f" {EVENTS_PER_LOOP} events per loop, {5 * (figure.rate or 0):.0f} commands/s"
        )
    return [reg.figure, raising, long, one, eight]


async def _rate(count: int, work: Callable[[], Awaitable[object]]) -> float:
    return count / await timed(work)


async def _reset(pool: asyncpg.Pool, name: str, new: bool) -> None:
    """Empty a read model and its tracking row, as if it had never run: its rows deleted
    and the empty tables analyzed, as bench/catchup.py does; or (``new``) its tables
    dropped and made again, never analyzed, as a new deployment has them."""
    async with pool.acquire() as conn:
        async with conn.transaction():
            for table in TABLES[name]:
                # CASCADE: the jurisdiction policies name the tables; set up again below.
                await conn.execute(f"DROP TABLE {table} CASCADE" if new else f"DELETE FROM {table}")
            if new:
                await BY_NAME[name].setup(conn)
                await conn.execute(projection_sql("jurisdiction"))
            await conn.execute("UPDATE projection_tracking SET position = 0 WHERE name = $1", name)
        if not new:
            await conn.execute(f"VACUUM ANALYZE {', '.join(TABLES[name])}")


async def _catch_up(pool: asyncpg.Pool, reps: int) -> list[Figure]:
    """L-cu-*: each read model from zero over the whole log, their repetitions interleaved."""
    total = int(await pool.fetchval("SELECT position FROM ledger_head"))
    mapper = make_mapper()
    runs = [
        (Figure("L-cu-chain", f"catch_up of {chain.NAME} (baseline)", "events/s"), chain, False),
        (Figure("L-cu-find", f"catch_up of {findings.NAME}", "events/s"), findings, False),
        (Figure("L-cu-new", "L-cu-find into new tables", "events/s"), findings, True),
        (Figure("L-cu-rec", f"catch_up of {records.NAME}", "events/s"), records, False),
    ]
    for _ in range(reps):
        for figure, model, new in runs:
            await _reset(pool, model.NAME, new)

            async def run(model: Any = model) -> None:
                assert await catch_up(pool, mapper, model.PROJECTION, BATCH, model.TABLES) == total

            figure.rates.append(total / await timed(run))
    for figure, model, new in runs:
        handled = await pool.fetchval(
            "SELECT count(*) FROM ledger_events WHERE topic = ANY($1)",
            list(model.PROJECTION.topics),
        )
        figure.ref = None if model is chain else "L-cu-chain"
        figure.note = (
            f"over {total:,} events, {handled:,} its own (decoded, applied):"
            f" {(figure.rate or 0) * handled / total:,.0f} applied/s; between repetitions "
            + (
                "dropped and made again (never analyzed)"
                if new
                else "emptied and analyzed, as P-cu"
            )
        )
    # Fresh statistics, as autovacuum would make soon after such a burst, so the queries
    # below are planned for the tables they read.
    await pool.execute(f"VACUUM ANALYZE {', '.join(t for ts in TABLES.values() for t in ts)}")
    return [figure for figure, _, _ in runs]


async def _queries(pool: asyncpg.Pool, root: UUID, loops: _Loops, samples: int) -> list[Figure]:
    """Latencies of the loop's queries over random findings, departments and persons, each
    against the chain of a department (the query the chain read model was built for)."""
    pick = random.Random(7)
    head = int(await pool.fetchval("SELECT position FROM ledger_head"))
    total, open_ = await pool.fetchrow(
        "SELECT count(*), count(*) FILTER (WHERE stage <> 'closed') FROM loop_findings"
        " WHERE known_to IS NULL"
    )
    per_dept = f"~{total / len(loops.depts):.0f} findings"
    start, end = PERIOD

    def dept() -> dict[str, UUID]:
        return pick.choice(loops.depts)

    queries: list[tuple[str, str, str, Callable[[], Awaitable[Any]]]] = [
        (
            "L-chain",
            "chain.queries.chain of a department (baseline)",
            f"the database: {total:,} findings ({open_:,} open, overdue on {AS_OF}) in"
            f" {len(loops.depts)} departments under one root, {head:,} events",
            lambda: chain_query.chain(pool, dept()["unit_id"], FOUND_ON),
        ),
        (
            "L-get",
            "findings.queries.get_finding",
            "a random finding, with who was responsible then and who holds the posts now",
            lambda: findings_query.get_finding(pool, pick.choice(loops.made), AS_OF),
        ),
        (
            "L-search",
            "search_findings, root + subunits, 50",
            f"the first page, newest first, of the jurisdiction's {total:,} findings",
            lambda: findings_query.search_findings(
                pool, as_of=AS_OF, limit=51, unit_id=root, include_subunits=True
            ),
        ),
        (
            "L-open",
            "open_loop_report of the root",
            f"the jurisdiction: its {open_:,} open findings, counts by unit and category",
            lambda: findings_report.open_loop_report(pool, root, AS_OF),
        ),
        (
            "L-pref",
            "person_reference of a principal, 1 year",
            f"the principal of a random department, attributed its {per_dept}",
            lambda: evaluation.person_reference(pool, dept()["principal"], start, end, head, end),
        ),
        (
            "L-uref",
            "unit_reference of a department, 1 year",
            f"a random department: its {per_dept}, principals, rates",
            lambda: evaluation.unit_reference(
                pool, dept()["unit_id"], start, end, head, end, False
            ),
        ),
    ]
    figures = []
    for key, label, note, query in queries:
        ref = None if key == "L-chain" else "L-chain"
        figure = Figure(key, label, "ms", note=note, latency=True, ref=ref)
        assert await query() is not None  # warm-up: prepared statements, caches
        for _ in range(samples):
            figure.rates.append(1000 * await timed(query))
        figures.append(figure)
    return figures


async def closed_loop(
    pool: asyncpg.Pool, scale: float, reps: int, progress: Callable[[str], None]
) -> list[Figure]:
    def n(count: float) -> int:
        return max(5, round(count * scale))

    progress("closed loop: the departments, an inspection, then findings and loops")
    root, depts, inspection = await _world(pool, max(3, round(40 * scale)))
    loops = _Loops(pool, inspection, depts)
    figures = await _commands(pool, loops, n, reps)
    progress("closed loop: catch-up of the read models, then the queries")
    figures += await _catch_up(pool, reps)
    return figures + await _queries(pool, root, loops, max(50, round(300 * scale)))
