"""Event handlers of the records read model for inspections (督察): the inspection's row
through its stages, with every document (文号) its events cite, and its evidence."""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.infra.eventstore import RecordedEvent
from ledger.projections.common import Versioned, cited

_INSPECTIONS = Versioned(
    "rec_inspections",
    "inspection_id",
    "inspection_id, title, year, organizer_unit_id, target_unit_ids, team, topics, starts_on,"
    " ends_on, stage, started_on, fed_back_on, feedback_summary, closed_on, documents, version",
)


async def planned(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await conn.execute(
        "INSERT INTO rec_inspections (inspection_id, title, year, organizer_unit_id,"
        " target_unit_ids, team, topics, starts_on, ends_on, stage, documents, version, known_from)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'planned', array_remove(ARRAY[$12::text],"
        " NULL), $10, $11)",
        e.originator_id,
        e.title,
        e.year,
        e.organizer_unit_id,
        e.target_unit_ids,
        e.team,
        [t.value for t in e.topics],
        e.starts_on,
        e.ends_on,
        row.stream_version,
        row.position,
        e.basis,
    )


async def started(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {"stage": "'started'", "started_on": "$4::date", "documents": cited(5)}
    await conn.execute(
        _INSPECTIONS.statement(changes),
        e.originator_id,
        row.stream_version,
        row.position,
        e.started_on,
        e.basis,
    )


async def evidence_recorded(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The evidence row, and the inspection's next version."""
    await conn.execute(
        _INSPECTIONS.statement(
            {"documents": cited(11)},
            "INSERT INTO rec_evidence (inspection_id, version, method, summary, document, sha256,"
            " unit_id, collected_on, actor, basis, recorded_at, known_from)"
            " VALUES ($1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $3)",
        ),
        e.originator_id,
        row.stream_version,
        row.position,
        e.method.value,
        e.summary,
        e.document,
        e.sha256,
        e.unit_id,
        e.collected_on,
        e.actor,
        e.basis,
        row.recorded_at,
    )


async def fed_back(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {
        "stage": "'fed_back'",
        "fed_back_on": "$4::date",
        "feedback_summary": "$5::text",
        "documents": cited(6),
    }
    await conn.execute(
        _INSPECTIONS.statement(changes),
        e.originator_id,
        row.stream_version,
        row.position,
        e.fed_back_on,
        e.summary,
        e.basis,
    )


async def inspection_closed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {"stage": "'closed'", "closed_on": "$4::date", "documents": cited(5)}
    await conn.execute(
        _INSPECTIONS.statement(changes),
        e.originator_id,
        row.stream_version,
        row.position,
        e.closed_on,
        e.basis,
    )
