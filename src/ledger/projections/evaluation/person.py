"""The evaluation reference of a person for a period: roles held, findings attributed,
rectification of those they owned, accountability and the assessments of units led."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from ledger.domain.vocab import Liability, Role
from ledger.projections.chain import queries as chain_query
from ledger.projections.common import known
from ledger.projections.evaluation.period import FINDING, FINDINGS, findings, roles
from ledger.projections.evaluation.timing import rectification_counts, with_timing
from ledger.projections.records import queries as records_query

_ATTRIBUTED = FINDINGS.format(
    columns=FINDING + ", t.liability, t.automatic, t.assignment_id",
    join="JOIN loop_attributions t ON t.finding_id = f.finding_id AND " + known("t", 1),
    condition="t.person_id = $4",
)
# A sanction's decisions; an appeal is the person's act, not a decision on them.
_CASES_OF_PERSON = (
    "c.person_id = $2 AND (c.opened_on BETWEEN $3 AND $4 OR EXISTS (SELECT 1"
    " FROM rec_sanction_steps s WHERE s.case_id = c.case_id AND s.known_from <= $1"
    " AND s.step <> 'appealed' AND s.step_on BETWEEN $3 AND $4))"
)


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
