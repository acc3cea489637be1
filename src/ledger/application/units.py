"""Commands on units: register, rename, move, dissolve."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain import rules
from ledger.domain.unit import Unit
from ledger.domain.vocab import UnitKind, UnitLevel


class UnitCommands(CommandService):
    async def register_unit(
        self,
        ctx: Context,
        *,
        name: str,
        kind: UnitKind,
        level: UnitLevel,
        parent_id: UUID | None,
        code: str | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            guard: list[str] = []
            if code:
                guard.append(
                    await self._check_unique(
                        "code", code, f"unit code {code} is already registered"
                    )
                )
            if parent_id is not None:
                parent = await self.store.get(Unit, parent_id, field="parent_id")
                parent.check_not_dissolved("parent_id")
                guard.append(f"unit:{parent_id}")
            unit = Unit(name, kind, level, parent_id, code, ctx.actor, ctx.source, reason, basis)
            return Decision([unit], unit, guard)

        return await self._execute_guarded(ctx, decide)

    async def rename_unit(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        name: str,
        effective_on: date | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            unit.rename(name, effective_on, **ctx.meta(reason, basis))
            return Decision([unit], unit)

        return await self._execute(ctx, decide)

    async def move_unit(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        parent_id: UUID,
        effective_on: date | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            parent = await self.store.get(Unit, parent_id, field="parent_id")
            parent.check_not_dissolved("parent_id")
            ancestors = [parent.id]
            cursor = parent
            while cursor.parent_id is not None and cursor.parent_id not in ancestors:
                ancestors.append(cursor.parent_id)
                cursor = await self.store.get(Unit, cursor.parent_id)
            rules.check_parent_acyclic(unit.id, ancestors)
            unit.move(parent_id, effective_on, **ctx.meta(reason, basis))
            return Decision([unit], unit, [f"unit:{a}" for a in ancestors])

        return await self._execute_guarded(ctx, decide)

    async def dissolve_unit(
        self,
        ctx: Context,
        unit_id: UUID,
        *,
        merged_into: UUID | None,
        effective_on: date | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            unit = await self._get_for_update(ctx, Unit, unit_id)
            guard = []
            if merged_into is not None and merged_into != unit_id:
                target = await self.store.get(Unit, merged_into, field="merged_into")
                target.check_not_dissolved("merged_into")
                guard.append(f"unit:{merged_into}")
            unit.dissolve(merged_into, effective_on, **ctx.meta(reason, basis))
            return Decision([unit], unit, guard)

        return await self._execute_guarded(ctx, decide)
