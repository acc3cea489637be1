"""Event handlers of the responsibility chain read model: units, persons and assignments as
versioned rows, each assignment's portfolio and reporting line by the day they take effect.
Applied a batch at a time (``projections.batch``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.domain.assignment import Assignment
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import CorrectableField
from ledger.infra.eventstore import RecordedEvent
from ledger.projections.batch import Batch, BatchedProjection, table
from ledger.projections.common import event_class as _event

NAME = "chain_v1"
TABLES = ["chain_units", "chain_persons", "chain_assignments", "chain_portfolios", "chain_lines"]

_UNITS = table(
    "chain_units",
    "unit_id",
    "unit_id, name, kind, level, parent_id, code, dissolved, merged_into, version",
)
_PERSONS = table("chain_persons", "person_id", "person_id, name, version")
_ASSIGNMENTS = table(
    "chain_assignments",
    "assignment_id",
    "assignment_id, unit_id, person_id, role, title, principal_title, reports_to,"
    " effective_from, effective_to, end_reason, version",
)
# What is in effect from a day on ('-infinity', date.min here: from the start).
_PORTFOLIOS = table(
    "chain_portfolios",
    "assignment_id",
    "assignment_id, effective_from, portfolio",
    key=("effective_from",),
    types={"effective_from": "date"},
)
_LINES = table(
    "chain_lines",
    "assignment_id",
    "assignment_id, effective_from, reports_to",
    key=("effective_from",),
    types={"effective_from": "date"},
)
_HISTORIES = {"chain_portfolios": "portfolio", "chain_lines": "reports_to"}


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def unit_registered(b: Batch, e: Any, row: RecordedEvent) -> None:
    unit = {
        "unit_id": e.originator_id,
        "name": e.name,
        "kind": e.kind.value,
        "level": e.level.value,
        "parent_id": e.parent_id,
        "code": e.code,
        "dissolved": False,
        "merged_into": None,
        "version": row.stream_version,
    }
    b.insert("chain_units", unit, row)


def unit_renamed(b: Batch, e: Any, row: RecordedEvent) -> None:
    b.supersede("chain_units", e.originator_id, row, {"name": e.name})


def unit_moved(b: Batch, e: Any, row: RecordedEvent) -> None:
    b.supersede("chain_units", e.originator_id, row, {"parent_id": e.parent_id})


def unit_dissolved(b: Batch, e: Any, row: RecordedEvent) -> None:
    changes = {"dissolved": True, "merged_into": e.merged_into}
    b.supersede("chain_units", e.originator_id, row, changes)


def person_registered(b: Batch, e: Any, row: RecordedEvent) -> None:
    person = {"person_id": e.originator_id, "name": e.name, "version": row.stream_version}
    b.insert("chain_persons", person, row)


def person_corrected(b: Batch, e: Any, row: RecordedEvent) -> None:
    # The identity number is in no read model: it is found through its keyed hash's tag.
    changes = {"name": e.name} if e.name is not None else {}
    b.supersede("chain_persons", e.originator_id, row, changes)


def assigned(b: Batch, e: Any, row: RecordedEvent) -> None:
    """The assignment, its first portfolio and its first line."""
    assignment = {
        "assignment_id": e.originator_id,
        "unit_id": e.unit_id,
        "person_id": e.person_id,
        "role": e.role.value,
        "title": e.title,
        "principal_title": _value(e.principal_title),
        "reports_to": e.reports_to,
        "effective_from": e.effective_from,
        "effective_to": None,
        "end_reason": None,
        "version": row.stream_version,
    }
    b.insert("chain_assignments", assignment, row)
    portfolio = [c.value for c in e.portfolio]
    _from(b, "chain_portfolios", e.originator_id, None, portfolio, row)
    _from(b, "chain_lines", e.originator_id, None, e.reports_to, row)


def _from(
    b: Batch,
    table_name: str,
    assignment_id: UUID,
    since: date | None,
    value: Any,
    row: RecordedEvent,
) -> None:
    """Record the value (portfolio or line) in effect from ``since`` (None: from the start),
    superseding what was known for that day."""
    day = date.min if since is None else since
    b.close(table_name, assignment_id, row, lambda r: r["effective_from"] == day)
    column = _HISTORIES[table_name]
    values = {"assignment_id": assignment_id, "effective_from": day, column: value}
    b.insert(table_name, values, row)


def portfolio_changed(b: Batch, e: Any, row: RecordedEvent) -> None:
    portfolio = [c.value for c in e.portfolio]
    _from(b, "chain_portfolios", e.originator_id, e.effective_on, portfolio, row)
    b.supersede("chain_assignments", e.originator_id, row, {})  # the new version


def line_changed(b: Batch, e: Any, row: RecordedEvent) -> None:
    _from(b, "chain_lines", e.originator_id, e.effective_on, e.reports_to, row)
    b.supersede("chain_assignments", e.originator_id, row, {"reports_to": e.reports_to})


def ended(b: Batch, e: Any, row: RecordedEvent) -> None:
    changes = {"effective_to": e.effective_to, "end_reason": e.end_reason.value}
    b.supersede("chain_assignments", e.originator_id, row, changes)


def corrected(b: Batch, e: Any, row: RecordedEvent) -> None:
    field = CorrectableField(e.field)
    if field is CorrectableField.REPORTS_TO:
        # A correction restates the line in effect now: the latest one recorded.
        days = [r["effective_from"] for r in b.current("chain_lines", e.originator_id)]
        latest = max(days, default=date.min)
        since = None if latest == date.min else latest
        _from(b, "chain_lines", e.originator_id, since, e.new, row)
    b.supersede("chain_assignments", e.originator_id, row, {field.value: _value(e.new)})


PROJECTION = BatchedProjection(
    NAME,
    "chain",
    [_UNITS, _PERSONS, _ASSIGNMENTS, _PORTFOLIOS, _LINES],
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
