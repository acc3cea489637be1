"""Event handlers of the loop read model: the loop status of every finding (问题整改闭环), its
attributions and deadlines, as known at each position."""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.domain.finding import Finding
from ledger.domain.vocab import FindingStage
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.common import Expr, Versioned, cited, event_class, supersede
from ledger.projections.runner import Projection

NAME = "findings_v1"
TABLES = ["loop_findings", "loop_attributions", "loop_deadlines"]

_FINDINGS = Versioned(
    "loop_findings",
    "finding_id",
    "finding_id, unit_id, inspection_id, clue_id, category, severity, description, found_on,"
    " original_deadline, deadline, stage, outcome, measures, owner_person_id,"
    " owner_assignment_id, plan_due_on, planned_on, progress_reports, last_reported_on,"
    " rejections, extensions, verified_on, referred_to, referred_on, closed_on, basis,"
    " documents, raised_at, version",
)


async def _supersede(
    conn: asyncpg.Connection,
    e: Any,
    row: RecordedEvent,
    changes: dict[str, Any],
    then: str | None = None,
    *then_args: Any,
) -> None:
    """The finding's successor row, with the document the event cites (its ``basis``)."""
    cites = {"documents": cited(4 + len(then_args))}
    await supersede(
        conn,
        _FINDINGS,
        e.originator_id,
        row,
        changes | cites,
        then=then,
        then_args=(*then_args, e.basis),
    )


async def raised(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The finding and its original deadline (extension 0), in one statement."""
    await conn.execute(
        "WITH finding AS (INSERT INTO loop_findings (finding_id, unit_id, inspection_id,"
        "  clue_id, category, severity, description, found_on, original_deadline, deadline,"
        "  stage, basis, documents, raised_at, version, known_from)"
        "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $14,"
        "  array_remove(ARRAY[$14::text], NULL), $11, $12, $13))"
        " INSERT INTO loop_deadlines (finding_id, extension, deadline, known_from)"
        " VALUES ($1, 0, $9, $13)",
        e.originator_id,
        e.unit_id,
        e.inspection_id,
        e.clue_id,
        e.category.value,
        e.severity.value,
        e.description,
        e.found_on,
        e.deadline,
        FindingStage.RAISED.value,
        row.recorded_at,
        row.stream_version,
        row.position,
        e.basis,
    )


async def attributed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    # The finding's row is superseded too: its version is the stream's, which If-Match names.
    await _supersede(
        conn,
        e,
        row,
        {},
        "INSERT INTO loop_attributions (finding_id, person_id, assignment_id, liability,"
        " automatic, reason, known_from) VALUES ($1, $4, $5, $6, $7, $8, $3)",
        e.person_id,
        e.assignment_id,
        e.liability.value,
        e.automatic,
        e.reason,
    )


async def attribution_withdrawn(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(
        conn,
        e,
        row,
        {},
        "UPDATE loop_attributions SET known_to = $3"
        " WHERE finding_id = $1 AND person_id = $4 AND known_to IS NULL",
        e.person_id,
    )


async def rectification_planned(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(
        conn,
        e,
        row,
        {
            "stage": FindingStage.RECTIFYING.value,
            "measures": e.measures,
            "owner_person_id": e.owner_person_id,
            "owner_assignment_id": e.owner_assignment_id,
            "plan_due_on": e.due_on,
            "planned_on": e.planned_on,
        },
    )


async def progress_reported(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes: dict[str, Any] = {
        "progress_reports": Expr("progress_reports + 1"),
        "last_reported_on": e.reported_on,
    }
    if e.complete:
        changes["stage"] = FindingStage.AWAITING_VERIFICATION.value
    await _supersede(conn, e, row, changes)


async def verified(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(
        conn,
        e,
        row,
        {"stage": FindingStage.VERIFIED.value, "verified_on": e.verified_on},
    )


async def rejected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(
        conn,
        e,
        row,
        {"stage": FindingStage.RECTIFYING.value, "rejections": Expr("rejections + 1")},
    )


async def deadline_extended(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The new deadline, and its row in loop_deadlines numbered by the successor's count."""
    await _supersede(
        conn,
        e,
        row,
        {"deadline": e.new_deadline, "extensions": Expr("extensions + 1")},
        "INSERT INTO loop_deadlines (finding_id, extension, deadline, previous_deadline,"
        " approver_person_id, reason, extended_on, known_from)"
        " SELECT finding_id, extensions, deadline, $4, $5, $6, $7, $3 FROM successor",
        e.previous_deadline,
        e.approver_person_id,
        e.reason,
        e.extended_on,
    )


async def referred(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(
        conn,
        e,
        row,
        {
            "stage": FindingStage.REFERRED.value,
            "referred_to": e.to_unit_id,
            "referred_on": e.referred_on,
        },
    )


async def closed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(
        conn,
        e,
        row,
        {
            "stage": FindingStage.CLOSED.value,
            "outcome": e.outcome.value,
            "closed_on": e.closed_on,
        },
    )


async def corrected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _supersede(conn, e, row, {e.field.value: getattr(e.new, "value", e.new)})


PROJECTION = Projection(
    NAME,
    "findings",
    {
        event_class(Finding, "Raised"): raised,
        event_class(Finding, "Corrected"): corrected,
        event_class(Finding, "Attributed"): attributed,
        event_class(Finding, "AttributionWithdrawn"): attribution_withdrawn,
        event_class(Finding, "RectificationPlanned"): rectification_planned,
        event_class(Finding, "ProgressReported"): progress_reported,
        event_class(Finding, "RectificationVerified"): verified,
        event_class(Finding, "RectificationRejected"): rejected,
        event_class(Finding, "DeadlineExtended"): deadline_extended,
        event_class(Finding, "Referred"): referred,
        event_class(Finding, "Closed"): closed,
    },
)
