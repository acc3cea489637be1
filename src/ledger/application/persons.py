"""Commands on persons: register, correct details."""

from __future__ import annotations

from uuid import UUID

from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.person import Person


class PersonCommands(CommandService):
    async def register_person(
        self,
        ctx: Context,
        *,
        name: str,
        person_no: str | None,
        reason: str | None = None,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            guard = []
            if person_no:
                guard.append(
                    await self._check_unique(
                        "person_no", person_no, f"person_no {person_no} is already registered"
                    )
                )
            person = Person(name, person_no, ctx.actor, ctx.source, reason, basis)
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    async def correct_person(
        self,
        ctx: Context,
        person_id: UUID,
        *,
        name: str | None,
        person_no: str | None,
        reason: str,
        basis: str | None = None,
    ) -> CommandResult:
        async def decide() -> Decision:
            person = await self._get_for_update(ctx, Person, person_id)
            guard = []
            if person_no and person_no != person.person_no:
                guard.append(
                    await self._check_unique(
                        "person_no", person_no, f"person_no {person_no} is already registered"
                    )
                )
            person.correct_details(name, person_no, **ctx.meta(reason, basis))
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)
