"""Event handlers of the records read model for accountability cases (问责) and every step
of their sanctions."""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.infra.eventstore import RecordedEvent
from ledger.projections.common import Versioned

_CASES = Versioned(
    "rec_cases",
    "case_id",
    "case_id, person_id, finding_ids, handling_unit_id, opened_on, reason, basis, closed_on,"
    " closed_reason, version",
)
_SANCTIONS = Versioned(
    "rec_sanctions",
    "sanction_id",
    "sanction_id, case_id, person_id, kind, original_kind, state, imposed_on, decided_on, basis",
)


async def case_opened(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await conn.execute(
        "INSERT INTO rec_cases (case_id, person_id, finding_ids, handling_unit_id, opened_on,"
        " reason, basis, version, known_from) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        e.originator_id,
        e.person_id,
        e.finding_ids,
        e.handling_unit_id,
        e.opened_on,
        e.reason,
        e.basis,
        row.stream_version,
        row.position,
    )


_CASE = _CASES.successor("$1", "$3", {"version": "$2"}, named=True)
# $1 case, $2 version, $3 position, $4 sanction, $5 step, $6 day, $7 reason, $8 basis,
# $9 actor, $10 recorded at; a step's kind is the sanction's kind after it.
_STEP = (
    " INSERT INTO rec_sanction_steps (sanction_id, case_id, step, step_on, kind, previous_kind,"
    "  reason, basis, actor, recorded_at, known_from)"
    " SELECT $4, $1, $5, $6, {kind}, {previous}, $7, $8, $9, $10, $3 FROM {source}"
)


async def _sanction_step(
    conn: asyncpg.Connection,
    e: Any,
    row: RecordedEvent,
    step: str,
    day: Any,
    changes: dict[str, str],
    extra: list[Any],
) -> None:
    """Supersede the sanction with ``changes`` ($11… are ``extra``), record the step and
    move the case's version on, in one statement."""
    sanction = _SANCTIONS.successor("$4", "$3", changes, named=True)
    previous = "closed_rec_sanctions.kind" if step == "modified" else "NULL"
    kind = changes.get("kind", "closed_rec_sanctions.kind")
    await conn.execute(
        f"WITH {_CASE}, {sanction}"
        + _STEP.format(kind=kind, previous=previous, source="closed_rec_sanctions"),
        e.originator_id,
        row.stream_version,
        row.position,
        e.sanction_id,
        step,
        day,
        e.reason,
        e.basis,
        e.actor,
        row.recorded_at,
        *extra,
    )


async def sanction_imposed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    """The sanction (against the case's person), its first step, the case's next version."""
    await conn.execute(
        f"WITH {_CASE}, sanction AS (INSERT INTO rec_sanctions (sanction_id, case_id,"
        "  person_id, kind, original_kind, state, imposed_on, decided_on, basis, known_from)"
        "  SELECT $4, $1, person_id, $11, $11, 'imposed', $6, $6, $8, $3 FROM closed_rec_cases)"
        + _STEP.format(kind="$11", previous="NULL", source="closed_rec_cases"),
        e.originator_id,
        row.stream_version,
        row.position,
        e.sanction_id,
        "imposed",
        e.decided_on,
        e.reason,
        e.basis,
        e.actor,
        row.recorded_at,
        e.kind.value,
    )


async def appealed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    await _sanction_step(conn, e, row, "appealed", e.appealed_on, {"state": "'appealed'"}, [])


async def upheld(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {"state": "'upheld'", "decided_on": "$6"}
    await _sanction_step(conn, e, row, "upheld", e.decided_on, changes, [])


async def modified(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {"state": "'modified'", "decided_on": "$6", "kind": "$11::text"}
    await _sanction_step(conn, e, row, "modified", e.decided_on, changes, [e.kind.value])


async def revoked(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {"state": "'revoked'", "decided_on": "$6"}
    await _sanction_step(conn, e, row, "revoked", e.decided_on, changes, [])


async def case_closed(conn: asyncpg.Connection, e: Any, row: RecordedEvent) -> None:
    changes = {"closed_on": "$4::date", "closed_reason": "$5::text"}
    await conn.execute(
        _CASES.statement(changes),
        e.originator_id,
        row.stream_version,
        row.position,
        e.closed_on,
        e.reason,
    )
