"""The full command path: ``Ledger`` commands against a prepared database."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg
from eventsourcing.domain import Aggregate
from figures import Figure, Measured, timed

from ledger.application import Context, Ledger
from ledger.application.commands import (
    Assign,
    ChangePortfolio,
    CorrectPerson,
    EndAssignment,
    RegisterPerson,
    RegisterUnit,
    RenameUnit,
)
from ledger.application.store import AggregateStore
from ledger.domain.assignment import Assignment
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import Category, EndReason, PrincipalTitle, Role, UnitKind, UnitLevel
from ledger.infra.codec import make_mapper
from ledger.infra.eventstore import EventStore

CTX = Context(actor="bench", source="bench")
START = date(2024, 1, 1)


def new_ledger(pool: asyncpg.Pool) -> Ledger:
    return Ledger(EventStore(pool), make_mapper())


async def register_persons(pool: asyncpg.Pool, commands: int) -> Measured:
    """``Ledger.register_person`` with a person number (so its uniqueness read runs)."""
    ledger = new_ledger(pool)
    figure = Figure("C-reg", "Ledger.register_person, 1 client", "commands/s")

    async def register(count: int) -> None:
        for _ in range(count):
            n = uuid.uuid4().hex[:10]
            await ledger.persons.register_person(
                CTX, RegisterPerson(name=f"Person {n}", person_no=f"P-{n}")
            )

    async def once() -> float:
        return commands / await timed(lambda: register(commands))

    await register(20)  # warm-up
    return Measured(figure, once)


def _unit(n: int) -> Unit:
    return Unit(
        f"Unit {n}", UnitKind.DEPARTMENT, UnitLevel.COUNTY, None, None, "bench", "bench", None, None
    )


def _staff(unit: Unit, person: Person, n: int) -> Assignment:
    return Assignment.assign(
        unit_id=unit.id,
        person_id=person.id,
        role=Role.STAFF,
        title=f"Officer {n}",
        principal_title=None,
        portfolio=[Category.LAW_ENFORCEMENT],
        reports_to=None,
        effective_from=START,
        actor="bench",
        source="bench",
        reason=None,
        basis=None,
    )


async def _seed(store: EventStore, aggregates: list[Aggregate]) -> None:
    """Append the events the commands would write (same events, same tags), 100 per call."""
    rows = AggregateStore(store, make_mapper()).new_events(aggregates)
    for i in range(0, len(rows), 100):
        await store.append(rows[i : i + 100])


async def assign_into_full_unit(
    pool: asyncpg.Pool, existing: int, commands: int, reps: int, settled: bool = True
) -> Measured:
    """``Ledger.assign`` into units that already hold ``existing`` assignments.

    Each unit takes at most ``existing // 10`` (at least 1) of the measured commands, so
    it grows by at most 10% while measured. The seed is appended directly: the events and
    tags the commands would write, 100 per call. ``settled``: then VACUUM ANALYZE, as
    autovacuum would soon after such a burst (planner statistics, GIN pending list merged).
    """
    figure = Figure(
        f"C-as{existing}" + ("" if settled else "-nv"),
        f"Ledger.assign into a unit with N={existing} assignments, 1 client"
        if settled
        else f"Ledger.assign, N={existing}, before VACUUM ANALYZE of the seed",
        "commands/s",
    )
    per_unit = max(1, existing // 10)
    warm_up = 5
    units = [_unit(i) for i in range(-(-(commands * reps + warm_up) // per_unit))]
    persons = [Person(f"Person {i}", None, "bench", "bench", None, None) for i in range(100)]
    store = EventStore(pool)
    await _seed(store, [*units, *persons])
    for unit in units:
        await _seed(store, [_staff(unit, persons[i % 100], i) for i in range(existing)])
    if settled:
        await pool.execute("VACUUM ANALYZE ledger_events, ledger_seal")
    ledger = new_ledger(pool)
    targets = iter([unit.id for unit in units for _ in range(per_unit)])

    async def assign(count: int) -> None:
        for i in range(count):
            await ledger.assignments.assign(
                CTX,
                Assign(
                    unit_id=next(targets),
                    person_id=persons[i % 100].id,
                    role=Role.STAFF,
                    title="Officer",
                    principal_title=None,
                    portfolio=[Category.LAW_ENFORCEMENT],
                    reports_to=None,
                    effective_from=START,
                ),
            )

    async def once() -> float:
        return commands / await timed(lambda: assign(commands))

    await assign(warm_up)
    head = await store.head_position()
    figure.note = (
        f"{commands} commands per repetition over {len(units)} unit{'s' * (len(units) > 1)}"
        f" of N assignments; the log holds {head:,} events before the first"
    )
    return Measured(figure, once)


async def populate(ledger: Ledger, blocks: int, worker: int) -> None:
    """A realistic history through the commands: per block one department with a principal,
    two leaders reporting to it and three staff, then a portfolio change, an end, a rename
    and a correction (17 commands, 17 events)."""
    root = await ledger.units.register_unit(
        CTX,
        RegisterUnit(
            name=f"County government {worker}",
            kind=UnitKind.GOVERNMENT,
            level=UnitLevel.COUNTY,
            parent_id=None,
            code=f"G{worker}-{uuid.uuid4().hex[:6]}",
        ),
    )
    for b in range(blocks):
        unit = await ledger.units.register_unit(
            CTX,
            RegisterUnit(
                name=f"Department {worker}.{b}",
                kind=UnitKind.DEPARTMENT,
                level=UnitLevel.COUNTY,
                parent_id=root.id,
                code=f"D{worker}-{b}-{uuid.uuid4().hex[:6]}",
            ),
        )
        persons = []
        for _ in range(6):
            n = uuid.uuid4().hex[:10]
            person = await ledger.persons.register_person(
                CTX, RegisterPerson(name=f"Person {n}", person_no=f"P-{n}")
            )
            persons.append(person.id)
        common: dict[str, Any] = {"unit_id": unit.id, "effective_from": START}
        head = await ledger.assignments.assign(
            CTX,
            Assign(
                person_id=persons[0],
                role=Role.PRINCIPAL,
                title="Director",
                principal_title=PrincipalTitle.UNIT_HEAD,
                portfolio=[Category.MAJOR_DECISION],
                reports_to=None,
                **common,
            ),
        )
        leaders = []
        for p, topic in ((1, Category.LAW_ENFORCEMENT), (2, Category.LEGALITY_REVIEW)):
            leader = await ledger.assignments.assign(
                CTX,
                Assign(
                    person_id=persons[p],
                    role=Role.LEADER,
                    title="Deputy director",
                    principal_title=None,
                    portfolio=[topic],
                    reports_to=head.id,
                    **common,
                ),
            )
            leaders.append(leader.id)
        staff = []
        for p in range(3, 6):
            member = await ledger.assignments.assign(
                CTX,
                Assign(
                    person_id=persons[p],
                    role=Role.STAFF,
                    title="Officer",
                    principal_title=None,
                    portfolio=[],
                    reports_to=None,
                    **common,
                ),
            )
            staff.append(member.id)
        later = date(2024, 6, 1)
        await ledger.assignments.change_portfolio(
            CTX,
            leaders[0],
            ChangePortfolio(
                portfolio=[Category.LAW_ENFORCEMENT, Category.DISPUTE_RESOLUTION],
                effective_on=later,
            ),
        )
        await ledger.assignments.end_assignment(
            CTX, staff[0], EndAssignment(effective_to=later, reason=EndReason.RETIRED)
        )
        await ledger.units.rename_unit(
            CTX, unit.id, RenameUnit(name=f"Bureau {worker}.{b}", effective_on=later)
        )
        await ledger.persons.correct_person(
            CTX, persons[5], CorrectPerson(name=f"Corrected {b}", person_no=None, reason="typo")
        )
