"""Commands on assignments: assign, change portfolio or line, end, correct."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain import rules
from ledger.domain.assignment import Assignment
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import Category, CorrectableField, EndReason, PrincipalTitle, Role

_PERIOD_OR_TITLE = {
    CorrectableField.PRINCIPAL_TITLE,
    CorrectableField.EFFECTIVE_FROM,
    CorrectableField.EFFECTIVE_TO,
}


class AssignmentCommands(CommandService):
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
                **ctx.meta(reason, basis),
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
            assignment.change_portfolio(portfolio, effective_on, **ctx.meta(reason, basis))
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
            assignment.change_line(reports_to, effective_on, **ctx.meta(reason, basis))
            guard = [f"unit:{assignment.unit_id}"]
            if reports_to is not None:
                guard.append(
                    await self._check_whole_line(assignment, reports_to, effective_on, "reports_to")
                )
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
            assignment.end(effective_to, end_reason, **ctx.meta(reason, basis))
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
        """Correct one recorded fact; only the rules that fact bears on are checked again."""

        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.correct(field_name, new, **ctx.meta(reason, basis))
            guard = [f"unit:{assignment.unit_id}"]
            if field_name in _PERIOD_OR_TITLE:
                rules.check_principal_overlap(
                    assignment.unit_id,
                    assignment.principal_title,
                    assignment.period,
                    await self._unit_assignments(assignment.unit_id),
                    exclude=assignment.id,
                )
            if field_name is CorrectableField.REPORTS_TO and new is not None:
                since = max(assignment.lines[-1][0], assignment.effective_from)
                guard.append(await self._check_whole_line(assignment, new, since, "new"))
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)

    async def _check_whole_line(
        self, assignment: Assignment, reports_to: UUID, since: date, field_name: str
    ) -> str:
        """The line from ``since`` to the assignment's end is valid and loops nowhere."""
        unit = await self.store.get(Unit, assignment.unit_id)
        tag = await self._check_line(
            unit, assignment.role, since, assignment.effective_to, reports_to, field_name
        )
        lines = {a.id: a.reports_to for a in await self._unit_assignments(assignment.unit_id)}
        lines[assignment.id] = reports_to
        rules.check_reports_to_acyclic(assignment.id, reports_to, lines, field=field_name)
        return tag
