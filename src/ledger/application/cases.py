"""Commands on accountability cases: open, sanction, appeal, uphold, modify, revoke, close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from ledger.application.commands import (
    AppealSanction,
    CloseCase,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    RevokeSanction,
    UpholdSanction,
)
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.accountability import AccountabilityCase, check_case_rests_on
from ledger.domain.authority import check_accountable_body, check_case_handler
from ledger.domain.finding import Finding
from ledger.domain.person import Person
from ledger.domain.unit import Unit


class CaseCommands(CommandService):
    async def open_case(self, ctx: Context, cmd: OpenCase) -> CommandResult:
        """Open a case against a person, resting on findings attributed to them."""

        async def decide() -> Decision:
            await self.store.get(Person, cmd.person_id, field="person_id")
            unit = await self.store.get(Unit, cmd.handling_unit_id, field="handling_unit_id")
            unit.check_not_dissolved("handling_unit_id")
            check_accountable_body(unit, "handling_unit_id")
            opened_on = cmd.opened_on or ctx.today
            for index, finding_id in enumerate(cmd.finding_ids):
                field = f"finding_ids.{index}"
                finding = await self.store.get(Finding, finding_id, field=field)
                await self._check_cited(ctx, finding, field)
                check_case_rests_on(finding, cmd.person_id, field, opened_on)
            posts = await self.store.person_assignments(cmd.person_id)
            lineages = [
                await self.store.lineage(u) for u in dict.fromkeys(a.unit_id for a in posts)
            ]
            check_case_handler(unit, cmd.person_id, lineages)
            case = AccountabilityCase.open(
                **{**cmd.fields(), "opened_on": opened_on},
                today=ctx.today,
                **ctx.meta(cmd.reason, cmd.basis),
            )
            # The person's findings and posts (person tag) and the units of the tree read.
            tree = dict.fromkeys([unit.id, *(u for lineage in lineages for u in lineage)])
            guard = [f"person:{cmd.person_id}", *(f"unit:{u}" for u in tree)]
            return Decision([case], case, guard)

        return await self._execute_guarded(ctx, decide)

    async def impose_sanction(
        self, ctx: Context, case_id: UUID, cmd: ImposeSanction
    ) -> CommandResult:
        sanction_id = uuid4()
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx,
            AccountabilityCase,
            case_id,
            lambda c: c.impose(sanction_id, **cmd.fields(), today=ctx.today, **meta),
            detail={"sanction_id": str(sanction_id)},
        )

    async def appeal_sanction(
        self, ctx: Context, case_id: UUID, cmd: AppealSanction
    ) -> CommandResult:
        return await self._step(ctx, case_id, cmd, lambda c: c.appeal)

    async def uphold_sanction(
        self, ctx: Context, case_id: UUID, sanction_id: UUID, cmd: UpholdSanction
    ) -> CommandResult:
        return await self._step(ctx, case_id, cmd, lambda c: c.uphold, sanction_id)

    async def modify_sanction(
        self, ctx: Context, case_id: UUID, sanction_id: UUID, cmd: ModifySanction
    ) -> CommandResult:
        return await self._step(ctx, case_id, cmd, lambda c: c.modify, sanction_id)

    async def revoke_sanction(
        self, ctx: Context, case_id: UUID, sanction_id: UUID, cmd: RevokeSanction
    ) -> CommandResult:
        return await self._step(ctx, case_id, cmd, lambda c: c.revoke, sanction_id)

    async def close_case(self, ctx: Context, case_id: UUID, cmd: CloseCase) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx,
            AccountabilityCase,
            case_id,
            lambda c: c.close(**cmd.fields(), today=ctx.today, **meta),
        )

    async def _step(
        self,
        ctx: Context,
        case_id: UUID,
        cmd: AppealSanction | UpholdSanction | ModifySanction | RevokeSanction,
        method: Callable[[AccountabilityCase], Callable[..., None]],
        sanction_id: UUID | None = None,
    ) -> CommandResult:
        """A step on one sanction of the case: the sanction named by the path, or the body."""
        named: dict[str, Any] = {} if sanction_id is None else {"sanction_id": sanction_id}
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(
            ctx,
            AccountabilityCase,
            case_id,
            lambda c: method(c)(**named, **cmd.fields(), today=ctx.today, **meta),
        )
