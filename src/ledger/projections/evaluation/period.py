"""What both references read for a period, as known at one position: the assignments in
effect on some day of it, and the findings found in it with their rectification timing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

from ledger.projections.common import known
from ledger.projections.evaluation.timing import with_timing

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
FINDING = (
    "f.finding_id AS id, f.unit_id, u.name AS unit_name, f.category, f.severity,"
    " f.description, f.found_on, f.original_deadline, f.deadline, f.stage, f.outcome,"
    " f.verified_on, f.closed_on, f.basis, f.documents"
)
FINDINGS = (
    "SELECT {columns} FROM loop_findings f"
    " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND "
    + known("u", 1)
    + " {join} WHERE "
    + known("f", 1)
    + " AND f.found_on BETWEEN $2 AND $3 AND {condition} ORDER BY f.found_on, f.finding_id"
)


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
    sql = FINDINGS.format(columns=FINDING, join="", condition=condition)
    return [with_timing(dict(r), as_of) for r in await pool.fetch(sql, position, start, end, *args)]
