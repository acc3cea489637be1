"""Jurisdiction on the command: every changed aggregate answers to units inside it.

A jurisdiction is a unit and every unit below it. The check reads the units from the log
(not from a read model that may lag), walking up from each unit the command reaches
until it meets the caller's unit or the root. A person is inside while they hold or held
an assignment in a unit inside; a person with no assignment yet, only the policy bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.application.store import AggregateStore
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.assessment import Assessment
from ledger.domain.assignment import Assignment
from ledger.domain.bulletin import Bulletin
from ledger.domain.clue import Clue
from ledger.domain.errors import NotFound, OutsideJurisdiction
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit


def _is_new(aggregate: Aggregate) -> bool:
    pending = aggregate.pending_events
    return bool(pending) and pending[0].originator_version == 1


def anchors(aggregate: Aggregate) -> Sequence[tuple[str, UUID | None]]:
    """The units (with the field that names each) a change to ``aggregate`` reaches.

    ``None`` stands for "above every unit": only a whole-ledger caller reaches it.
    """
    if isinstance(aggregate, Unit):
        moved = any(type(e).__name__ == "Moved" for e in aggregate.pending_events)
        if _is_new(aggregate) or moved:
            return [("parent_id", aggregate.parent_id)]
        return [("id", aggregate.id)]
    if isinstance(aggregate, Assignment | Finding | Assessment):
        return [("unit_id", aggregate.unit_id)]
    if isinstance(aggregate, Inspection):
        return [("organizer_unit_id", aggregate.organizer_unit_id)] + [
            ("target_unit_ids", u) for u in aggregate.target_unit_ids
        ]
    if isinstance(aggregate, AccountabilityCase):
        return [("handling_unit_id", aggregate.handling_unit_id)]
    if isinstance(aggregate, Bulletin):
        return [("recipient_unit_ids", u) for u in aggregate.recipient_unit_ids]
    if isinstance(aggregate, Clue) and aggregate.unit_id is not None:
        return [("unit_id", aggregate.unit_id)]
    return []  # persons (below), indicator sets, unit-less clues: the policy alone decides


async def check_within(
    store: AggregateStore, root: UUID, changed: Iterable[Aggregate], *, named: str | None = None
) -> None:
    """Refuse (``OutsideJurisdiction``) a change reaching a unit outside ``root``'s tree.

    ``named``: the input that named the aggregate (e.g. the path's ``id``), for the error
    to name instead of the aggregate's own field.
    """
    inside: set[UUID] = set()
    for aggregate in changed:
        for field, unit_id in anchors(aggregate):
            if unit_id is None or not await _below(store, root, unit_id, inside):
                raise _outside(named or field, root)
        if isinstance(aggregate, Person) and not _is_new(aggregate):
            units = {a.unit_id for a in await store.person_assignments(aggregate.id)}
            if units and not await _any_below(store, root, units, inside):
                raise _outside(named or "person_id", root)


async def person_inside(store: AggregateStore, root: UUID, person_id: UUID) -> bool:
    """Whether the person holds or held an assignment in a unit of ``root``'s tree (as the
    read models' row-level security has it, but from the log)."""
    units = {a.unit_id for a in await store.person_assignments(person_id)}
    return await _any_below(store, root, units, set())


async def _any_below(
    store: AggregateStore, root: UUID, units: set[UUID], inside: set[UUID]
) -> bool:
    for unit_id in units:
        if await _below(store, root, unit_id, inside):
            return True
    return False


def _outside(field: str, root: UUID) -> OutsideJurisdiction:
    return OutsideJurisdiction(
        f"{field} is outside the caller's jurisdiction (unit {root} and below)", field=field
    )


async def _below(store: AggregateStore, root: UUID, unit_id: UUID, inside: set[UUID]) -> bool:
    path: list[UUID] = []
    cursor: UUID | None = unit_id
    while cursor is not None and cursor not in path:
        if cursor == root or cursor in inside:
            inside.update(path)
            return True
        path.append(cursor)
        try:
            cursor = (await store.get(Unit, cursor)).parent_id
        except NotFound:
            return False
    return False
