"""Commands on accountability cases: open, sanction, appeal, uphold, modify, revoke, close."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.errors import InvariantViolation
from ledger.domain.finding import Finding
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import Outcome, SanctionKind


class AccountabilityCommands(CommandService):
    async def open_case(
        self,
        ctx: Context,
        *,
        person_id: UUID,
        finding_ids: list[UUID],
        handling_unit_id: UUID,
        opened_on: date | None = None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        """Open a case against a person, resting on findings attributed to them."""
        day = opened_on or date.today()

        async def decide() -> Decision:
            await self.store.get(Person, person_id, field="person_id")
            unit = await self.store.get(Unit, handling_unit_id, field="handling_unit_id")
            unit.check_not_dissolved("handling_unit_id")
            for index, finding_id in enumerate(finding_ids):
                field = f"finding_ids.{index}"
                finding = await self.store.get(Finding, finding_id, field=field)
                if person_id not in finding.attributions:
                    raise InvariantViolation(
                        f"finding {finding_id} is not attributed to person {person_id}",
                        field=field,
                    )
                if finding.outcome is Outcome.DISMISSED:
                    raise InvariantViolation(f"finding {finding_id} was dismissed", field=field)
            case = AccountabilityCase.open(
                person_id=person_id,
                finding_ids=finding_ids,
                handling_unit_id=handling_unit_id,
                opened_on=day,
                **ctx.meta(reason, basis),
            )
            return Decision([case], case)

        return await self._execute(ctx, decide)

    async def impose_sanction(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        kind: SanctionKind,
        decided_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        sanction_id = uuid4()
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx,
            AccountabilityCase,
            case_id,
            lambda c: c.impose(sanction_id, kind, decided_on, **meta),
            detail={"sanction_id": str(sanction_id)},
        )

    async def appeal_sanction(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        sanction_id: UUID,
        appealed_on: date,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, AccountabilityCase, case_id, lambda c: c.appeal(sanction_id, appealed_on, **meta)
        )

    async def uphold_sanction(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        sanction_id: UUID,
        decided_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, AccountabilityCase, case_id, lambda c: c.uphold(sanction_id, decided_on, **meta)
        )

    async def modify_sanction(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        sanction_id: UUID,
        kind: SanctionKind,
        decided_on: date,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx,
            AccountabilityCase,
            case_id,
            lambda c: c.modify(sanction_id, kind, decided_on, **meta),
        )

    async def revoke_sanction(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        sanction_id: UUID,
        decided_on: date,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, AccountabilityCase, case_id, lambda c: c.revoke(sanction_id, decided_on, **meta)
        )

    async def close_case(
        self,
        ctx: Context,
        case_id: UUID,
        *,
        closed_on: date,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        meta = ctx.meta(reason, basis)
        return await self._act(
            ctx, AccountabilityCase, case_id, lambda c: c.close(closed_on, **meta)
        )
