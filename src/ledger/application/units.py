"""Commands on units: register, rename, move, dissolve."""

from __future__ import annotations

from uuid import UUID

from ledger.application.commands import DissolveUnit, MoveUnit, RegisterUnit, RenameUnit
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain import rules
from ledger.domain.unit import Unit


class UnitCommands(CommandService):
    async def register_unit(self, ctx: Context, cmd: RegisterUnit) -> CommandResult:
        async def decide() -> Decision:
            guard: list[str] = []
            if cmd.code:
                message = f"unit code {cmd.code} is already registered"
                guard.append(await self.store.check_unique("code", cmd.code, message))
            if cmd.parent_id is not None:
                parent = await self.store.get(Unit, cmd.parent_id, field="parent_id")
                parent.check_not_dissolved("parent_id")
                guard.append(f"unit:{cmd.parent_id}")
            unit = Unit(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            return Decision([unit], unit, guard)

        return await self._execute_guarded(ctx, decide)

    async def rename_unit(self, ctx: Context, unit_id: UUID, cmd: RenameUnit) -> CommandResult:
        meta = ctx.meta(cmd.reason, cmd.basis)
        return await self._act(ctx, Unit, unit_id, lambda u: u.rename(**cmd.fields(), **meta))

    async def move_unit(self, ctx: Context, unit_id: UUID, cmd: MoveUnit) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            parent = await self.store.get(Unit, cmd.parent_id, field="parent_id")
            parent.check_not_dissolved("parent_id")
            ancestors = [parent.id]
            cursor = parent
            while cursor.parent_id is not None and cursor.parent_id not in ancestors:
                ancestors.append(cursor.parent_id)
                cursor = await self.store.get(Unit, cursor.parent_id)
            rules.check_parent_acyclic(unit.id, ancestors)
            unit.move(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            return Decision([unit], unit, [f"unit:{a}" for a in ancestors])

        return await self._execute_guarded(ctx, decide)

    async def dissolve_unit(self, ctx: Context, unit_id: UUID, cmd: DissolveUnit) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            guard = []
            if cmd.merged_into is not None and cmd.merged_into != unit_id:
                target = await self.store.get(Unit, cmd.merged_into, field="merged_into")
                target.check_not_dissolved("merged_into")
                guard.append(f"unit:{cmd.merged_into}")
            unit.dissolve(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            return Decision([unit], unit, guard)

        return await self._execute_guarded(ctx, decide)
