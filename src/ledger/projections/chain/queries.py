"""Queries of the responsibility chain read model (plain SQL on its tables), as known at a
ledger position."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.chain.tree import build_tree
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


async def get_person(
    pool: asyncpg.Pool, person_id: UUID, position: int = NOW
) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT person_id AS id, name, version FROM chain_persons p"
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


_UNIT_COLUMNS = ("id", "name", "kind", "level", "parent_id", "code", "dissolved", "merged_into")
# The unit, its holders on the day, and whether each one's line leads to an assignment in
# effect that day: one statement (a round trip, not three). A unit with no holders is one
# row of nulls beside it; no unit, no row.
_CHAIN = (
    "WITH u AS (SELECT unit_id AS id, name, kind, level, parent_id, code, dissolved,"
    " merged_into, version FROM chain_units u WHERE unit_id = $1 AND " + known("u", 2) + "),"
    " h AS (" + _ASSIGNMENT + " AND a.unit_id = $1 AND a.effective_from <= $3"
    " AND (a.effective_to IS NULL OR a.effective_to > $3))"
    " SELECT " + ", ".join(f"u.{c} AS u_{c}" for c in _UNIT_COLUMNS) + ","
    " u.version AS u_version, h.*, EXISTS (SELECT 1 FROM chain_assignments x"
    " WHERE x.assignment_id = h.reports_to AND " + known("x", 2) + " AND x.effective_from <= $3"
    " AND (x.effective_to IS NULL OR x.effective_to > $3)) AS line_in_effect"
    " FROM u LEFT JOIN h ON true"
    " ORDER BY h.role, h.principal_title NULLS LAST, h.effective_from, h.id"
)
_NOT_HOLDER = ("u_", "line_in_effect")  # the unit's columns, and the line's test


async def chain(
    pool: asyncpg.Pool, unit_id: UUID, valid_at: date, position: int = NOW
) -> dict[str, Any] | None:
    """The tree principal(s) → leaders → staff of a unit on ``valid_at``, with its gaps."""
    rows = await pool.fetch(_CHAIN, unit_id, position, valid_at)
    if not rows:
        return None
    first = rows[0]
    unit = {c: first[f"u_{c}"] for c in (*_UNIT_COLUMNS, "version")}
    holders = [
        {k: v for k, v in r.items() if not k.startswith(_NOT_HOLDER)}
        for r in rows
        if r["id"] is not None
    ]
    inside = {h["id"] for h in holders}
    in_effect = {
        r["reports_to"] for r in rows if r["line_in_effect"] and r["reports_to"] not in inside
    }
    return {"unit": unit, **build_tree(holders, in_effect)}


_AFTER = " AND (a.effective_from, a.assignment_id) > ($4, $5)"
_PAGE = " ORDER BY a.effective_from, a.assignment_id LIMIT $6"
_FIRST = (date.min, UUID(int=0))


async def holders(
    pool: asyncpg.Pool,
    unit_id: UUID,
    valid_at: date,
    *,
    limit: int,
    after: tuple[date, UUID] | None = None,
    position: int = NOW,
) -> list[dict[str, Any]]:
    """The assignments of a unit in effect on ``valid_at``, longest held first
    (effective_from, then id), after ``after``."""
    rows = await pool.fetch(
        _ASSIGNMENT + " AND a.unit_id = $1 AND a.effective_from <= $3"
        " AND (a.effective_to IS NULL OR a.effective_to > $3)" + _AFTER + _PAGE,
        unit_id,
        position,
        valid_at,
        *(after or _FIRST),
        limit,
    )
    return [dict(r) for r in rows]


async def posts_of_person(
    pool: asyncpg.Pool,
    person_id: UUID,
    valid_at: date,
    *,
    limit: int,
    after: tuple[date, UUID] | None = None,
    position: int = NOW,
) -> list[dict[str, Any]]:
    """Every assignment a person held, in any unit, earliest first (effective_from, then
    id), after ``after``: each with its unit's name, portfolio and line on ``valid_at``."""
    rows = await pool.fetch(
        "SELECT x.*, u.name AS unit_name FROM ("
        + _ASSIGNMENT
        + " AND a.person_id = $1"
        + _AFTER
        + _PAGE
        + ") x LEFT JOIN chain_units u ON u.unit_id = x.unit_id AND "
        + known("u", 2)
        + " ORDER BY x.effective_from, x.id",
        person_id,
        position,
        valid_at,
        *(after or _FIRST),
        limit,
    )
    return [dict(r) for r in rows]
