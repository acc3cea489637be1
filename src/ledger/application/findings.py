"""Commands on findings: raise (with automatic attribution), attribute, and the loop."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.application.commands import (
    Attribute,
    CloseFinding,
    CorrectFinding,
    ExtendDeadline,
    PlanRectification,
    RaiseFinding,
    ReferFinding,
    RejectRectification,
    ReportProgress,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.attribution import (
    AUTOMATIC_ATTRIBUTION,
    check_attributable,
    check_someone_answers,
    responsible_on,
)
from ledger.domain.authority import (
    check_extension_approver,
    check_plan_owner,
    check_referral_target,
)
from ledger.domain.clue import Clue
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import TriageOutcome


class FindingCommands(CommandService):
    async def raise_finding(self, ctx: Context, cmd: RaiseFinding) -> CommandResult:
        """Raise a finding, attributed at once to whoever the chain made responsible."""

        async def decide() -> Decision:
            # The unit, the inspection and the unit's chain in one read; the guard tag's
            # events were read in the snapshot of its head.
            named = [cmd.unit_id, *([cmd.inspection_id] if cmd.inspection_id else [])]
            reads = await self.store.read(named, [f"unit:{cmd.unit_id}"])
            reads.get(Unit, cmd.unit_id, field="unit_id")
            meta = ctx.meta(cmd.reason, cmd.basis)
            finding = Finding.raise_(**cmd.fields(), **meta, today=ctx.today)
            changed: list[Any] = [finding]
            if cmd.inspection_id is not None:
                inspection = reads.get(Inspection, cmd.inspection_id, field="inspection_id")
                inspection.check_accepts_findings(cmd.unit_id, cmd.found_on)
            if cmd.clue_id is not None:
                # The clue is the existing resource this changes, so If-Match names its version.
                clue = await self._get_for_update(ctx, Clue, cmd.clue_id, field="clue_id")
                clue.triage(TriageOutcome.FINDING, finding.id, **meta)
                changed.append(clue)
            assignments = reads.assignments()
            responsible = responsible_on(cmd.unit_id, assignments, cmd.found_on, cmd.category)
            check_someone_answers(cmd.unit_id, cmd.found_on, responsible)
            for assignment, liability in responsible:
                finding.attribute(
                    assignment.person_id,
                    assignment.id,
                    liability,
                    automatic=True,
                    **{**meta, "reason": AUTOMATIC_ATTRIBUTION},
                )
            return Decision(changed, finding, [f"unit:{cmd.unit_id}"], read_at=reads.head)

        return await self._execute(ctx, decide)

    async def attribute(self, ctx: Context, finding_id: UUID, cmd: Attribute) -> CommandResult:
        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            await self.store.get(Person, cmd.person_id, field="person_id")
            assignment = check_attributable(
                finding.unit_id,
                cmd.person_id,
                cmd.liability,
                await self.store.unit_assignments(finding.unit_id),
                finding.found_on,
            )
            finding.attribute(
                cmd.person_id, assignment.id, cmd.liability, **ctx.meta(cmd.reason, cmd.basis)
            )
            return Decision([finding], finding, [f"unit:{finding.unit_id}"])

        return await self._execute_guarded(ctx, decide)

    async def withdraw_attribution(
        self, ctx: Context, finding_id: UUID, person_id: UUID, cmd: WithdrawAttribution
    ) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.withdraw_attribution(person_id, **meta)
        )

    async def plan_rectification(
        self, ctx: Context, finding_id: UUID, cmd: PlanRectification
    ) -> CommandResult:
        day = cmd.planned_on or ctx.today

        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            owner_assignment = None
            guard = []
            if cmd.owner_person_id is not None:
                await self.store.get(Person, cmd.owner_person_id, field="owner_person_id")
                owner_assignment = check_plan_owner(
                    finding.unit_id,
                    cmd.owner_person_id,
                    await self.store.unit_assignments(finding.unit_id),
                    day,
                ).id
                guard.append(f"unit:{finding.unit_id}")
            finding.plan_rectification(
                cmd.measures,
                cmd.owner_person_id,
                owner_assignment,
                cmd.deadline,
                day,
                today=ctx.today,
                **ctx.meta(cmd.reason, cmd.basis),
            )
            return Decision([finding], finding, guard)

        return await self._execute_guarded(ctx, decide)

    async def report_progress(
        self, ctx: Context, finding_id: UUID, cmd: ReportProgress
    ) -> CommandResult:
        evidence = [item.model_dump() for item in cmd.evidence]
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx,
            Finding,
            finding_id,
            lambda f: f.report_progress(
                **{**cmd.fields(), "evidence": evidence}, today=ctx.today, **meta
            ),
        )

    async def verify_rectification(
        self, ctx: Context, finding_id: UUID, cmd: VerifyRectification
    ) -> CommandResult:
        meta = ctx.meta(None, cmd.basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.verify(**cmd.fields(), today=ctx.today, **meta)
        )

    async def reject_rectification(
        self, ctx: Context, finding_id: UUID, cmd: RejectRectification
    ) -> CommandResult:
        day = cmd.rejected_on or ctx.today
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.reject(day, today=ctx.today, **meta)
        )

    async def extend_deadline(
        self, ctx: Context, finding_id: UUID, cmd: ExtendDeadline
    ) -> CommandResult:
        day = cmd.extended_on or ctx.today

        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            await self.store.get(Person, cmd.approver_person_id, field="approver_person_id")
            guard = await self._check_approver(finding, cmd.approver_person_id, day)
            finding.extend_deadline(
                **{**cmd.fields(), "extended_on": day},
                today=ctx.today,
                **ctx.meta(cmd.reason, cmd.basis),
            )
            return Decision([finding], finding, guard)

        return await self._execute_guarded(ctx, decide)

    async def _check_approver(self, finding: Finding, approver_id: UUID, day: date) -> list[str]:
        """The approver's post in the body that set the finding's deadline (the inspection's
        organizer; for a clue's finding, an inspection body over its unit); returns the
        guard tags of what the rule read."""
        organizer = None
        lineage: list[UUID] = []
        if finding.inspection_id is not None:
            organizer = (await self.store.get(Inspection, finding.inspection_id)).organizer_unit_id
        else:
            lineage = await self.store.lineage(finding.unit_id)
        held = await self.store.person_assignments(approver_id)
        posts = [(a, await self.store.get(Unit, a.unit_id)) for a in held if a.period.contains(day)]
        check_extension_approver(
            approver_id, day, posts, organizer_unit_id=organizer, lineage=lineage
        )
        # Units can move (a clue's finding reads the tree); assignments carry person tags.
        tree = [*lineage, *(a.unit_id for a, _ in posts)] if organizer is None else []
        return [f"person:{approver_id}", *(f"unit:{u}" for u in dict.fromkeys(tree))]

    async def refer_finding(
        self, ctx: Context, finding_id: UUID, cmd: ReferFinding
    ) -> CommandResult:
        day = cmd.referred_on or ctx.today

        async def decide() -> Decision:
            finding = await self._get_for_update(ctx, Finding, finding_id)
            unit = await self.store.get(Unit, cmd.to_unit_id, field="to_unit_id")
            unit.check_not_dissolved("to_unit_id")
            check_referral_target(unit)
            finding.refer(
                **{**cmd.fields(), "referred_on": day},
                today=ctx.today,
                **ctx.meta(cmd.reason, cmd.basis),
            )
            return Decision([finding], finding)

        return await self._execute(ctx, decide)

    async def close_finding(
        self, ctx: Context, finding_id: UUID, cmd: CloseFinding
    ) -> CommandResult:
        day = cmd.closed_on or ctx.today
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx,
            Finding,
            finding_id,
            lambda f: f.close(**{**cmd.fields(), "closed_on": day}, today=ctx.today, **meta),
        )

    async def correct_finding(
        self, ctx: Context, finding_id: UUID, cmd: CorrectFinding
    ) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx, Finding, finding_id, lambda f: f.correct(**cmd.fields(), **meta)
        )
