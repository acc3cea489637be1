"""Rules that span aggregates: checked by the application before it appends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from ledger.domain.assignment import Assignment
from ledger.domain.errors import CycleError, PrincipalOverlap, ReportsToError
from ledger.domain.periods import Period
from ledger.domain.unit import Unit
from ledger.domain.vocab import PrincipalTitle, Role, UnitKind


def check_principal_overlap(
    unit_id: UUID,
    principal_title: PrincipalTitle | None,
    period: Period,
    others: Iterable[Assignment],
    *,
    exclude: UUID | None = None,
) -> None:
    """Raised when another person holds the same principal title of the unit in the period."""
    if principal_title is None:
        return
    for other in others:
        if (
            other.id != exclude
            and other.unit_id == unit_id
            and other.role is Role.PRINCIPAL
            and other.principal_title is principal_title
            and other.period.overlaps(period)
        ):
            raise PrincipalOverlap(
                f"unit {unit_id} already has a {principal_title.value} over an overlapping "
                f"period: assignment {other.id} from {other.effective_from}"
                + (f" to {other.effective_to}" if other.effective_to else ""),
                field="effective_from",
            )


def check_reports_to(
    *,
    unit: Unit,
    role: Role,
    period: Period,
    target: Assignment | None,
    field: str = "reports_to",
) -> None:
    """Raised when the line does not lead to an assignment of the same unit over the period.

    A principal of a department may report to an assignment of the parent unit.
    """
    if target is None:
        raise ReportsToError("reports_to names no assignment", field=field)
    allowed_units = {unit.id}
    if role is Role.PRINCIPAL and unit.kind is UnitKind.DEPARTMENT and unit.parent_id:
        allowed_units.add(unit.parent_id)
    if target.unit_id not in allowed_units:
        raise ReportsToError(
            "reports_to must be an assignment of the same unit"
            + (" or of its parent" if len(allowed_units) > 1 else ""),
            field=field,
        )
    if not target.period.covers(period):
        raise ReportsToError(
            f"reports_to assignment {target.id} is not in effect over the whole period",
            field=field,
        )


def check_reports_to_acyclic(
    assignment_id: UUID,
    new_target: UUID,
    lines: Mapping[UUID, UUID | None],
    *,
    field: str = "new",
) -> None:
    """Raised when following ``reports_to`` from ``new_target`` leads back to the assignment."""
    seen = {assignment_id}
    current: UUID | None = new_target
    while current is not None:
        if current in seen:
            raise CycleError("reports_to would form a cycle", field=field)
        seen.add(current)
        current = lines.get(current)


def check_parent_acyclic(unit_id: UUID, ancestors_of_new_parent: Iterable[UUID]) -> None:
    """Raised when the unit is among the ancestors of its new parent."""
    if unit_id in ancestors_of_new_parent:
        raise CycleError("the move would place the unit under itself", field="parent_id")
