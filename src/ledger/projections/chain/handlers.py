"""Event handlers of the responsibility chain read model: units, persons and assignments as
versioned rows, each assignment's portfolio and reporting line by the day they take effect."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.domain.assignment import Assignment
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import CorrectableField
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.common import Versioned, supersede
from ledger.projections.common import event_class as _event
from ledger.projections.runner import Projection

NAME = "chain_v1"
TABLES = ["chain_units", "chain_persons", "chain_assignments", "chain_portfolios", "chain_lines"]

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


async def corrected(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
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


PROJECTION = Projection(
    NAME,
    "chain",
    {
        _event(Unit, "Registered"): unit_registered,
        _event(Unit, "Renamed"): unit_renamed,
        _event(Unit, "Moved"): unit_moved,
        _event(Unit, "Dissolved"): unit_dissolved,
        _event(Person, "Registered"): person_registered,
        _event(Person, "DetailsCorrected"): person_corrected,
        _event(Assignment, "Assigned"): assigned,
        _event(Assignment, "PortfolioChanged"): portfolio_changed,
        _event(Assignment, "LineChanged"): line_changed,
        _event(Assignment, "Ended"): ended,
        _event(Assignment, "Corrected"): corrected,
    },
)
