"""Commands on inspections: plan, start, record evidence, feed back, close."""

from __future__ import annotations

from uuid import UUID

from ledger.application.commands import (
    CloseInspection,
    FeedBackResults,
    PlanInspection,
    RecordEvidence,
    StartInspection,
)
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit


class InspectionCommands(CommandService):
    async def plan_inspection(self, ctx: Context, cmd: PlanInspection) -> CommandResult:
        async def decide() -> Decision:
            organizer = await self.store.get(Unit, cmd.organizer_unit_id, field="organizer_unit_id")
            organizer.check_not_dissolved("organizer_unit_id")
            for index, unit_id in enumerate(cmd.target_unit_ids):
                unit = await self.store.get(Unit, unit_id, field=f"target_unit_ids.{index}")
                unit.check_not_dissolved(f"target_unit_ids.{index}")
            for index, person_id in enumerate(cmd.team):
                await self.store.get(Person, person_id, field=f"team.{index}")
            inspection = Inspection.plan(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            return Decision([inspection], inspection)

        return await self._execute(ctx, decide)

    async def start_inspection(
        self, ctx: Context, inspection_id: UUID, cmd: StartInspection
    ) -> CommandResult:
        meta = ctx.meta(None, cmd.basis)
        return await self._act(
            ctx,
            Inspection,
            inspection_id,
            lambda i: i.start(**cmd.fields(), today=ctx.today, **meta),
        )

    async def record_evidence(
        self, ctx: Context, inspection_id: UUID, cmd: RecordEvidence
    ) -> CommandResult:
        meta = ctx.meta(None, cmd.basis)
        return await self._act(
            ctx,
            Inspection,
            inspection_id,
            lambda i: i.record_evidence(**cmd.fields(), today=ctx.today, **meta),
        )

    async def feed_back(
        self, ctx: Context, inspection_id: UUID, cmd: FeedBackResults
    ) -> CommandResult:
        meta = ctx.meta(None, cmd.basis)
        return await self._act(
            ctx,
            Inspection,
            inspection_id,
            lambda i: i.feed_back(**cmd.fields(), today=ctx.today, **meta),
        )

    async def close_inspection(
        self, ctx: Context, inspection_id: UUID, cmd: CloseInspection
    ) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx,
            Inspection,
            inspection_id,
            lambda i: i.close(**cmd.fields(), today=ctx.today, **meta),
        )
