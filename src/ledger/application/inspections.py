"""Commands on inspections and bulletins: plan, start, evidence, feedback, close, circulate."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.bulletin import Bulletin
from ledger.domain.errors import IllegalTransition, InvalidInput
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import BulletinKind, Category, EvidenceMethod, InspectionStage


class InspectionCommands(CommandService):
    async def plan_inspection(
        self,
        ctx: Context,
        *,
        title: str,
        year: int,
        organizer_unit_id: UUID,
        target_unit_ids: list[UUID],
        team: list[UUID],
        topics: list[Category],
        starts_on: date,
        ends_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            organizer = await self.store.get(Unit, organizer_unit_id, field="organizer_unit_id")
            organizer.check_not_dissolved("organizer_unit_id")
            for index, unit_id in enumerate(target_unit_ids):
                unit = await self.store.get(Unit, unit_id, field=f"target_unit_ids.{index}")
                unit.check_not_dissolved(f"target_unit_ids.{index}")
            for index, person_id in enumerate(team):
                await self.store.get(Person, person_id, field=f"team.{index}")
            inspection = Inspection.plan(
                title=title,
                year=year,
                organizer_unit_id=organizer_unit_id,
                target_unit_ids=target_unit_ids,
                team=team,
                topics=topics,
                starts_on=starts_on,
                ends_on=ends_on,
                **ctx.meta(reason, basis),
            )
            return Decision([inspection], inspection)

        return await self._execute(ctx, decide)

    async def start_inspection(
        self, ctx: Context, inspection_id: UUID, *, started_on: date, basis: str | None = None
    ) -> CommandResult:
        meta = ctx.meta(None, basis)
        return await self._act(
            ctx, Inspection, inspection_id, lambda i: i.start(started_on, **meta)
        )

    async def record_evidence(
        self,
        ctx: Context,
        inspection_id: UUID,
        *,
        method: EvidenceMethod,
        summary: str,
        document: str | None,
        sha256: str | None,
        unit_id: UUID | None,
        collected_on: date,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(None, basis)
        return await self._act(
            ctx,
            Inspection,
            inspection_id,
            lambda i: i.record_evidence(
                method, summary, document, sha256, unit_id, collected_on, **meta
            ),
        )

    async def feed_back(
        self,
        ctx: Context,
        inspection_id: UUID,
        *,
        fed_back_on: date,
        summary: str,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(None, basis)
        return await self._act(
            ctx, Inspection, inspection_id, lambda i: i.feed_back(fed_back_on, summary, **meta)
        )

    async def close_inspection(
        self,
        ctx: Context,
        inspection_id: UUID,
        *,
        closed_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(ctx, Inspection, inspection_id, lambda i: i.close(closed_on, **meta))

    async def issue_bulletin(
        self,
        ctx: Context,
        *,
        kind: BulletinKind,
        title: str,
        inspection_id: UUID,
        finding_ids: list[UUID],
        recipient_unit_ids: list[UUID],
        issued_on: date,
        summary: str | None,
        basis: str | None = None,
    ) -> CommandResult:
        """Circulate results (通报): the findings must be this inspection's."""

        async def decide() -> Decision:
            inspection = await self.store.get(Inspection, inspection_id, field="inspection_id")
            if inspection.stage is InspectionStage.PLANNED:
                raise IllegalTransition(
                    "an inspection that has not started has no results to circulate",
                    stage=inspection.stage.value,
                    allowed=["start"],
                    field="inspection_id",
                )
            for index, finding_id in enumerate(finding_ids):
                field = f"finding_ids.{index}"
                finding = await self.store.get(Finding, finding_id, field=field)
                if finding.inspection_id != inspection_id:
                    raise InvalidInput(
                        f"finding {finding_id} was not raised by this inspection", field=field
                    )
            for index, unit_id in enumerate(recipient_unit_ids):
                await self.store.get(Unit, unit_id, field=f"recipient_unit_ids.{index}")
            bulletin = Bulletin.issue(
                kind=kind,
                title=title,
                inspection_id=inspection_id,
                finding_ids=finding_ids,
                recipient_unit_ids=recipient_unit_ids,
                issued_on=issued_on,
                summary=summary,
                **ctx.meta(None, basis),
            )
            return Decision([bulletin], bulletin)

        return await self._execute(ctx, decide)
