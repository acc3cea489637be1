"""The responsibility-chain read model, driven through the command service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from eventsourcing.persistence import StoredEvent

from ledger.application import CommandResult, Context, Ledger
from ledger.application.commands import (
    Assign,
    ChangePortfolio,
    CorrectAssignment,
    CorrectPerson,
    DissolveUnit,
    EndAssignment,
    RegisterPerson,
    RegisterUnit,
    RenameUnit,
)
from ledger.domain.errors import InvariantViolation, PrincipalOverlap
from ledger.domain.vocab import (
    Category,
    CorrectableField,
    EndReason,
    PrincipalTitle,
    Role,
    UnitKind,
    UnitLevel,
)
from ledger.infra.codec import make_mapper
from ledger.infra.eventstore import NewEvent
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.chain import queries as chain_query
from ledger.projections.common import NOW
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import rebuild, tracked_position

Project = Callable[[], Awaitable[int]]
CTX = Context(actor="tester")
COVERED_BY_ALL = [c for c in Category if c is not Category.OTHER]


@dataclass
class Org:
    """A county government with a principal, a leader under it and a staff member under that."""

    unit: UUID
    principal: UUID
    leader: UUID
    staff: UUID


async def person(ledger: Ledger, name: str) -> UUID:
    return (await ledger.persons.register_person(CTX, RegisterPerson(name=name, person_no=None))).id


async def unit(ledger: Ledger, name: str = "某县人民政府", **kw: Any) -> UUID:
    facts: dict[str, Any] = {
        "kind": UnitKind.GOVERNMENT,
        "level": UnitLevel.COUNTY,
        "parent_id": None,
        "code": None,
    }
    facts.update(kw)
    return (await ledger.units.register_unit(CTX, RegisterUnit(name=name, **facts))).id


async def assign(
    ledger: Ledger,
    unit_id: UUID,
    name: str,
    role: Role,
    *,
    since: date = date(2021, 1, 1),
    reports_to: UUID | None = None,
    portfolio: list[Category] | None = None,
    principal_title: PrincipalTitle | None = None,
    title: str | None = None,
) -> UUID:
    if role is Role.PRINCIPAL and principal_title is None:
        principal_title = PrincipalTitle.GOVERNMENT_HEAD
    result = await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=unit_id,
            person_id=await person(ledger, name),
            role=role,
            title=title or {"principal": "县长", "leader": "副县长", "staff": "科员"}[role.value],
            principal_title=principal_title,
            portfolio=portfolio or [],
            reports_to=reports_to,
            effective_from=since,
        ),
    )
    return result.id


async def org(ledger: Ledger, portfolio: list[Category] | None = None) -> Org:
    unit_id = await unit(ledger)
    principal = await assign(ledger, unit_id, "张县长", Role.PRINCIPAL, since=date(2020, 1, 1))
    leader = await assign(
        ledger,
        unit_id,
        "李副县长",
        Role.LEADER,
        since=date(2020, 6, 1),
        reports_to=principal,
        portfolio=portfolio if portfolio is not None else [Category.LAW_ENFORCEMENT],
    )
    staff = await assign(
        ledger, unit_id, "王科员", Role.STAFF, since=date(2021, 1, 1), reports_to=leader
    )
    return Org(unit_id, principal, leader, staff)


async def end(ledger: Ledger, assignment_id: UUID, on: date) -> int:
    result = await ledger.assignments.end_assignment(
        CTX, assignment_id, EndAssignment(effective_to=on, reason=EndReason.TRANSFERRED)
    )
    return result.position


async def read(
    pool: asyncpg.Pool, unit_id: UUID, valid_at: date, position: int = NOW
) -> dict[str, Any]:
    tree = await chain_query.chain(pool, unit_id, valid_at, position)
    assert tree is not None
    return tree


def gaps(tree: dict[str, Any], *, categories: bool = False) -> set[tuple[str, Any]]:
    """The gaps as (kind, assignment or category); uncovered categories only if asked."""
    found = set()
    for gap in tree["gaps"]:
        if gap["kind"] == "uncovered_category":
            if categories:
                found.add((gap["kind"], gap["category"]))
        else:
            found.add((gap["kind"], gap.get("assignment_id")))
    return found


def uncovered(tree: dict[str, Any]) -> set[str]:
    return {g["category"] for g in tree["gaps"] if g["kind"] == "uncovered_category"}


def shape(nodes: list[dict[str, Any]]) -> list[tuple[UUID, Any]]:
    """The tree as nested (assignment id, [children]) pairs."""
    return [(n["id"], shape(n["reports"])) for n in nodes]


def holders(tree: dict[str, Any]) -> set[UUID]:
    found: set[UUID] = set()
    stack = list(tree["chain"])
    while stack:
        node = stack.pop()
        found.add(node["id"])
        stack.extend(node["reports"])
    return found


async def dump(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read-model table, in a stable order, plus the tracking rows."""
    contents = {}
    for table in [t for tables in TABLES.values() for t in tables] + ["projection_tracking"]:
        rows = await pool.fetch(f"SELECT * FROM {table}")
        contents[table] = sorted((tuple(r.values()) for r in rows), key=repr)
    return contents


# the tree


async def test_leaders_nest_under_the_principal_and_staff_under_leaders(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    second_leader = await assign(
        ledger,
        o.unit,
        "赵副县长",
        Role.LEADER,
        reports_to=o.principal,
        portfolio=[Category.MAJOR_DECISION],
    )
    second_staff = await assign(
        ledger, o.unit, "钱科员", Role.STAFF, since=date(2021, 2, 1), reports_to=second_leader
    )
    await project()
    tree = await read(pool, o.unit, date(2022, 1, 1))
    assert tree["unit"]["id"] == o.unit and tree["unit"]["name"] == "某县人民政府"
    (root,) = tree["chain"]
    assert root["id"] == o.principal and root["role"] == "principal"
    assert root["principal_title"] == "government_head"
    assert root["person_name"] == "张县长"
    assert sorted(shape(tree["chain"])[0][1], key=repr) == sorted(
        [(o.leader, [(o.staff, [])]), (second_leader, [(second_staff, [])])], key=repr
    )
    leader = next(n for n in root["reports"] if n["id"] == o.leader)
    assert leader["portfolio"] == ["law_enforcement"]
    assert leader["reports"][0]["person_name"] == "王科员"
    assert gaps(tree) == set()
    assert uncovered(tree) == {c.value for c in COVERED_BY_ALL} - {
        "law_enforcement",
        "major_decision",
    }


async def test_chain_of_an_unknown_unit_is_none(pool: asyncpg.Pool, project: Project) -> None:
    await project()
    assert await chain_query.chain(pool, UUID(int=5), date(2022, 1, 1)) is None


async def test_two_principal_titles_are_both_roots(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    unit_id = await unit(ledger, "某县委", kind=UnitKind.PARTY_COMMITTEE)
    secretary = await assign(
        ledger,
        unit_id,
        "书记",
        Role.PRINCIPAL,
        principal_title=PrincipalTitle.PARTY_SECRETARY,
        since=date(2019, 1, 1),
    )
    head = await assign(ledger, unit_id, "县长", Role.PRINCIPAL, since=date(2020, 1, 1))
    await project()
    tree = await read(pool, unit_id, date(2021, 1, 1))
    assert [n["id"] for n in tree["chain"]] == [secretary, head]
    assert gaps(tree) == set()


# gaps


async def test_no_principal_exactly_when_none_is_in_effect(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await end(ledger, o.principal, date(2023, 1, 1))
    empty = await unit(ledger, "无人单位")
    await project()
    assert ("no_principal", None) in gaps(await read(pool, empty, date(2022, 1, 1)))
    assert ("no_principal", None) in gaps(await read(pool, o.unit, date(2019, 12, 31)))
    assert ("no_principal", None) not in gaps(await read(pool, o.unit, date(2020, 1, 1)))
    assert ("no_principal", None) not in gaps(await read(pool, o.unit, date(2022, 12, 31)))
    assert ("no_principal", None) in gaps(await read(pool, o.unit, date(2023, 1, 1)))


async def test_reports_to_ended_when_the_leaders_principal_ended(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await end(ledger, o.principal, date(2023, 1, 1))
    await project()
    before = await read(pool, o.unit, date(2022, 12, 31))
    assert gaps(before) == set()
    after = await read(pool, o.unit, date(2023, 1, 1))
    assert gaps(after) == {("no_principal", None), ("reports_to_ended", o.leader)}
    # the leader is now a root, the staff still nested under it and still with a line
    assert shape(after["chain"]) == [(o.leader, [(o.staff, [])])]


async def test_staff_without_a_line_to_a_leader(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    loose = await assign(ledger, o.unit, "孙科员", Role.STAFF)
    under_loose = await assign(ledger, o.unit, "周科员", Role.STAFF, reports_to=loose)
    to_principal = await assign(ledger, o.unit, "吴科员", Role.STAFF, reports_to=o.principal)
    await project()
    tree = await read(pool, o.unit, date(2022, 1, 1))
    assert gaps(tree) == {
        ("no_line", loose),
        ("staff_without_leader", loose),
        ("staff_without_leader", under_loose),
    }
    assert to_principal in holders(tree)
    loose_node = next(n for n in tree["chain"] if n["id"] == loose)
    assert shape([loose_node]) == [(loose, [(under_loose, [])])]
    gap = next(g for g in tree["gaps"] if g["assignment_id"] == under_loose)
    assert gap["person_name"] == "周科员" and gap["person_id"] is not None


async def test_staff_loses_its_leader_when_the_leader_ends(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await end(ledger, o.leader, date(2022, 7, 1))
    await project()
    assert gaps(await read(pool, o.unit, date(2022, 6, 30))) == set()
    after = await read(pool, o.unit, date(2022, 7, 1))
    assert gaps(after) == {("reports_to_ended", o.staff), ("staff_without_leader", o.staff)}


async def test_leader_without_a_line(ledger: Ledger, pool: asyncpg.Pool, project: Project) -> None:
    o = await org(ledger)
    floating = await assign(ledger, o.unit, "郑副县长", Role.LEADER, portfolio=[Category.OTHER])
    await project()
    assert gaps(await read(pool, o.unit, date(2022, 1, 1))) == {("no_line", floating)}
    # before the floating leader started there was no gap
    assert gaps(await read(pool, o.unit, date(2020, 12, 31))) == set()


async def test_uncovered_categories_exactly_those_no_leader_covers(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    half = COVERED_BY_ALL[:5]
    o = await org(ledger, portfolio=half)
    # a principal's portfolio does not cover a category; a second leader covers the rest
    await ledger.assignments.change_portfolio(
        CTX, o.principal, ChangePortfolio(portfolio=COVERED_BY_ALL, effective_on=date(2020, 1, 1))
    )
    second = await assign(
        ledger,
        o.unit,
        "赵副县长",
        Role.LEADER,
        since=date(2022, 1, 1),
        reports_to=o.principal,
        portfolio=COVERED_BY_ALL[5:],
    )
    await project()
    before = await read(pool, o.unit, date(2021, 6, 1))
    assert uncovered(before) == {c.value for c in COVERED_BY_ALL[5:]}
    after = await read(pool, o.unit, date(2022, 1, 1))
    assert uncovered(after) == set()
    assert Category.OTHER.value not in uncovered(await read(pool, o.unit, date(2019, 1, 1)))
    await end(ledger, second, date(2023, 1, 1))
    await project()
    assert uncovered(await read(pool, o.unit, date(2023, 1, 1))) == uncovered(before)


async def test_concurrent_principals_of_one_title_leave_one_in_the_chain(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    unit_id = await unit(ledger)
    people = [await person(ledger, f"候选人{i}") for i in range(6)]
    outcomes = await asyncio.gather(
        *(
            ledger.assignments.assign(
                CTX,
                Assign(
                    unit_id=unit_id,
                    person_id=p,
                    role=Role.PRINCIPAL,
                    title="县长",
                    principal_title=PrincipalTitle.GOVERNMENT_HEAD,
                    portfolio=[],
                    reports_to=None,
                    effective_from=date(2021, 1, 1) + timedelta(days=i),
                ),
            )
            for i, p in enumerate(people)
        ),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, CommandResult)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, PrincipalOverlap) for o in outcomes if o not in won)
    await project()
    tree = await read(pool, unit_id, date(2022, 1, 1))
    assert [n["id"] for n in tree["chain"]] == [won[0].id]


# valid time


async def test_valid_at_before_and_after_an_end_and_a_successor(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await end(ledger, o.principal, date(2023, 3, 1))
    successor = await assign(ledger, o.unit, "新县长", Role.PRINCIPAL, since=date(2023, 3, 1))
    await project()
    last_day = await read(pool, o.unit, date(2023, 2, 28))
    assert [n["id"] for n in last_day["chain"]] == [o.principal]
    assert last_day["chain"][0]["effective_to"] == date(2023, 3, 1)
    first_day = await read(pool, o.unit, date(2023, 3, 1))
    assert first_day["chain"][0]["id"] == successor
    assert first_day["chain"][0]["person_name"] == "新县长"
    assert o.principal not in holders(first_day)
    # the leader still names the old principal: its line is now broken
    assert gaps(first_day) == {("reports_to_ended", o.leader)}
    before_all = await read(pool, o.unit, date(2019, 12, 31))
    assert before_all["chain"] == []
    assert gaps(before_all) == {("no_principal", None)}
    staff_not_yet = await read(pool, o.unit, date(2020, 12, 31))
    assert o.staff not in holders(staff_not_yet) and o.leader in holders(staff_not_yet)


async def test_portfolio_change_takes_effect_from_its_date(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger, portfolio=[Category.LAW_ENFORCEMENT])
    changed = await ledger.assignments.change_portfolio(
        CTX,
        o.leader,
        ChangePortfolio(
            portfolio=[Category.COURT_APPEARANCE, Category.LEGAL_PUBLICITY],
            effective_on=date(2022, 6, 1),
        ),
    )
    await project()

    def leader_of(tree: dict[str, Any]) -> dict[str, Any]:
        return next(n for n in tree["chain"][0]["reports"] if n["id"] == o.leader)

    before = await read(pool, o.unit, date(2022, 5, 31))
    assert leader_of(before)["portfolio"] == ["law_enforcement"]
    assert "law_enforcement" not in uncovered(before)
    assert "court_appearance" in uncovered(before)
    after = await read(pool, o.unit, date(2022, 6, 1))
    assert leader_of(after)["portfolio"] == ["court_appearance", "legal_publicity"]
    assert "law_enforcement" in uncovered(after)
    assert not {"court_appearance", "legal_publicity"} & uncovered(after)
    # as known before the change, the old portfolio holds on every day
    earlier = await read(pool, o.unit, date(2022, 6, 1), changed.position - 1)
    assert leader_of(earlier)["portfolio"] == ["law_enforcement"]
    assert leader_of(after)["version"] == 2 and leader_of(earlier)["version"] == 1


# ledger time (known_at)


async def test_correction_before_and_after_as_known_at_a_position(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    title = await ledger.assignments.correct_assignment(
        CTX,
        o.leader,
        CorrectAssignment(field=CorrectableField.TITLE, new="常务副县长", reason="任命文件"),
    )
    start = await ledger.assignments.correct_assignment(
        CTX,
        o.staff,
        CorrectAssignment(
            field=CorrectableField.EFFECTIVE_FROM, new=date(2020, 9, 1), reason="报到日期有误"
        ),
    )
    await project()

    def title_of(tree: dict[str, Any], assignment_id: UUID) -> str:
        stack = list(tree["chain"])
        while stack:
            n = stack.pop()
            if n["id"] == assignment_id:
                return str(n["title"])
            stack.extend(n["reports"])
        raise AssertionError(f"{assignment_id} is not in the chain")

    old = await read(pool, o.unit, date(2022, 1, 1), title.position - 1)
    new = await read(pool, o.unit, date(2022, 1, 1), title.position)
    assert title_of(old, o.leader) == "副县长"
    assert title_of(new, o.leader) == "常务副县长"
    assert title_of(await read(pool, o.unit, date(2022, 1, 1)), o.leader) == "常务副县长"
    # the staff member's corrected start: absent on 2020-10-01 as known before, present after
    assert o.staff not in holders(await read(pool, o.unit, date(2020, 10, 1), start.position - 1))
    assert o.staff in holders(await read(pool, o.unit, date(2020, 10, 1), start.position))


async def test_known_at_maps_a_time_to_what_the_ledger_said(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    ended_at = await end(ledger, o.leader, date(2023, 1, 1))
    corrected = await ledger.assignments.correct_assignment(
        CTX,
        o.leader,
        CorrectAssignment(
            field=CorrectableField.EFFECTIVE_TO, new=date(2022, 6, 1), reason="离任日期更正"
        ),
    )
    await project()
    recorded = {
        r["position"]: r["recorded_at"]
        for r in await pool.fetch("SELECT position, recorded_at FROM ledger_seal")
    }
    known_before = await ledger.events.position_known_at(recorded[corrected.position - 1])
    assert ended_at <= known_before < corrected.position
    said_then = await read(pool, o.unit, date(2022, 9, 1), known_before)
    assert o.leader in holders(said_then)
    assert gaps(said_then) == set()
    said_now = await read(pool, o.unit, date(2022, 9, 1))
    assert o.leader not in holders(said_now)
    assert gaps(said_now) == {("reports_to_ended", o.staff), ("staff_without_leader", o.staff)}
    known_now = await ledger.events.position_known_at(recorded[corrected.position])
    assert known_now == corrected.position
    assert await read(pool, o.unit, date(2022, 9, 1), known_now) == said_now


async def test_reporting_line_correction_moves_the_node(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    other = await assign(ledger, o.unit, "赵副县长", Role.LEADER, reports_to=o.principal)
    moved = await ledger.assignments.correct_assignment(
        CTX,
        o.staff,
        CorrectAssignment(field=CorrectableField.REPORTS_TO, new=other, reason="分工调整"),
    )
    await project()
    before = await read(pool, o.unit, date(2022, 1, 1), moved.position - 1)
    after = await read(pool, o.unit, date(2022, 1, 1))
    assert sorted(shape(before["chain"])[0][1], key=repr) == sorted(
        [(o.leader, [(o.staff, [])]), (other, [])], key=repr
    )
    assert sorted(shape(after["chain"])[0][1], key=repr) == sorted(
        [(o.leader, []), (other, [(o.staff, [])])], key=repr
    )


async def test_unit_rename_and_dissolution_as_known_at(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    renamed = await ledger.units.rename_unit(
        CTX, o.unit, RenameUnit(name="某市某区人民政府", effective_on=None)
    )
    dissolved = await ledger.units.dissolve_unit(
        CTX, o.unit, DissolveUnit(merged_into=None, effective_on=date(2024, 1, 1))
    )
    await project()
    assert (await read(pool, o.unit, date(2022, 1, 1), renamed.position - 1))["unit"]["name"] == (
        "某县人民政府"
    )
    at_rename = (await read(pool, o.unit, date(2022, 1, 1), renamed.position))["unit"]
    assert (at_rename["name"], at_rename["dissolved"], at_rename["version"]) == (
        "某市某区人民政府",
        False,
        2,
    )
    now = (await read(pool, o.unit, date(2022, 1, 1)))["unit"]
    assert (now["name"], now["dissolved"], now["version"]) == ("某市某区人民政府", True, 3)
    assert dissolved.version == 3
    assert await chain_query.chain(pool, o.unit, date(2022, 1, 1), 0) is None


async def test_person_correction_shows_by_position(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await project()
    principal = await chain_query.get_assignment(pool, o.principal, date(2022, 1, 1))
    assert principal is not None
    corrected = await ledger.persons.correct_person(
        CTX, principal["person_id"], CorrectPerson(name="张大明", person_no=None, reason="姓名更正")
    )
    await project()
    before = await read(pool, o.unit, date(2022, 1, 1), corrected.position - 1)
    after = await read(pool, o.unit, date(2022, 1, 1))
    assert before["chain"][0]["person_name"] == "张县长"
    assert after["chain"][0]["person_name"] == "张大明"


# exactly once, and rebuild


async def test_projecting_twice_applies_nothing_the_second_time(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await end(ledger, o.staff, date(2022, 1, 1))
    head = await ledger.events.head_position()
    assert await project() == head
    rows = await dump(pool)
    assert await project() == 0
    assert await dump(pool) == rows
    assert await tracked_position(pool, CHAIN) == head
    # only what came after is applied next time
    await ledger.assignments.change_portfolio(
        CTX, o.leader, ChangePortfolio(portfolio=[Category.OTHER], effective_on=date(2022, 2, 1))
    )
    assert await project() == 1
    assert await tracked_position(pool, CHAIN) == head + 1
    counts = {t: len(r) for t, r in (await dump(pool)).items()}
    assert counts["chain_portfolios"] == len(rows["chain_portfolios"]) + 1
    assert await project() == 0


async def test_rebuild_reproduces_identical_rows(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    o = await org(ledger)
    await ledger.assignments.change_portfolio(
        CTX,
        o.leader,
        ChangePortfolio(portfolio=[Category.MAJOR_DECISION], effective_on=date(2022, 3, 1)),
    )
    await ledger.assignments.correct_assignment(
        CTX,
        o.leader,
        CorrectAssignment(field=CorrectableField.TITLE, new="常务副县长", reason="更正"),
    )
    await end(ledger, o.principal, date(2023, 1, 1))
    await assign(ledger, o.unit, "新县长", Role.PRINCIPAL, since=date(2023, 1, 1))
    await ledger.units.rename_unit(
        CTX, o.unit, RenameUnit(name="新名称", effective_on=date(2023, 1, 1))
    )
    await project()
    before = await dump(pool)
    tree_before = await read(pool, o.unit, date(2023, 6, 1))
    assert len(before["chain_assignments"]) > 4

    # damage the read model: rebuild restores it from the log
    await pool.execute("DELETE FROM chain_assignments WHERE assignment_id = $1", o.staff)
    await pool.execute("UPDATE chain_units SET name = 'wrong'")
    (projection,) = [p for p in PROJECTIONS if p.name == CHAIN]
    applied = await rebuild(pool, make_mapper(), projection, TABLES[CHAIN])
    assert applied == await ledger.events.head_position()
    assert await dump(pool) == before
    assert await read(pool, o.unit, date(2023, 6, 1)) == tree_before
    assert await project() == 0


# person numbers: kept only as a keyed hash, in the events' tags; found and kept unique so


async def test_a_person_is_found_by_number_and_the_number_is_stored_nowhere(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    first = await ledger.persons.register_person(CTX, RegisterPerson(name="甲", person_no="P-1"))
    await ledger.persons.correct_person(
        CTX, first.id, CorrectPerson(name=None, person_no="P-2", reason="编号更正")
    )
    await project()
    assert await ledger.persons.find_by_number("P-2") == first.id
    assert await ledger.persons.find_by_number(" p-2 ") == first.id  # case, outer spaces
    assert await ledger.persons.find_by_number("P-1") is None
    found = await chain_query.get_person(pool, first.id)
    assert found is not None and set(found) == {"id", "name", "version"}
    columns = await pool.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'chain_persons'"
    )
    assert "person_no" not in {c["column_name"] for c in columns}
    stored = await pool.fetch("SELECT state, tags FROM ledger_events")
    assert not any(b"P-1" in bytes(r["state"]) or b"P-2" in bytes(r["state"]) for r in stored)
    assert not any("P-" in tag for r in stored for tag in r["tags"])
    # a number held since registration is taken
    await ledger.persons.register_person(CTX, RegisterPerson(name="丙", person_no="P-7"))
    with pytest.raises(InvariantViolation) as raised:
        await ledger.persons.register_person(CTX, RegisterPerson(name="乙", person_no="p-7"))
    assert raised.value.field == "person_no"
    assert "P-7" not in raised.value.message and "p-7" not in raised.value.message


async def test_number_taken_by_correction_refuses_a_new_holder(ledger: Ledger) -> None:
    first = await ledger.persons.register_person(CTX, RegisterPerson(name="甲", person_no=None))
    await ledger.persons.correct_person(
        CTX, first.id, CorrectPerson(name=None, person_no="P-9", reason="补录编号")
    )
    with pytest.raises(InvariantViolation):
        await ledger.persons.register_person(CTX, RegisterPerson(name="乙", person_no="P-9"))


async def test_number_freed_by_correction_can_be_given_again(ledger: Ledger) -> None:
    first = await ledger.persons.register_person(CTX, RegisterPerson(name="甲", person_no="P-1"))
    await ledger.persons.correct_person(
        CTX, first.id, CorrectPerson(name=None, person_no="P-2", reason="编号更正")
    )
    second = await ledger.persons.register_person(CTX, RegisterPerson(name="乙", person_no="P-1"))
    assert await ledger.persons.find_by_number("P-1") == second.id


async def test_a_number_recorded_before_hashing_is_still_taken(ledger: Ledger) -> None:
    """A version 1 event held the number and was tagged with it: that person, given no
    number since, is counted as holding it (it loads without it: nothing to find by)."""
    legacy = uuid4()
    state = (
        '{"timestamp":{"_type_":"datetime_iso","_data_":"2023-01-05T08:00:00+00:00"},'
        '"originator_topic":"ledger.domain.person:Person","name":"旧甲","person_no":"P-5",'
        '"actor":"old","source":"api","reason":null,"basis":null}'
    )
    stored = StoredEvent(legacy, 1, "ledger.domain.person:Person.Registered", state.encode())
    await ledger.events.append([NewEvent(stored, [f"person:{legacy}", "person-no:P-5"])])
    with pytest.raises(InvariantViolation) as raised:
        await ledger.persons.register_person(CTX, RegisterPerson(name="新乙", person_no="P-5"))
    assert str(legacy) in raised.value.message
    assert await ledger.persons.find_by_number("P-5") is None
    # Given a number again, the legacy person holds that one (by its hash) and frees P-5.
    await ledger.persons.correct_person(
        CTX, legacy, CorrectPerson(name=None, person_no="P-6", reason="重新登记编号")
    )
    assert await ledger.persons.find_by_number("P-6") == legacy
    await ledger.persons.register_person(CTX, RegisterPerson(name="新乙", person_no="P-5"))
