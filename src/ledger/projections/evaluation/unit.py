"""The evaluation reference of a unit, or of its jurisdiction, for a period: principals,
findings, rectification rates, the cases resting on the findings, assessments."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.chain import queries as chain_query
from ledger.projections.common import known
from ledger.projections.evaluation.period import findings, roles
from ledger.projections.evaluation.timing import rates, rectification_counts
from ledger.projections.records import queries as records_query


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
