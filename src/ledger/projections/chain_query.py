"""Queries of the responsibility chain read model (plain SQL on its tables)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.domain.vocab import Category, Role
from ledger.projections.common import NOW, known

_ASSIGNMENT = (
    "SELECT a.assignment_id AS id, a.unit_id, a.person_id, p.name AS person_name, a.role,"
    " a.title, a.principal_title, l.reports_to, a.effective_from, a.effective_to,"
    " a.end_reason, a.version, coalesce(f.portfolio, '{}') AS portfolio"
    " FROM chain_assignments a"
    " LEFT JOIN chain_persons p ON p.person_id = a.person_id AND "
    + known("p", 2)
    + " LEFT JOIN LATERAL (SELECT portfolio FROM chain_portfolios f"
    "   WHERE f.assignment_id = a.assignment_id AND "
    + known("f", 2)
    + "   AND f.effective_from <= $3 ORDER BY f.effective_from DESC LIMIT 1) f ON true"
    " LEFT JOIN LATERAL (SELECT reports_to FROM chain_lines l"
    "   WHERE l.assignment_id = a.assignment_id AND "
    + known("l", 2)
    + "   AND l.effective_from <= $3 ORDER BY l.effective_from DESC LIMIT 1) l ON true"
    " WHERE " + known("a", 2)
)


async def get_unit(pool: asyncpg.Pool, unit_id: UUID, position: int = NOW) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT unit_id AS id, name, kind, level, parent_id, code, dissolved, merged_into, version"
        " FROM chain_units u WHERE unit_id = $1 AND " + known("u", 2),
        unit_id,
        position,
    )
    return dict(row) if row else None


async def list_units(
    pool: asyncpg.Pool,
    parent_id: UUID | None,
    limit: int,
    after: tuple[str, UUID] | None,
    *,
    roots_only: bool = False,
) -> list[dict[str, Any]]:
    """Current units, by name; under ``parent_id`` if given, top-level if ``roots_only``."""
    where = ["known_to IS NULL"]
    args: list[Any] = []
    if parent_id is not None:
        args.append(parent_id)
        where.append(f"parent_id = ${len(args)}")
    elif roots_only:
        where.append("parent_id IS NULL")
    if after is not None:
        args.extend(after)
        where.append(f"(name, unit_id) > (${len(args) - 1}, ${len(args)})")
    args.append(limit)
    rows = await pool.fetch(
        "SELECT unit_id AS id, name, kind, level, parent_id, code, dissolved, merged_into,"
        " version FROM chain_units WHERE "
        + " AND ".join(where)
        + f" ORDER BY name, unit_id LIMIT ${len(args)}",
        *args,
    )
    return [dict(r) for r in rows]


async def get_person(
    pool: asyncpg.Pool, person_id: UUID, position: int = NOW
) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT person_id AS id, name, person_no, version FROM chain_persons p"
        " WHERE person_id = $1 AND " + known("p", 2),
        person_id,
        position,
    )
    return dict(row) if row else None


async def get_assignment(
    pool: asyncpg.Pool, assignment_id: UUID, valid_at: date, position: int = NOW
) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        _ASSIGNMENT + " AND a.assignment_id = $1", assignment_id, position, valid_at
    )
    return dict(row) if row else None


async def assignments_of_person(
    pool: asyncpg.Pool, person_id: UUID, valid_at: date, position: int = NOW
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        _ASSIGNMENT + " AND a.person_id = $1 ORDER BY a.effective_from",
        person_id,
        position,
        valid_at,
    )
    return [dict(r) for r in rows]


async def chain(
    pool: asyncpg.Pool, unit_id: UUID, valid_at: date, position: int = NOW
) -> dict[str, Any] | None:
    """The tree principal(s) → leaders → staff of a unit on ``valid_at``, with its gaps."""
    unit = await get_unit(pool, unit_id, position)
    if unit is None:
        return None
    rows = await pool.fetch(
        _ASSIGNMENT + " AND a.unit_id = $1 AND a.effective_from <= $3"
        " AND (a.effective_to IS NULL OR a.effective_to > $3)"
        " ORDER BY a.role, a.principal_title NULLS LAST, a.effective_from, a.assignment_id",
        unit_id,
        position,
        valid_at,
    )
    holders = [dict(r) for r in rows]
    inside = {h["id"] for h in holders}
    outside = [h["reports_to"] for h in holders if h["reports_to"] not in inside | {None}]
    in_effect = await pool.fetch(
        "SELECT assignment_id FROM chain_assignments a WHERE assignment_id = ANY($1) AND "
        + known("a", 2)
        + " AND a.effective_from <= $3 AND (a.effective_to IS NULL OR a.effective_to > $3)",
        outside,
        position,
        valid_at,
    )
    return {"unit": unit, **build_tree(holders, {r["assignment_id"] for r in in_effect})}


def build_tree(
    holders: list[dict[str, Any]], lines_outside: set[UUID] | frozenset[UUID] = frozenset()
) -> dict[str, Any]:
    """Nest each assignment under the one it reports to; list the gaps of the loop.

    ``lines_outside`` are assignments of other units (a department head's line to the
    parent unit) in effect on the day: a line to one of them is whole.
    """
    by_id = {h["id"]: {**h, "reports": []} for h in holders}
    roots: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    for node in by_id.values():
        line = node["reports_to"]
        if line is not None and line in by_id:
            by_id[line]["reports"].append(node)
        elif line in lines_outside or (line is None and node["role"] == Role.PRINCIPAL.value):
            roots.append(node)
        else:
            roots.append(node)
            gaps.append(
                _gap(
                    "reports_to_ended" if line is not None else "no_line",
                    node,
                    "reports to an assignment not in effect on this date"
                    if line is not None
                    else "has no reporting line",
                )
            )
    if not any(h["role"] == Role.PRINCIPAL.value for h in holders):
        gaps.insert(0, {"kind": "no_principal", "detail": "no principal responsible person"})
    for node in by_id.values():
        if node["role"] == Role.STAFF.value and not _reaches_leader(node, by_id):
            gaps.append(_gap("staff_without_leader", node, "staff with no line to a leader"))
    covered = {c for h in holders if h["role"] == Role.LEADER.value for c in h["portfolio"]}
    for category in Category:
        if category is not Category.OTHER and category.value not in covered:
            gaps.append(
                {
                    "kind": "uncovered_category",
                    "category": category.value,
                    "detail": "no leader's portfolio covers this category",
                }
            )
    roots.sort(key=lambda n: (n["role"] != Role.PRINCIPAL.value, n["effective_from"]))
    return {"chain": roots, "gaps": gaps}


def _reaches_leader(node: dict[str, Any], by_id: dict[UUID, dict[str, Any]]) -> bool:
    seen: set[UUID] = set()
    line = node["reports_to"]
    while line is not None and line in by_id and line not in seen:
        seen.add(line)
        target = by_id[line]
        if target["role"] in (Role.LEADER.value, Role.PRINCIPAL.value):
            return True
        line = target["reports_to"]
    return False


def _gap(kind: str, node: dict[str, Any], detail: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "assignment_id": node["id"],
        "person_id": node["person_id"],
        "person_name": node["person_name"],
        "detail": detail,
    }
