"""Authority the procedure implies, checked on the command: who may receive a referral,
approve an extension, own a rectification plan, handle an accountability case.

Each refusal is ``NoAuthority`` (409: the command conflicts with what the ledger holds about
units and assignments, whoever sends it; 403 is kept for the caller's own jurisdiction),
naming the field that chose the unit or the person. The application loads what a rule reads;
a *lineage* is a unit's id followed by its ancestors' ids, nearest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from ledger.domain.assignment import Assignment
from ledger.domain.attribution import held_on
from ledger.domain.errors import NoAuthority
from ledger.domain.unit import Unit
from ledger.domain.vocab import UnitKind

# The bodies that hold someone to account (移送有关单位依纪依法进行责任追究): the
# discipline inspection and supervision body and the organization/personnel department.
ACCOUNTABLE = frozenset({UnitKind.DISCIPLINE_BODY, UnitKind.PERSONNEL_DEPARTMENT})


def covers(body: Unit, lineage: Sequence[UUID]) -> bool:
    """True when the unit whose lineage is given lies in ``body``'s jurisdiction: the
    body's parent unit and every unit below it (a body without a parent: every unit)."""
    return body.parent_id is None or body.parent_id in lineage


def check_accountable_body(unit: Unit, field: str) -> None:
    """Raised unless the unit is a discipline body or a personnel department."""
    if unit.kind not in ACCOUNTABLE:
        raise NoAuthority(
            f"unit {unit.id} is a {unit.kind.value}: only a discipline body or a personnel"
            " department holds anyone to account",
            field=field,
        )


def check_referral_target(unit: Unit, field: str = "to_unit_id") -> None:
    """Raised when a finding would be referred (移送) to a body that cannot hold anyone
    to account."""
    check_accountable_body(unit, field)


def check_holds_post(
    unit_id: UUID,
    person_id: UUID,
    assignments: Iterable[Assignment],
    day: date,
    *,
    what: str,
    field: str,
) -> Assignment:
    """Raised when the person held no assignment in the unit on ``day``; returns it."""
    held = [a for a in held_on(unit_id, assignments, day) if a.person_id == person_id]
    if not held:
        raise NoAuthority(
            f"{what} person {person_id} held no post in unit {unit_id} on {day}", field=field
        )
    return held[0]


def check_plan_owner(
    unit_id: UUID,
    owner_id: UUID,
    assignments: Iterable[Assignment],
    planned_on: date,
    field: str = "owner_person_id",
) -> Assignment:
    """Raised when the owner of a rectification plan held no post in the finding's unit
    on the day of the plan (落实整改责任: the unit names one of its own)."""
    return check_holds_post(
        unit_id, owner_id, assignments, planned_on, what="the plan's owner", field=field
    )


def check_extension_approver(
    approver_id: UUID,
    day: date,
    posts: Iterable[tuple[Assignment, Unit]],
    *,
    organizer_unit_id: UUID | None,
    lineage: Sequence[UUID],
    field: str = "approver_person_id",
) -> Assignment:
    """Raised when the approver of an extension held no post, on the day of the approval,
    in the body that may set the finding's deadline; returns the post.

    ``posts`` are the approver's assignments, each with its unit. For a finding of an
    inspection the body is the inspection's organizer (``organizer_unit_id``). A finding
    triaged from a clue records no organizer (only who raised it), so the body is any
    inspection body whose jurisdiction covers the finding's unit (``lineage``).
    """
    held = [(a, u) for a, u in posts if a.person_id == approver_id and a.period.contains(day)]
    if organizer_unit_id is not None:
        fitting = [a for a, _ in held if a.unit_id == organizer_unit_id]
        body = f"the inspection's organizing body (unit {organizer_unit_id})"
    else:
        fitting = [a for a, u in held if u.kind is UnitKind.INSPECTION_BODY and covers(u, lineage)]
        body = f"an inspection body whose jurisdiction covers unit {lineage[0]}"
    if not fitting:
        raise NoAuthority(
            f"the approver, person {approver_id}, held no post in {body} on {day}", field=field
        )
    return fitting[0]


def check_case_handler(
    handler: Unit,
    person_id: UUID,
    lineages: Iterable[Sequence[UUID]],
    field: str = "handling_unit_id",
) -> None:
    """Raised unless the handling unit is a discipline body or a personnel department whose
    jurisdiction covers a unit where the person holds or held an assignment (``lineages``:
    one per such unit)."""
    check_accountable_body(handler, field)
    if not any(covers(handler, lineage) for lineage in lineages):
        raise NoAuthority(
            f"no unit where person {person_id} holds or held a post lies in the jurisdiction"
            f" of unit {handler.id} (its parent unit {handler.parent_id} and every unit below)",
            field=field,
        )
