"""Queries of the records read model, as known at a ledger position (names from the chain,
findings from the loop read model)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.common import NOW, known, number


def _dict(row: asyncpg.Record | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


async def unit_names(
    pool: asyncpg.Pool, ids: Sequence[UUID], position: int = NOW
) -> list[dict[str, Any]]:
    """The units ``ids``, in that order, with their name and kind (None if unknown)."""
    rows = await pool.fetch(
        "SELECT t.id, u.name, u.kind FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)"
        " LEFT JOIN chain_units u ON u.unit_id = t.id AND " + known("u", 2) + " ORDER BY t.n",
        list(ids),
        position,
    )
    return [dict(r) for r in rows]


async def person_names(
    pool: asyncpg.Pool, ids: Sequence[UUID], position: int = NOW
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT t.id, p.name FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)"
        " LEFT JOIN chain_persons p ON p.person_id = t.id AND " + known("p", 2) + " ORDER BY t.n",
        list(ids),
        position,
    )
    return [dict(r) for r in rows]


# Inspections

_FINDINGS_OF_INSPECTION = (
    "SELECT f.finding_id AS id, f.unit_id, u.name AS unit_name, f.category, f.severity,"
    " f.description, f.found_on, f.original_deadline, f.deadline, f.stage, f.outcome,"
    " f.verified_on, f.closed_on FROM loop_findings f"
    " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND "
    + known("u", 2)
    + " WHERE f.inspection_id = $1 AND "
    + known("f", 2)
    + " ORDER BY f.found_on, f.finding_id"
)


async def get_inspection(
    pool: asyncpg.Pool, inspection_id: UUID, position: int = NOW
) -> dict[str, Any] | None:
    """The inspection with its evidence and the findings raised by it."""
    inspection = _dict(
        await pool.fetchrow(
            "SELECT i.inspection_id AS id, i.version, i.title, i.year, i.organizer_unit_id,"
            " o.name AS organizer_name, i.target_unit_ids, i.team, i.topics, i.starts_on,"
            " i.ends_on, i.stage, i.started_on, i.fed_back_on, i.feedback_summary, i.closed_on,"
            " i.documents FROM rec_inspections i"
            " LEFT JOIN chain_units o ON o.unit_id = i.organizer_unit_id AND "
            + known("o", 2)
            + " WHERE i.inspection_id = $1 AND "
            + known("i", 2),
            inspection_id,
            position,
        )
    )
    if inspection is None:
        return None
    targets = await unit_names(pool, inspection.pop("target_unit_ids"), position)
    inspection["targets"] = [{"id": t["id"], "name": t["name"]} for t in targets]
    inspection["team"] = await person_names(pool, inspection["team"], position)
    evidence = await pool.fetch(
        "SELECT version, method, summary, document, sha256, unit_id, collected_on, actor, basis,"
        " recorded_at FROM rec_evidence WHERE inspection_id = $1 AND known_from <= $2"
        " ORDER BY version",
        inspection_id,
        position,
    )
    inspection["evidence"] = [dict(e) for e in evidence]
    findings = await pool.fetch(_FINDINGS_OF_INSPECTION, inspection_id, position)
    inspection["findings"] = [dict(f) for f in findings]
    return inspection


# Accountability cases

_CASE = (
    "SELECT c.case_id AS id, c.version, c.person_id, p.name AS person_name, c.finding_ids,"
    " c.handling_unit_id, u.name AS handling_unit_name, c.opened_on, c.reason, c.basis,"
    " c.closed_on, c.closed_reason FROM rec_cases c"
    " LEFT JOIN chain_persons p ON p.person_id = c.person_id AND "
    + known("p", 1)
    + " LEFT JOIN chain_units u ON u.unit_id = c.handling_unit_id AND "
    + known("u", 1)
    + " WHERE "
    + known("c", 1)
)


async def sanctions_of(
    pool: asyncpg.Pool, case_ids: Sequence[UUID], position: int = NOW
) -> dict[UUID, list[dict[str, Any]]]:
    """Each case's sanctions as they stood at ``position``, each with every step so far."""
    sanctions = await pool.fetch(
        "SELECT s.sanction_id AS id, s.case_id, s.kind, s.original_kind, s.state,"
        " s.state <> 'revoked' AS in_force, s.imposed_on, s.decided_on, s.basis"
        " FROM rec_sanctions s WHERE s.case_id = ANY($1::uuid[]) AND "
        + known("s", 2)
        + " ORDER BY s.imposed_on, s.known_from",
        list(case_ids),
        position,
    )
    steps = await pool.fetch(
        "SELECT sanction_id, step, step_on, kind, previous_kind, reason, basis, actor,"
        " recorded_at, known_from AS position FROM rec_sanction_steps"
        " WHERE case_id = ANY($1::uuid[]) AND known_from <= $2 ORDER BY known_from",
        list(case_ids),
        position,
    )
    by_sanction: dict[UUID, list[dict[str, Any]]] = {}
    for step in steps:
        item = dict(step)
        by_sanction.setdefault(item.pop("sanction_id"), []).append(item)
    found: dict[UUID, list[dict[str, Any]]] = {case_id: [] for case_id in case_ids}
    for row in sanctions:
        sanction = dict(row)
        sanction["steps"] = by_sanction.get(sanction["id"], [])
        found.setdefault(sanction.pop("case_id"), []).append(sanction)
    return found


async def cases_where(
    pool: asyncpg.Pool,
    condition: str,
    args: Sequence[Any],
    position: int = NOW,
    *,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Cases as known at ``position`` ($1) meeting ``condition`` on ``c`` (its parameters
    ``args`` from $2), with their sanctions; by opening date (then id), the first
    ``limit``."""
    order = "c.opened_on DESC, c.case_id" if newest_first else "c.opened_on, c.case_id"
    tail = f" LIMIT ${len(args) + 2}" if limit is not None else ""
    rows = await pool.fetch(
        _CASE + f" AND ({condition}) ORDER BY {order}{tail}",
        position,
        *args,
        *([limit] if limit is not None else []),
    )
    cases = [dict(r) for r in rows]
    sanctions = await sanctions_of(pool, [c["id"] for c in cases], position)
    for case in cases:
        case["sanctions"] = sanctions[case["id"]]
    return cases


async def get_case(pool: asyncpg.Pool, case_id: UUID, position: int = NOW) -> dict[str, Any] | None:
    found = await cases_where(pool, "c.case_id = $2", [case_id], position)
    return found[0] if found else None


# Clues

CLUE = (
    "SELECT c.clue_id AS id, c.version, c.origin AS source, c.external_id, c.summary,"
    " c.received_at, c.unit_id, u.name AS unit_name, c.recorded_at, c.outcome, c.finding_id,"
    " c.triage_reason, c.triaged_at FROM rec_clues c"
    " LEFT JOIN chain_units u ON u.unit_id = c.unit_id AND "
    + known("u", 1)
    + " WHERE "
    + known("c", 1)
)


async def get_clue(pool: asyncpg.Pool, clue_id: UUID, position: int = NOW) -> dict[str, Any] | None:
    return _dict(await pool.fetchrow(CLUE + " AND c.clue_id = $2", position, clue_id))


async def find_clue(
    pool: asyncpg.Pool, origin: str, external_id: str, position: int = NOW
) -> dict[str, Any] | None:
    """The clue another system knows by (source, external_id)."""
    return _dict(
        await pool.fetchrow(
            CLUE + " AND c.origin = $2 AND c.external_id = $3", position, origin, external_id
        )
    )


# Bulletins


# Indicator sets and assessments


async def get_indicator_set(
    pool: asyncpg.Pool, indicator_set_id: UUID, position: int = NOW
) -> dict[str, Any] | None:
    found = _dict(
        await pool.fetchrow(
            "SELECT indicator_set_id AS id, version, year, name, indicators, basis"
            " FROM rec_indicator_sets WHERE indicator_set_id = $1 AND known_from <= $2",
            indicator_set_id,
            position,
        )
    )
    if found is not None:
        found["indicators"] = json.loads(found["indicators"])
    return found


_ASSESSMENTS = (
    "SELECT a.assessment_id, a.indicator_set_id, s.name AS indicator_set_name, a.unit_id,"
    " n.name AS unit_name, a.year, a.version, a.total, a.grade, a.scores, a.assessed_on,"
    " a.reason, a.basis, a.actor, a.recorded_at, a.known_from AS position,"
    " (a.known_to IS NULL OR a.known_to > $2) AS current"
    " FROM rec_assessments a"
    " LEFT JOIN rec_indicator_sets s ON s.indicator_set_id = a.indicator_set_id"
    " LEFT JOIN chain_units n ON n.unit_id = a.unit_id AND "
    + known("n", 2)
    + " WHERE a.unit_id = ANY($1::uuid[]) AND a.known_from <= $2 AND a.year BETWEEN $3 AND $4"
    " ORDER BY a.year DESC, s.name, a.assessment_id, a.version DESC"
)
_HEAD = ("indicator_set_id", "indicator_set_name", "unit_id", "unit_name", "year")


async def assessments(
    pool: asyncpg.Pool,
    unit_ids: Sequence[UUID],
    position: int = NOW,
    years: tuple[int, int] = (0, 9999),
) -> list[dict[str, Any]]:
    """Each assessment of the units in ``years`` as it stood at ``position``, latest year
    first, with the versions a reassessment replaced listed under ``earlier``."""
    rows = await pool.fetch(_ASSESSMENTS, list(unit_ids), position, *years)
    found: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        version = {k: number(v) for k, v in dict(row).items()}
        version["scores"] = json.loads(version["scores"])
        assessment_id = version.pop("assessment_id")
        head = {k: version.pop(k) for k in _HEAD}
        if version.pop("current"):
            found[assessment_id] = {"id": assessment_id, **head, **version, "earlier": []}
        else:
            found[assessment_id]["earlier"].append(version)
    return list(found.values())
