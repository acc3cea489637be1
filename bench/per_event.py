"""The chain and findings read models as they were before batching: one SQL statement per
event, kept as the baseline of their catch-up.

Before ``projections.batch`` (commits e90dd04, findings, and ef3a75d, the chain), every
handler ran one statement per event (two for a portfolio or line change, three for a
correction of a reporting line): an INSERT, or two CTEs closing the current row
(``known_to``) and inserting its successor (``common.Versioned``/``supersede``). The
handlers below are those of ``git show e90dd04^:src/ledger/projections/findings/handlers.py``
and ``git show ef3a75d^:src/ledger/projections/chain/handlers.py``, unchanged but for their
names. Their projections carry the shipped read models' names (``chain_v1``,
``findings_v1``) and SQL files, so they write the same tables and the same tracking rows
(``bench/province_read.py`` checks that both designs leave the same rows).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.domain.assignment import Assignment
from ledger.domain.finding import Finding
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import CorrectableField, FindingStage
from ledger.infra.eventstore import RecordedEvent
from ledger.projections import chain, findings
from ledger.projections.common import Expr, Versioned, cited, event_class, supersede
from ledger.projections.runner import Projection

# --- findings_v1, one statement per event (e90dd04^) -------------------------------------

_FINDINGS = Versioned(
    "loop_findings",
    "finding_id",
    "finding_id, unit_id, inspection_id, clue_id, category, severity, description, found_on,"
    " original_deadline, deadline, stage, outcome, measures, owner_person_id,"
    " owner_assignment_id, plan_due_on, planned_on, progress_reports, last_reported_on,"
    " rejections, extensions, verified_on, referred_to, referred_on, closed_on, basis,"
    " documents, raised_at, version",
)


async def _finding_supersede(
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


async def finding_raised(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
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


async def finding_attributed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    # The finding's row is superseded too: its version is the stream's, which If-Match names.
    await _finding_supersede(
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


async def finding_attribution_withdrawn(
    conn: asyncpg.Connection, e: Any, row: RecordedEvent
) -> None:
    await _finding_supersede(
        conn,
        e,
        row,
        {},
        "UPDATE loop_attributions SET known_to = $3"
        " WHERE finding_id = $1 AND person_id = $4 AND known_to IS NULL",
        e.person_id,
    )


async def finding_rectification_planned(
    conn: asyncpg.Connection, e: Any, row: RecordedEvent
) -> None:
    await _finding_supersede(
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


async def finding_progress_reported(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes: dict[str, Any] = {
        "progress_reports": Expr("progress_reports + 1"),
        "last_reported_on": e.reported_on,
    }
    if e.complete:
        changes["stage"] = FindingStage.AWAITING_VERIFICATION.value
    await _finding_supersede(conn, e, row, changes)


async def finding_verified(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _finding_supersede(
        conn,
        e,
        row,
        {"stage": FindingStage.VERIFIED.value, "verified_on": e.verified_on},
    )


async def finding_rejected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _finding_supersede(
        conn,
        e,
        row,
        {"stage": FindingStage.RECTIFYING.value, "rejections": Expr("rejections + 1")},
    )


async def finding_deadline_extended(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The new deadline, and its row in loop_deadlines numbered by the successor's count."""
    await _finding_supersede(
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


async def finding_referred(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _finding_supersede(
        conn,
        e,
        row,
        {
            "stage": FindingStage.REFERRED.value,
            "referred_to": e.to_unit_id,
            "referred_on": e.referred_on,
        },
    )


async def finding_closed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _finding_supersede(
        conn,
        e,
        row,
        {
            "stage": FindingStage.CLOSED.value,
            "outcome": e.outcome.value,
            "closed_on": e.closed_on,
        },
    )


async def finding_corrected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _finding_supersede(conn, e, row, {e.field.value: getattr(e.new, "value", e.new)})


FINDINGS = Projection(
    findings.NAME,
    "findings",
    {
        event_class(Finding, "Raised"): finding_raised,
        event_class(Finding, "Corrected"): finding_corrected,
        event_class(Finding, "Attributed"): finding_attributed,
        event_class(Finding, "AttributionWithdrawn"): finding_attribution_withdrawn,
        event_class(Finding, "RectificationPlanned"): finding_rectification_planned,
        event_class(Finding, "ProgressReported"): finding_progress_reported,
        event_class(Finding, "RectificationVerified"): finding_verified,
        event_class(Finding, "RectificationRejected"): finding_rejected,
        event_class(Finding, "DeadlineExtended"): finding_deadline_extended,
        event_class(Finding, "Referred"): finding_referred,
        event_class(Finding, "Closed"): finding_closed,
    },
)


# --- chain_v1, one statement per event (ef3a75d^) ----------------------------------------

_UNITS = Versioned(
    "chain_units",
    "unit_id",
    "unit_id, name, kind, level, parent_id, code, dissolved, merged_into, version",
)
_PERSONS = Versioned("chain_persons", "person_id", "person_id, name, version")
_ASSIGNMENTS = Versioned(
    "chain_assignments",
    "assignment_id",
    "assignment_id, unit_id, person_id, role, title, principal_title, reports_to,"
    " effective_from, effective_to, end_reason, version",
)
_HISTORIES = {"chain_portfolios": "portfolio", "chain_lines": "reports_to"}


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


async def unit_registered(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await conn.execute(
        "INSERT INTO chain_units (unit_id, name, kind, level, parent_id, code, version, known_from)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.originator_id,
        e.name,
        e.kind.value,
        e.level.value,
        e.parent_id,
        e.code,
        row.stream_version,
        row.position,
    )


async def unit_renamed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await supersede(conn, _UNITS, e.originator_id, row, {"name": e.name})


async def unit_moved(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await supersede(conn, _UNITS, e.originator_id, row, {"parent_id": e.parent_id})


async def unit_dissolved(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await supersede(
        conn, _UNITS, e.originator_id, row, {"dissolved": True, "merged_into": e.merged_into}
    )


async def person_registered(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await conn.execute(
        "INSERT INTO chain_persons (person_id, name, version, known_from) VALUES ($1, $2, $3, $4)",
        e.originator_id,
        e.name,
        row.stream_version,
        row.position,
    )


async def person_corrected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    # The identity number is in no read model: it is found through its keyed hash's tag.
    changes = {"name": e.name} if e.name is not None else {}
    await supersede(conn, _PERSONS, e.originator_id, row, changes)


async def assigned(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The assignment, its first portfolio and its first line, in one statement."""
    await conn.execute(
        "WITH assignment AS (INSERT INTO chain_assignments (assignment_id, unit_id, person_id,"
        "  role, title, principal_title, reports_to, effective_from, version, known_from)"
        "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)),"
        " portfolio AS (INSERT INTO chain_portfolios"
        "  (assignment_id, effective_from, portfolio, known_from)"
        "  VALUES ($1, '-infinity', $11, $10))"
        " INSERT INTO chain_lines (assignment_id, effective_from, reports_to, known_from)"
        " VALUES ($1, '-infinity', $7, $10)",
        e.originator_id,
        e.unit_id,
        e.person_id,
        e.role.value,
        e.title,
        _value(e.principal_title),
        e.reports_to,
        e.effective_from,
        row.stream_version,
        row.position,
        [c.value for c in e.portfolio],
    )


async def _from(
    conn: asyncpg.Connection,
    table: str,
    assignment_id: UUID,
    since: date | None,
    value: Any,
    row: RecordedEvent,
) -> None:
    """Record the value (portfolio or line) in effect from ``since`` (None: from the start),
    superseding what was known for that day."""
    column = _HISTORIES[table]
    await conn.execute(
        f"WITH closed AS (UPDATE {table} SET known_to = $4 WHERE assignment_id = $1"
        " AND effective_from = coalesce($2, '-infinity'::date) AND known_to IS NULL)"
        f" INSERT INTO {table} (assignment_id, effective_from, {column}, known_from)"
        " VALUES ($1, coalesce($2, '-infinity'::date), $3, $4)",
        assignment_id,
        since,
        value,
        row.position,
    )


async def portfolio_changed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    portfolio = [c.value for c in e.portfolio]
    await _from(conn, "chain_portfolios", e.originator_id, e.effective_on, portfolio, row)
    await supersede(conn, _ASSIGNMENTS, e.originator_id, row, {})  # the new version


async def line_changed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _from(conn, "chain_lines", e.originator_id, e.effective_on, e.reports_to, row)
    await supersede(conn, _ASSIGNMENTS, e.originator_id, row, {"reports_to": e.reports_to})


async def ended(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await supersede(
        conn,
        _ASSIGNMENTS,
        e.originator_id,
        row,
        {"effective_to": e.effective_to, "end_reason": e.end_reason.value},
    )


async def assignment_corrected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    field = CorrectableField(e.field)
    if field is CorrectableField.REPORTS_TO:
        # A correction restates the line in effect now: the latest one recorded.
        latest = await conn.fetchval(
            "SELECT max(effective_from) FROM chain_lines"
            " WHERE assignment_id = $1 AND known_to IS NULL",
            e.originator_id,
        )
        since = None if latest == date.min else latest
        await _from(conn, "chain_lines", e.originator_id, since, e.new, row)
    await supersede(conn, _ASSIGNMENTS, e.originator_id, row, {field.value: _value(e.new)})


CHAIN = Projection(
    chain.NAME,
    "chain",
    {
        event_class(Unit, "Registered"): unit_registered,
        event_class(Unit, "Renamed"): unit_renamed,
        event_class(Unit, "Moved"): unit_moved,
        event_class(Unit, "Dissolved"): unit_dissolved,
        event_class(Person, "Registered"): person_registered,
        event_class(Person, "DetailsCorrected"): person_corrected,
        event_class(Assignment, "Assigned"): assigned,
        event_class(Assignment, "PortfolioChanged"): portfolio_changed,
        event_class(Assignment, "LineChanged"): line_changed,
        event_class(Assignment, "Ended"): ended,
        event_class(Assignment, "Corrected"): assignment_corrected,
    },
)

# By the name of the read model each one replaces (and writes the tables of).
PER_EVENT: dict[str, Projection] = {chain.NAME: CHAIN, findings.NAME: FINDINGS}
