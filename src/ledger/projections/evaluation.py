"""Evaluation references (考核评价参考): what a personnel department pulls about a person or
a unit for a period, read from the chain, the loop and the records read models at one
ledger position, so the three agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from ledger.domain.vocab import Liability, Role
from ledger.projections.chain import queries as chain_query
from ledger.projections.common import known
from ledger.projections.records import queries as records_query

# $1 the position, $2 and $3 the period; a condition's parameters follow from $4.
_ROLES = (
    "SELECT a.assignment_id, a.unit_id, u.name AS unit_name, a.person_id,"
    " p.name AS person_name, a.role, a.title, a.principal_title, a.effective_from,"
    " a.effective_to, a.end_reason FROM chain_assignments a"
    " LEFT JOIN chain_units u ON u.unit_id = a.unit_id AND "
    + known("u", 1)
    + " LEFT JOIN chain_persons p ON p.person_id = a.person_id AND "
    + known("p", 1)
    + " WHERE "
    + known("a", 1)
    + " AND a.effective_from <= $3 AND (a.effective_to IS NULL OR a.effective_to > $2)"
    " AND {condition} ORDER BY a.effective_from, a.assignment_id"
)
_FINDING = (
    "f.finding_id AS id, f.unit_id, u.name AS unit_name, f.category, f.severity,"
    " f.description, f.found_on, f.original_deadline, f.deadline, f.stage, f.outcome,"
    " f.verified_on, f.closed_on"
)
_FINDINGS = (
    "SELECT {columns} FROM loop_findings f"
    " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND "
    + known("u", 1)
    + " {join} WHERE "
    + known("f", 1)
    + " AND f.found_on BETWEEN $2 AND $3 AND {condition} ORDER BY f.found_on, f.finding_id"
)
_ATTRIBUTED = _FINDINGS.format(
    columns=_FINDING + ", t.liability, t.automatic, t.assignment_id",
    join="JOIN loop_attributions t ON t.finding_id = f.finding_id AND " + known("t", 1),
    condition="t.person_id = $4",
)
# A sanction's decisions; an appeal is the person's act, not a decision on them.
_CASES_OF_PERSON = (
    "c.person_id = $2 AND (c.opened_on BETWEEN $3 AND $4 OR EXISTS (SELECT 1"
    " FROM rec_sanction_steps s WHERE s.case_id = c.case_id AND s.known_from <= $1"
    " AND s.step <> 'appealed' AND s.step_on BETWEEN $3 AND $4))"
)
TIMINGS = ("on_time", "on_time_after_extension", "late", "open", "closed_unverified")


async def roles(
    pool: asyncpg.Pool,
    condition: str,
    args: Sequence[Any],
    start: date,
    end: date,
    position: int,
) -> list[dict[str, Any]]:
    """Assignments in effect at some day of the period, as known at ``position``."""
    rows = await pool.fetch(_ROLES.format(condition=condition), position, start, end, *args)
    return [dict(r) for r in rows]


async def findings(
    pool: asyncpg.Pool,
    condition: str,
    args: Sequence[Any],
    start: date,
    end: date,
    position: int,
    as_of: date,
) -> list[dict[str, Any]]:
    """Findings found in the period meeting ``condition`` on ``f`` (parameters from $4),
    each with its rectification timing and whether it was overdue on ``as_of``."""
    sql = _FINDINGS.format(columns=_FINDING, join="", condition=condition)
    return [with_timing(dict(r), as_of) for r in await pool.fetch(sql, position, start, end, *args)]


def with_timing(finding: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Rectification on time (verified by the original deadline), on time after an
    extension (by the current one), late (after it), open (neither verified nor closed), or
    closed unverified (referred or dismissed); verification decides, not closing."""
    verified = finding["verified_on"]
    if verified is not None:
        if verified <= finding["original_deadline"]:
            timing = "on_time"
        elif verified <= finding["deadline"]:
            timing = "on_time_after_extension"
        else:
            timing = "late"
    else:
        timing = "open" if finding["stage"] != "closed" else "closed_unverified"
    overdue = timing == "open" and finding["deadline"] < as_of
    days = (as_of - finding["deadline"]).days if overdue else 0
    return {**finding, "timing": timing, "overdue": overdue, "days_overdue": days}


def rectification_counts(items: Sequence[dict[str, Any]]) -> dict[str, int]:
    counted = Counter(i["timing"] for i in items)
    return {
        "total": len(items),
        **{t: counted[t] for t in TIMINGS},
        "overdue": sum(1 for i in items if i["overdue"]),
    }


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    """Shares of all findings: on time (with or without an extension), late, open."""
    total = counts["total"]
    shares = {
        "on_time": counts["on_time"] + counts["on_time_after_extension"],
        "late": counts["late"],
        "open": counts["open"],
    }
    return {k: round(v / total, 4) if total else None for k, v in shares.items()}


def _overlap(role: dict[str, Any], start: date, end: date) -> tuple[date, date]:
    """The days of the period the assignment held (its effective_to is exclusive)."""
    last = end if role["effective_to"] is None else min(end, role["effective_to"] - timedelta(1))
    return max(start, role["effective_from"]), last


async def _led_assessments(
    pool: asyncpg.Pool, held: Sequence[dict[str, Any]], start: date, end: date, position: int
) -> list[dict[str, Any]]:
    """Assessments of the units led as principal, for the years of each tenure within the
    period."""
    found = []
    for role in held:
        if role["role"] != Role.PRINCIPAL.value:
            continue
        first, last = _overlap(role, start, end)
        for item in await records_query.assessments(
            pool, [role["unit_id"]], position, (first.year, last.year)
        ):
            found.append({**item, "assignment_id": role["assignment_id"]})
    return found


async def person_reference(
    pool: asyncpg.Pool, person_id: UUID, start: date, end: date, position: int, as_of: date
) -> dict[str, Any] | None:
    """Roles held, findings attributed (by liability), rectification of the findings they
    owned, accountability with each sanction as it stands after appeals, and the
    assessments of the units they led — for the period, as known at ``position``."""
    person = await chain_query.get_person(pool, person_id, position)
    if person is None:
        return None
    held = await roles(pool, "a.person_id = $4", [person_id], start, end, position)
    attributed = await pool.fetch(_ATTRIBUTED, position, start, end, person_id)
    by_liability: dict[str, list[dict[str, Any]]] = {k.value: [] for k in Liability}
    for row in attributed:
        item = with_timing(dict(row), as_of)
        by_liability[item.pop("liability")].append(item)
    owned = await findings(pool, "f.owner_person_id = $4", [person_id], start, end, position, as_of)
    cases = await records_query.cases_where(
        pool, _CASES_OF_PERSON, [person_id, start, end], position
    )
    return {
        "person": {"id": person["id"], "name": person["name"]},
        "roles": held,
        "findings": by_liability,
        "rectification": {"counts": rectification_counts(owned), "items": owned},
        "accountability": cases,
        "assessments": await _led_assessments(pool, held, start, end, position),
    }


async def jurisdiction(pool: asyncpg.Pool, unit_id: UUID, position: int) -> list[dict[str, Any]]:
    """The unit and every unit below it, as known at ``position``; the unit first."""
    rows = await pool.fetch(
        "WITH RECURSIVE below(unit_id, depth) AS (SELECT $1::uuid, 0 UNION"
        " SELECT u.unit_id, b.depth + 1 FROM chain_units u JOIN below b"
        " ON u.parent_id = b.unit_id WHERE " + known("u", 2) + " AND b.depth < 64)"
        " SELECT b.unit_id AS id, u.name, min(b.depth) AS depth FROM below b"
        " LEFT JOIN chain_units u ON u.unit_id = b.unit_id AND "
        + known("u", 2)
        + " GROUP BY b.unit_id, u.name ORDER BY depth, u.name, b.unit_id",
        unit_id,
        position,
    )
    return [{"id": r["id"], "name": r["name"]} for r in rows]


async def unit_reference(
    pool: asyncpg.Pool,
    unit_id: UUID,
    start: date,
    end: date,
    position: int,
    as_of: date,
    include_subunits: bool,
) -> dict[str, Any] | None:
    """Principals, findings (by category and stage, rectification rates), the cases resting
    on them, and the assessments of the years of the period — of the unit, or of its
    jurisdiction."""
    unit = await chain_query.get_unit(pool, unit_id, position)
    if unit is None:
        return None
    covered = (
        await jurisdiction(pool, unit_id, position)
        if include_subunits
        else [{"id": unit["id"], "name": unit["name"]}]
    )
    ids = [u["id"] for u in covered]
    principals = await roles(
        pool,
        "a.unit_id = ANY($4::uuid[]) AND a.role = 'principal'",
        [ids],
        start,
        end,
        position,
    )
    found = await findings(pool, "f.unit_id = ANY($4::uuid[])", [ids], start, end, position, as_of)
    counts = rectification_counts(found)
    cases = await records_query.cases_where(
        pool, "c.finding_ids && $2::uuid[]", [[f["id"] for f in found]], position
    )
    return {
        "unit": {k: unit[k] for k in ("id", "name", "kind", "level")},
        "units": covered,
        "principals": principals,
        "findings": {
            "total": len(found),
            "by_category": dict(Counter(f["category"] for f in found)),
            "by_stage": dict(Counter(f["stage"] for f in found)),
            "items": found,
        },
        "rectification": {"counts": counts, "rates": rates(counts)},
        "accountability": cases,
        "assessments": await records_query.assessments(pool, ids, position, (start.year, end.year)),
    }
