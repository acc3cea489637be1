"""Commands on assignments: assign, change portfolio or line, end, correct."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.application.commands import (
    Assign,
    ChangeLine,
    ChangePortfolio,
    CorrectAssignment,
    EndAssignment,
)
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain import rules
from ledger.domain.assignment import Assignment, check_period
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import CorrectableField, Role

_PERIOD_OR_TITLE = {
    CorrectableField.PRINCIPAL_TITLE,
    CorrectableField.EFFECTIVE_FROM,
    CorrectableField.EFFECTIVE_TO,
}


class AssignmentCommands(CommandService):
    async def assign(self, ctx: Context, cmd: Assign) -> CommandResult:
        async def decide() -> Decision:
            unit = await self.store.get(Unit, cmd.unit_id, field="unit_id")
            unit.check_not_dissolved("unit_id")
            await self.store.get(Person, cmd.person_id, field="person_id")
            assignment = Assignment.assign(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            guard = [f"unit:{cmd.unit_id}"]
            if cmd.principal_title is not None:  # only principals can overlap
                rules.check_principal_overlap(
                    cmd.unit_id,
                    cmd.principal_title,
                    assignment.period,
                    await self.store.unit_assignments(cmd.unit_id),
                )
            if cmd.reports_to is not None:
                guard.append(
                    await self._check_line(
                        unit, cmd.role, cmd.effective_from, None, cmd.reports_to, "reports_to"
                    )
                )
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)

    async def change_portfolio(
        self, ctx: Context, assignment_id: UUID, cmd: ChangePortfolio
    ) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx, Assignment, assignment_id, lambda a: a.change_portfolio(**cmd.fields(), **meta)
        )

    async def change_line(
        self, ctx: Context, assignment_id: UUID, cmd: ChangeLine
    ) -> CommandResult:
        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.change_line(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            guard = [f"unit:{assignment.unit_id}"]
            if cmd.reports_to is not None:
                guard.append(
                    await self._check_whole_line(
                        assignment, cmd.reports_to, cmd.effective_on, "reports_to"
                    )
                )
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)

    async def end_assignment(
        self, ctx: Context, assignment_id: UUID, cmd: EndAssignment
    ) -> CommandResult:
        # In the request, `reason` is the end reason (a code) and `note` the free text.
        meta = ctx.meta(cmd.note, cmd.basis)
        return await self._act(
            ctx, Assignment, assignment_id, lambda a: a.end(cmd.effective_to, cmd.reason, **meta)
        )

    async def correct_assignment(
        self, ctx: Context, assignment_id: UUID, cmd: CorrectAssignment
    ) -> CommandResult:
        """Correct one recorded fact; only the rules that fact bears on are checked again."""

        async def decide() -> Decision:
            assignment = await self._get_for_update(ctx, Assignment, assignment_id)
            assignment.correct(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            guard = [f"unit:{assignment.unit_id}"]
            if cmd.field in _PERIOD_OR_TITLE:
                rules.check_principal_overlap(
                    assignment.unit_id,
                    assignment.principal_title,
                    assignment.period,
                    await self.store.unit_assignments(assignment.unit_id),
                    exclude=assignment.id,
                )
            if cmd.field is CorrectableField.REPORTS_TO and cmd.new is not None:
                since = max(assignment.lines[-1][0], assignment.effective_from)
                guard.append(await self._check_whole_line(assignment, cmd.new, since, "new"))
            return Decision([assignment], assignment, guard)

        return await self._execute_guarded(ctx, decide)

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

    async def _check_whole_line(
        self, assignment: Assignment, reports_to: UUID, since: date, field_name: str
    ) -> str:
        """The line from ``since`` to the assignment's end is valid and loops nowhere."""
        unit = await self.store.get(Unit, assignment.unit_id)
        tag = await self._check_line(
            unit, assignment.role, since, assignment.effective_to, reports_to, field_name
        )
        lines = {a.id: a.reports_to for a in await self.store.unit_assignments(assignment.unit_id)}
        lines[assignment.id] = reports_to
        rules.check_reports_to_acyclic(assignment.id, reports_to, lines, field=field_name)
        return tag
