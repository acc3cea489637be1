"""Lists of the records read model as known at a ledger position, newest first, a page
at a time after a keyset cursor: inspections, accountability cases and clues
(bulletins: ``bulletins.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.common import NOW, known
from ledger.projections.records.queries import (
    CLUE,
    cases_where,
    unit_names,
)

_INSPECTIONS = (
    "SELECT i.inspection_id AS id, i.version, i.title, i.year, i.organizer_unit_id,"
    " o.name AS organizer_name, i.target_unit_ids, i.stage, i.starts_on, i.ends_on,"
    " i.started_on, i.fed_back_on, i.closed_on FROM rec_inspections i"
    " LEFT JOIN chain_units o ON o.unit_id = i.organizer_unit_id AND "
    + known("o", 1)
    + " WHERE "
    + known("i", 1)
)

_FINDINGS_RAISED = (
    "SELECT f.inspection_id, count(*) AS raised FROM loop_findings f"
    " WHERE f.inspection_id = ANY($1::uuid[]) AND " + known("f", 2) + " GROUP BY f.inspection_id"
)


class Where:
    """Conditions of a statement and their parameters, numbered after the ``taken`` ones."""

    def __init__(self, taken: int) -> None:
        self.taken = taken
        self.args: list[Any] = []
        self.conditions: list[str] = []

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${self.taken + len(self.args)}"

    def after(self, column: str, id_column: str, after: tuple[date, UUID] | None) -> None:
        """Keyset: the rows after (day, id) in (``column`` desc, ``id_column``) order."""
        if after is not None:
            day, last = self.param(after[0]), self.param(after[1])
            self.conditions.append(
                f"({column} < {day} OR ({column} = {day} AND {id_column} > {last}))"
            )


async def list_inspections(
    pool: asyncpg.Pool,
    *,
    limit: int,
    position: int = NOW,
    year: int | None = None,
    organizer_unit_id: UUID | None = None,
    target_unit_id: UUID | None = None,
    stage: str | None = None,
    after: tuple[date, UUID] | None = None,
) -> list[dict[str, Any]]:
    """Inspections as known at ``position``, latest start first (starts_on desc, then id),
    after ``after``: each with its organizer, its targets and how many findings it raised."""
    where = Where(taken=1)
    if year is not None:
        where.conditions.append(f"i.year = {where.param(year)}")
    if organizer_unit_id is not None:
        where.conditions.append(f"i.organizer_unit_id = {where.param(organizer_unit_id)}")
    if target_unit_id is not None:  # the GIN index on target_unit_ids
        where.conditions.append(f"i.target_unit_ids @> ARRAY[{where.param(target_unit_id)}::uuid]")
    if stage is not None:
        where.conditions.append(f"i.stage = {where.param(stage)}")
    where.after("i.starts_on", "i.inspection_id", after)
    rows = await pool.fetch(
        _INSPECTIONS
        + "".join(f" AND {c}" for c in where.conditions)
        + f" ORDER BY i.starts_on DESC, i.inspection_id LIMIT {where.param(limit)}",
        position,
        *where.args,
    )
    inspections = [dict(r) for r in rows]
    ids = list(dict.fromkeys(u for i in inspections for u in i["target_unit_ids"]))
    names = {u["id"]: u["name"] for u in await unit_names(pool, ids, position)}
    raised = {
        r["inspection_id"]: r["raised"]
        for r in await pool.fetch(_FINDINGS_RAISED, [i["id"] for i in inspections], position)
    }
    for inspection in inspections:
        inspection["organizer"] = {
            "id": inspection.pop("organizer_unit_id"),
            "name": inspection.pop("organizer_name"),
        }
        targets = inspection.pop("target_unit_ids")
        inspection["targets"] = [{"id": t, "name": names.get(t)} for t in targets]
        inspection["findings_raised"] = raised.get(inspection["id"], 0)
    return inspections


async def list_cases(
    pool: asyncpg.Pool,
    *,
    limit: int,
    position: int = NOW,
    person_id: UUID | None = None,
    handling_unit_id: UUID | None = None,
    finding_id: UUID | None = None,
    is_open: bool | None = None,
    after: tuple[date, UUID] | None = None,
) -> list[dict[str, Any]]:
    """Accountability cases as known at ``position``, latest opened first (opened_on desc,
    then id), after ``after``, each with its sanctions as they stood then."""
    where = Where(taken=1)  # cases_where's $1 is the position
    if person_id is not None:
        where.conditions.append(f"c.person_id = {where.param(person_id)}")
    if handling_unit_id is not None:
        where.conditions.append(f"c.handling_unit_id = {where.param(handling_unit_id)}")
    if finding_id is not None:  # the GIN index on finding_ids
        where.conditions.append(f"c.finding_ids @> ARRAY[{where.param(finding_id)}::uuid]")
    if is_open is not None:
        where.conditions.append("c.closed_on IS NULL" if is_open else "c.closed_on IS NOT NULL")
    where.after("c.opened_on", "c.case_id", after)
    return await cases_where(
        pool,
        " AND ".join(where.conditions) or "TRUE",
        where.args,
        position,
        newest_first=True,
        limit=limit,
    )


async def list_clues(
    pool: asyncpg.Pool,
    *,
    limit: int,
    position: int = NOW,
    source: str | None = None,
    triaged: bool | None = None,
    after: tuple[datetime, UUID] | None = None,
) -> list[dict[str, Any]]:
    """Clues as known at ``position``, latest received first (received_at desc, then id),
    after ``after``; only those awaiting triage (``triaged`` False) or triaged (True)."""
    where = Where(taken=1)  # CLUE's $1 is the position
    if source is not None:
        where.conditions.append(f"c.origin = {where.param(source)}")
    if triaged is not None:
        where.conditions.append("c.outcome IS " + ("NOT NULL" if triaged else "NULL"))
    where.after("c.received_at", "c.clue_id", after)
    rows = await pool.fetch(
        CLUE
        + "".join(f" AND {c}" for c in where.conditions)
        + f" ORDER BY c.received_at DESC, c.clue_id LIMIT {where.param(limit)}",
        position,
        *where.args,
    )
    return [dict(r) for r in rows]
