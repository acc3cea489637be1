"""Who answers for a finding: the unit's chain on the day it was found (责任认定)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ledger.domain.assignment import Assignment
from ledger.domain.errors import InvariantViolation, NotAttributable
from ledger.domain.vocab import Category, Liability, Role

# The roles through which each liability can be borne.
_ROLES = {
    Liability.PRINCIPAL: {Role.PRINCIPAL},
    Liability.LEADERSHIP: {Role.PRINCIPAL, Role.LEADER},
    Liability.DIRECT: {Role.PRINCIPAL, Role.LEADER, Role.STAFF},
}

# The reason recorded on the attributions made when a finding is raised (the chain that
# answered for its category on the day it was found), as stored: it is part of the event.
AUTOMATIC_ATTRIBUTION = "automatic: responsible on found_on"


@dataclass(frozen=True)
class Attribution:
    """责任认定: who answers for the finding, through which assignment, with what liability."""

    person_id: UUID
    assignment_id: UUID
    liability: Liability
    automatic: bool


def portfolio_on(assignment: Assignment, day: date) -> list[Category]:
    """The portfolio an assignment held on ``day``."""
    return [value for since, value in assignment.portfolios if since <= day][-1]


def held_on(unit_id: UUID, assignments: Iterable[Assignment], day: date) -> list[Assignment]:
    """The unit's assignments in effect on ``day``."""
    return [a for a in assignments if a.unit_id == unit_id and a.holds_on(day)]


def responsible_on(
    unit_id: UUID, assignments: Iterable[Assignment], day: date, category: Category
) -> list[tuple[Assignment, Liability]]:
    """The automatic attributions: the principal(s) on ``day``, then the leaders whose
    portfolio covered ``category`` that day; one per person, principal first."""
    found: dict[UUID, tuple[Assignment, Liability]] = {}
    in_effect = sorted(held_on(unit_id, assignments, day), key=lambda a: a.effective_from)
    for a in in_effect:
        if a.role is Role.PRINCIPAL:
            found.setdefault(a.person_id, (a, Liability.PRINCIPAL))
    for a in in_effect:
        if a.role is Role.LEADER and category in portfolio_on(a, day):
            found.setdefault(a.person_id, (a, Liability.LEADERSHIP))
    return list(found.values())


def check_someone_answers(
    unit_id: UUID, day: date, responsible: Iterable[tuple[Assignment, Liability]]
) -> None:
    """Raised when the unit had no principal on ``day``: a finding needs someone to answer
    for it, so the chain must be recorded first."""
    if not any(liability is Liability.PRINCIPAL for _, liability in responsible):
        raise InvariantViolation(
            f"unit {unit_id} had no principal on {day}: record its responsibility"
            " chain first, so the finding has someone to answer for it",
            field="found_on",
        )


def check_attributable(
    unit_id: UUID,
    person_id: UUID,
    liability: Liability,
    assignments: Iterable[Assignment],
    day: date,
    *,
    field: str = "person_id",
) -> Assignment:
    """Raised when the person held no assignment in the unit on ``day`` through which
    ``liability`` can be borne; returns the assignment."""
    held = [a for a in held_on(unit_id, assignments, day) if a.person_id == person_id]
    if not held:
        raise NotAttributable(
            f"person {person_id} held no assignment in unit {unit_id} on {day}", field=field
        )
    fitting = [a for a in held if a.role in _ROLES[liability]]
    if not fitting:
        roles = ", ".join(sorted(a.role.value for a in held))
        raise NotAttributable(
            f"{liability.value} liability is not borne through the role {roles}", field="liability"
        )
    return fitting[0]
