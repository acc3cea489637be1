"""Commands on bulletins (通报): circulate an inspection's results."""

from __future__ import annotations

from ledger.application.commands import IssueBulletin
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.bulletin import Bulletin
from ledger.domain.errors import IllegalTransition, InvalidInput
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.unit import Unit
from ledger.domain.vocab import InspectionStage


class BulletinCommands(CommandService):
    async def issue_bulletin(self, ctx: Context, cmd: IssueBulletin) -> CommandResult:
        """Circulate results (通报): the findings must be this inspection's."""

        async def decide() -> Decision:
            inspection = await self.store.get(Inspection, cmd.inspection_id, field="inspection_id")
            await self._check_cited(ctx, inspection, "inspection_id")
            if inspection.stage is InspectionStage.PLANNED:
                raise IllegalTransition(
                    "an inspection that has not started has no results to circulate",
                    stage=inspection.stage.value,
                    allowed=["start"],
                    field="inspection_id",
                )
            for index, finding_id in enumerate(cmd.finding_ids):
                field = f"finding_ids.{index}"
                finding = await self.store.get(Finding, finding_id, field=field)
                await self._check_cited(ctx, finding, field)
                if finding.inspection_id != cmd.inspection_id:
                    raise InvalidInput(
                        f"finding {finding_id} was not raised by this inspection", field=field
                    )
            for index, unit_id in enumerate(cmd.recipient_unit_ids):
                await self.store.get(Unit, unit_id, field=f"recipient_unit_ids.{index}")
            bulletin = Bulletin.issue(**cmd.fields(), **ctx.meta(None, cmd.basis))
            return Decision([bulletin], bulletin)

        return await self._execute(ctx, decide)
