"""Commands on findings: raise (with automatic attribution), attribute, and the loop."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.attribution import check_attributable, responsible_on
from ledger.domain.clue import Clue
from ledger.domain.errors import InvariantViolation
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import (
    Category,
    FindingField,
    Liability,
    Outcome,
    Severity,
    TriageOutcome,
)


class FindingCommands(CommandService):
    async def raise_finding(
        self,
        ctx: Context,
        *,
        unit_id: UUID,
        inspection_id: UUID | None,
        clue_id: UUID | None,
        category: Category,
        severity: Severity,
        description: str,
        found_on: date,
        deadline: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        """Raise a finding, attributed at once to whoever the chain made responsible."""

        async def decide() -> Decision:
            await self.store.get(Unit, unit_id, field="unit_id")
            meta = ctx.meta(reason, basis)
            finding = Finding.raise_(
                unit_id=unit_id,
                inspection_id=inspection_id,
                clue_id=clue_id,
                category=category,
                severity=severity,
                description=description,
                found_on=found_on,
                deadline=deadline,
                **meta,
            )
            changed: list[Any] = [finding]
            if inspection_id is not None:
                inspection = await self.store.get(Inspection, inspection_id, field="inspection_id")
                inspection.check_accepts_findings(unit_id)
            if clue_id is not None:
                # The clue is the existing resource this changes, so If-Match names its version.
                clue = await self._get_for_update(ctx, Clue, clue_id, field="clue_id")
                clue.triage(TriageOutcome.FINDING, finding.id, **meta)
                changed.append(clue)
            responsible = responsible_on(
                unit_id, await self._unit_assignments(unit_id), found_on, category
            )
            if not any(liability is Liability.PRINCIPAL for _, liability in responsible):
                raise InvariantViolation(
                    f"unit {unit_id} had no principal on {found_on}: record its responsibility"
                    " chain first, so the finding has someone to answer for it",
                    field="found_on",
                )
            for assignment, liability in responsible:
                finding.attribute(
                    assignment.person_id,
                    assignment.id,
                    liability,
                    automatic=True,
                    **{**meta, "reason": "automatic: responsible on found_on"},
                )
            return Decision(changed, finding, [f"unit:{unit_id}"])

        return await self._execute_guarded(ctx, decide)

    async def attribute(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        person_id: UUID,
        liability: Liability,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            await self.store.get(Person, person_id, field="person_id")
            assignment = check_attributable(
                finding.unit_id,
                person_id,
                liability,
                await self._unit_assignments(finding.unit_id),
                finding.found_on,
            )
            finding.attribute(person_id, assignment.id, liability, **ctx.meta(reason, basis))
            return Decision([finding], finding, [f"unit:{finding.unit_id}"])

        return await self._execute_guarded(ctx, decide)

    async def withdraw_attribution(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        person_id: UUID,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.withdraw_attribution(person_id, **meta)
        )

    async def plan_rectification(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        measures: str,
        owner_person_id: UUID | None,
        deadline: date | None,
        planned_on: date | None = None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        day = planned_on or date.today()

        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            owner_assignment = None
            guard = []
            if owner_person_id is not None:
                await self.store.get(Person, owner_person_id, field="owner_person_id")
                owner_assignment = check_attributable(
                    finding.unit_id,
                    owner_person_id,
                    Liability.DIRECT,
                    await self._unit_assignments(finding.unit_id),
                    day,
                    field="owner_person_id",
                ).id
                guard.append(f"unit:{finding.unit_id}")
            finding.plan_rectification(
                measures,
                owner_person_id,
                owner_assignment,
                deadline,
                day,
                **ctx.meta(reason, basis),
            )
            return Decision([finding], finding, guard)

        return await self._execute_guarded(ctx, decide)

    async def report_progress(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        reported_on: date,
        summary: str,
        evidence: list[dict[str, Any]],
        complete: bool,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx,
            Finding,
            finding_id,
            lambda f: f.report_progress(reported_on, summary, evidence, complete, **meta),
        )

    async def verify_rectification(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        verified_on: date,
        note: str | None,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(None, basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.verify(verified_on, note, **meta)
        )

    async def reject_rectification(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        reason: str,
        rejected_on: date | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        day = rejected_on or date.today()
        meta = ctx.meta(reason, basis)
        return await self._act(ctx, Finding, finding_id, lambda f: f.reject(day, **meta))

    async def extend_deadline(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        new_deadline: date,
        approver_person_id: UUID,
        reason: str,
        extended_on: date | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        day = extended_on or date.today()

        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            await self.store.get(Person, approver_person_id, field="approver_person_id")
            finding.extend_deadline(
                new_deadline, approver_person_id, day, **ctx.meta(reason, basis)
            )
            return Decision([finding], finding)

        return await self._execute(ctx, decide)

    async def refer_finding(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        to_unit_id: UUID,
        reason: str,
        referred_on: date | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        day = referred_on or date.today()

        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            unit = await self.store.get(Unit, to_unit_id, field="to_unit_id")
            unit.check_not_dissolved("to_unit_id")
            finding.refer(to_unit_id, day, **ctx.meta(reason, basis))
            return Decision([finding], finding)

        return await self._execute(ctx, decide)

    async def close_finding(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        outcome: Outcome,
        reason: str | None = None,
        closed_on: date | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        day = closed_on or date.today()
        meta = ctx.meta(reason, basis)
        return await self._act(ctx, Finding, finding_id, lambda f: f.close(outcome, day, **meta))

    async def correct_finding(
        self,
        ctx: Context,
        finding_id: UUID,
        *,
        field_name: FindingField,
        new: Any,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.correct(field_name, new, **meta)
        )
