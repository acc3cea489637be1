"""The command service: one method per command; each appends once, or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper

from ledger.application.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from ledger.application.store import AggregateStore
from ledger.domain import rules
from ledger.domain.assignment import Assignment, check_period
from ledger.domain.errors import InvariantViolation
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import (
    Category,
    CorrectableField,
    EndReason,
    PrincipalTitle,
    Role,
    UnitKind,
    UnitLevel,
)
from ledger.infra.eventstore import (
    Condition,
    ConditionFailed,
    EventStore,
    Idempotency,
    StreamVersionConflict,
)

ATTEMPTS = 5


@dataclass(frozen=True)
class Context:
    """Who acts, from which system, and the HTTP preconditions of the command."""

    actor: str
    source: str = "api"
    idempotency_key: str | None = None
    request_hash: bytes = b""
    expected_version: int | None = None


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    version: int
    position: int
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "version": self.version, "position": self.position}


@dataclass
class Decision:
    """What a command decided: the changed aggregates, the one it answers for, its guard."""

    changed: list[Aggregate]
    subject: Aggregate
    guard_tags: list[str] = field(default_factory=list)
    read_at: int = 0


Decide = Callable[[], Awaitable[Decision]]


class Ledger:
    """Commands on units, persons and assignments."""

    def __init__(self, events: EventStore, mapper: Mapper[Any]) -> None:
        self.store = AggregateStore(events, mapper)
        self.events = events

    async def _execute(self, ctx: Context, decide: Decide) -> CommandResult:
        if ctx.idempotency_key is not None:
            seen = await self.events.find_idempotent(ctx.actor, ctx.idempotency_key)
            if seen is not None:
                return _replay(ctx, *seen)
        for _ in range(ATTEMPTS):
            decision = await decide()
            subject = decision.subject
            rows = self.store.new_events(decision.changed)
            result = CommandResult(subject.id, subject.version, 0)
            idempotency = None
            if ctx.idempotency_key is not None:
                idempotency = Idempotency(
                    ctx.actor, ctx.idempotency_key, ctx.request_hash, result.as_json()
                )
            condition = (
                Condition(decision.guard_tags, decision.read_at) if decision.guard_tags else None
            )
            try:
                appended = await self.events.append(
                    rows, condition=condition, idempotency=idempotency
                )
            except (StreamVersionConflict, ConditionFailed):
                continue
            if appended.duplicate:
                assert appended.request_hash is not None and appended.result is not None
                return _replay(ctx, appended.request_hash, appended.result)
            return CommandResult(subject.id, subject.version, appended.last_position)
        raise ConcurrencyConflict("concurrent changes kept conflicting with this command")

    def _check_version(self, ctx: Context, aggregate: Aggregate) -> None:
        if ctx.expected_version is not None and ctx.expected_version != aggregate.version:
            raise PreconditionFailed(ctx.expected_version, aggregate.version)

    async def _get_for_update(self, ctx: Context, cls: type[Any], aggregate_id: UUID) -> Any:
        aggregate = await self.store.get(cls, aggregate_id)
        self._check_version(ctx, aggregate)
        return aggregate

    async def _check_unique(self, attribute: str, value: str, message: str) -> None:
        """Raised when another unit or person currently holds ``value`` (a code or number)."""
        tag = f"{attribute.replace('_', '-')}:{value}"
        holders, _ = await self.store.tagged([tag])
        holders = [h for h in holders if getattr(h, attribute, None) == value]
        if holders:
            raise InvariantViolation(f"{message} (held by {holders[0].id})", field=attribute)

    # Units

    async def register_unit(
        self,
        ctx: Context,
        *,
        name: str,
        kind: UnitKind,
        level: UnitLevel,
        parent_id: UUID | None,
        code: str | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            guard: list[str] = []
            if code:
                guard.append(f"code:{code}")
                await self._check_unique("code", code, f"unit code {code} is already registered")
            if parent_id is not None:
                parent = await self.store.get(Unit, parent_id, field="parent_id")
                parent.check_not_dissolved("parent_id")
                guard.append(f"unit:{parent_id}")
            unit = Unit(name, kind, level, parent_id, code, ctx.actor, ctx.source, reason, basis)
            return Decision([unit], unit, guard)

        return await self._execute_guarded(ctx, decide)

    async def _execute_guarded(self, ctx: Context, decide: Decide) -> CommandResult:
        """Like ``_execute``, reading the head first so guard tags cover every read."""

        async def guarded() -> Decision:
            head = await self.events.head_position()
            decision = await decide()
            decision.read_at = head
            return decision

        return await self._execute(ctx, guarded)

    async def rename_unit(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        name: str,
        effective_on: date | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            unit.rename(
                name, effective_on, actor=ctx.actor, source=ctx.source, reason=reason, basis=basis
            )
            return Decision([unit], unit)

        return await self._execute(ctx, decide)

    async def move_unit(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        parent_id: UUID,
        effective_on: date | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            parent = await self.store.get(Unit, parent_id, field="parent_id")
            parent.check_not_dissolved("parent_id")
            ancestors = [parent.id]
            cursor = parent
            while cursor.parent_id is not None and cursor.parent_id not in ancestors:
                ancestors.append(cursor.parent_id)
                cursor = await self.store.get(Unit, cursor.parent_id)
            rules.check_parent_acyclic(unit.id, ancestors)
            unit.move(
                parent_id,
                effective_on,
                actor=ctx.actor,
                source=ctx.source,
                reason=reason,
                basis=basis,
            )
            return Decision([unit], unit, [f"unit:{a}" for a in ancestors])

        return await self._execute_guarded(ctx, decide)

    async def dissolve_unit(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        merged_into: UUID | None,
        effective_on: date | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            guard = []
            if merged_into is not None and merged_into != unit_id:
                target = await self.store.get(Unit, merged_into, field="merged_into")
                target.check_not_dissolved("merged_into")
                guard.append(f"unit:{merged_into}")
            unit.dissolve(
                merged_into,
                effective_on,
                actor=ctx.actor,
                source=ctx.source,
                reason=reason,
                basis=basis,
            )
            return Decision([unit], unit, guard)

        return await self._execute_guarded(ctx, decide)

    # Persons

    async def register_person(
        self,
        ctx: Context,
        *,
        name: str,
        person_no: str | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            guard = []
            if person_no:
                guard.append(f"person-no:{person_no}")
                await self._check_unique(
                    "person_no", person_no, f"person_no {person_no} is already registered"
                )
            person = Person(name, person_no, ctx.actor, ctx.source, reason, basis)
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    async def correct_person(
        self,
        ctx: Context,
        person_id: UUID,
        *,
        name: str | None,
        person_no: str | None,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            person = await self._get_for_update(ctx, Person, person_id)
            guard = []
            if person_no and person_no != person.person_no:
                guard.append(f"person-no:{person_no}")
                await self._check_unique(
                    "person_no", person_no, f"person_no {person_no} is already registered"
                )
            person.correct_details(
                name, person_no, actor=ctx.actor, source=ctx.source, reason=reason, basis=basis
            )
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    # Assignments

    async def _unit_assignments(self, unit_id: UUID) -> list[Assignment]:
        aggregates, _ = await self.store.tagged([f"unit:{unit_id}"])
        return [a for a in aggregates if isinstance(a, Assignment)]

    async def _check_line(
        self,
        unit: Unit,
        role: Role,
        start: date,
        end: date | None,
        reports_to: UUID,
        field_name: str,
    ) -> str:
        """Check the reporting line; returns the guard tag of the target's unit."""
        target = await self.store.get(Assignment, reports_to, field=field_name)
        period = check_period(start, end)
        rules.check_reports_to(unit=unit, role=role, period=period, target=target, field=field_name)
        return f"unit:{target.unit_id}"

    async def assign(
        self,
        ctx: Context,
        *,
        unit_id: UUID,
        person_id: UUID,
        role: Role,
        title: str,
        principal_title: PrincipalTitle | None,
        portfolio: list[Category],
        reports_to: UUID | None,
        effective_from: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self.store.get(Unit, unit_id, field="unit_id")
            unit.check_not_dissolved("unit_id")
            await self.store.get(Person, person_id, field="person_id")
            assignment = Assignment.assign(
                unit_id=unit_id,
                person_id=person_id,
                role=role,
                title=title,
                principal_title=principal_title,
                portfolio=portfolio,
                reports_to=reports_to,
                effective_from=effective_from,
                actor=ctx.actor,
                source=ctx.source,
                reason=reason,
                basis=basis,
            )
            guard = [f"unit:{unit_id}"]
            if principal_title is not None:  # only principals can overlap
                rules.check_principal_overlap(
                    unit_id,
                    principal_title,
                    assignment.period,
                    await self._unit_assignments(unit_id),
                )
            if reports_to is not None:
                guard.append(
                    await self._check_line(
                        unit, role, effective_from, None, reports_to, "reports_to"
                    )
                )
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)

    async def change_portfolio(
        self,
        ctx: Context,
        assignment_id: UUID,
        *,
        portfolio: list[Category],
        effective_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.change_portfolio(
                portfolio,
                effective_on,
                actor=ctx.actor,
                source=ctx.source,
                reason=reason,
                basis=basis,
            )
            return Decision([assignment], assignment)

        return await self._execute(ctx, decide)

    async def change_line(
        self,
        ctx: Context,
        assignment_id: UUID,
        *,
        reports_to: UUID | None,
        effective_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.change_line(
                reports_to,
                effective_on,
                actor=ctx.actor,
                source=ctx.source,
                reason=reason,
                basis=basis,
            )
            guard = [f"unit:{assignment.unit_id}"]
            if reports_to is not None:
                unit = await self.store.get(Unit, assignment.unit_id)
                guard.append(
                    await self._check_line(
                        unit,
                        assignment.role,
                        effective_on,
                        assignment.effective_to,
                        reports_to,
                        "reports_to",
                    )
                )
                siblings = await self._unit_assignments(assignment.unit_id)
                lines = {a.id: a.reports_to for a in siblings}
                rules.check_reports_to_acyclic(assignment.id, reports_to, lines, field="reports_to")
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)

    async def end_assignment(
        self,
        ctx: Context,
        assignment_id: UUID,
        *,
        effective_to: date,
        end_reason: EndReason,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.end(
                effective_to,
                end_reason,
                actor=ctx.actor,
                source=ctx.source,
                reason=reason,
                basis=basis,
            )
            return Decision([assignment], assignment)

        return await self._execute(ctx, decide)

    async def correct_assignment(
        self,
        ctx: Context,
        assignment_id: UUID,
        *,
        field_name: CorrectableField,
        new: Any,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.correct(
                field_name, new, actor=ctx.actor, source=ctx.source, reason=reason, basis=basis
            )
            unit = await self.store.get(Unit, assignment.unit_id)
            siblings = await self._unit_assignments(assignment.unit_id)
            guard = [f"unit:{assignment.unit_id}"]
            rules.check_principal_overlap(
                assignment.unit_id,
                assignment.principal_title,
                assignment.period,
                siblings,
                exclude=assignment.id,
            )
            if assignment.reports_to is not None:
                line_field = "new" if field_name is CorrectableField.REPORTS_TO else "reports_to"
                guard.append(
                    await self._check_line(
                        unit,
                        assignment.role,
                        assignment.effective_from,
                        assignment.effective_to,
                        assignment.reports_to,
                        line_field,
                    )
                )
                lines = {a.id: a.reports_to for a in siblings}
                lines[assignment.id] = assignment.reports_to
                rules.check_reports_to_acyclic(assignment.id, assignment.reports_to, lines)
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)


def _replay(ctx: Context, request_hash: bytes, result: dict[str, Any]) -> CommandResult:
    if request_hash != ctx.request_hash:
        raise IdempotencyKeyReused(
            f"idempotency key {ctx.idempotency_key!r} was used for a different request"
        )
    return CommandResult(
        UUID(result["id"]), int(result["version"]), int(result["position"]), replayed=True
    )
