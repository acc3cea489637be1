"""Event handlers of the records read model: clues, bulletins, indicator sets and
assessments (inspections and evidence in ``inspections``, cases and sanctions in
``cases``), and the projection that maps every records event to its handler."""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.domain.accountability import AccountabilityCase
from ledger.domain.assessment import Assessment, IndicatorSet
from ledger.domain.bulletin import Bulletin
from ledger.domain.clue import Clue
from ledger.domain.inspection import Inspection
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.batch import Batch, BatchedProjection, table
from ledger.projections.common import Versioned, as_json, event_class
from ledger.projections.records import cases, inspections

NAME = "records_v1"
TABLES = [
    "rec_inspections",
    "rec_evidence",
    "rec_cases",
    "rec_sanctions",
    "rec_sanction_steps",
    "rec_clues",
    "rec_bulletins",
    "rec_bulletin_recipients",
    "rec_indicator_sets",
    "rec_assessments",
]

# Clues (线索)

_CLUES = table(
    "rec_clues",
    "clue_id",
    "clue_id, origin, external_id, summary, received_at, unit_id, recorded_at, outcome,"
    " finding_id, triage_reason, triaged_at, version",
)


def clue_received(b: Batch, e: Any, row: RecordedEvent) -> None:
    clue = {
        "clue_id": e.originator_id,
        "origin": e.origin.value,
        "external_id": e.external_id,
        "summary": e.summary,
        "received_at": e.received_at,
        "unit_id": e.unit_id,
        "recorded_at": row.recorded_at,
        "outcome": None,
        "finding_id": None,
        "triage_reason": None,
        "triaged_at": None,
        "version": row.stream_version,
    }
    b.insert("rec_clues", clue, row)


def clue_triaged(b: Batch, e: Any, row: RecordedEvent) -> None:
    changes = {
        "outcome": e.outcome.value,
        "finding_id": e.finding_id,
        "triage_reason": e.reason,
        "triaged_at": row.recorded_at,
    }
    b.supersede("rec_clues", e.originator_id, row, changes)


# Bulletins (通报)


async def bulletin_issued(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The bulletin and its recipients, in the order named."""
    await conn.execute(
        "WITH bulletin AS (INSERT INTO rec_bulletins (bulletin_id, kind, title, inspection_id,"
        "  finding_ids, issued_on, summary, basis, recorded_at, version, known_from)"
        "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11))"
        " INSERT INTO rec_bulletin_recipients (bulletin_id, ordinal, unit_id, known_from)"
        " SELECT $1, r.ordinal, r.unit_id, $11"
        " FROM unnest($12::uuid[]) WITH ORDINALITY AS r(unit_id, ordinal)",
        e.originator_id,
        e.kind.value,
        e.title,
        e.inspection_id,
        e.finding_ids,
        e.issued_on,
        e.summary,
        e.basis,
        row.recorded_at,
        row.stream_version,
        row.position,
        e.recipient_unit_ids,
    )


# Assessments (考核)


async def indicator_set_defined(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await conn.execute(
        "INSERT INTO rec_indicator_sets (indicator_set_id, year, name, indicators, basis,"
        " version, known_from) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
        e.originator_id,
        e.year,
        e.name,
        as_json(e.indicators),
        e.basis,
        row.stream_version,
        row.position,
    )


_ASSESSMENTS = Versioned(
    "rec_assessments",
    "assessment_id",
    "assessment_id, version, indicator_set_id, unit_id, year, scores, total, grade,"
    " assessed_on, reason, basis, actor, recorded_at",
)


async def unit_assessed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await conn.execute(
        f"INSERT INTO rec_assessments ({_ASSESSMENTS.columns}, known_from)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14)",
        e.originator_id,
        row.stream_version,
        e.indicator_set_id,
        e.unit_id,
        e.year,
        as_json(e.scores),
        e.total,
        e.grade.value,
        e.assessed_on,
        e.reason,
        e.basis,
        e.actor,
        row.recorded_at,
        row.position,
    )


async def reassessed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """A new row for the reassessment; the one before it is closed, never erased."""
    changes = {
        "scores": "$4::jsonb",
        "total": "$5",
        "grade": "$6",
        "assessed_on": "$7",
        "reason": "$8",
        "basis": "$9",
        "actor": "$10",
        "recorded_at": "$11",
    }
    await conn.execute(
        _ASSESSMENTS.statement(changes),
        e.originator_id,
        row.stream_version,
        row.position,
        as_json(e.scores),
        e.total,
        e.grade.value,
        e.assessed_on,
        e.reason,
        e.basis,
        e.actor,
        row.recorded_at,
    )


# Clues come in bursts (a hotline's batch): applied a batch at a time; the rest one
# statement per event, in order with them.
PROJECTION = BatchedProjection(
    NAME,
    "records",
    [_CLUES],
    {
        event_class(Clue, "Received"): clue_received,
        event_class(Clue, "Triaged"): clue_triaged,
    },
    {
        event_class(Inspection, "Planned"): inspections.planned,
        event_class(Inspection, "Started"): inspections.started,
        event_class(Inspection, "EvidenceRecorded"): inspections.evidence_recorded,
        event_class(Inspection, "ResultsFedBack"): inspections.fed_back,
        event_class(Inspection, "Closed"): inspections.inspection_closed,
        event_class(AccountabilityCase, "Opened"): cases.case_opened,
        event_class(AccountabilityCase, "SanctionImposed"): cases.sanction_imposed,
        event_class(AccountabilityCase, "Appealed"): cases.appealed,
        event_class(AccountabilityCase, "SanctionUpheld"): cases.upheld,
        event_class(AccountabilityCase, "SanctionModified"): cases.modified,
        event_class(AccountabilityCase, "SanctionRevoked"): cases.revoked,
        event_class(AccountabilityCase, "Closed"): cases.case_closed,
        event_class(Bulletin, "Issued"): bulletin_issued,
        event_class(IndicatorSet, "Defined"): indicator_set_defined,
        event_class(Assessment, "UnitAssessed"): unit_assessed,
        event_class(Assessment, "Reassessed"): reassessed,
    },
)
