"""Commands on persons: register, correct details."""

from __future__ import annotations

from uuid import UUID

from ledger.application.commands import CorrectPerson, RegisterPerson
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.domain.person import Person


class PersonCommands(CommandService):
    async def register_person(self, ctx: Context, cmd: RegisterPerson) -> CommandResult:
        async def decide() -> Decision:
            guard = []
            if cmd.person_no:
                guard.append(await self._check_person_no(cmd.person_no))
            person = Person(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    async def correct_person(
        self, ctx: Context, person_id: UUID, cmd: CorrectPerson
    ) -> CommandResult:
        async def decide() -> Decision:
            person = await self._get_for_update(ctx, Person, person_id)
            guard = []
            if cmd.person_no and cmd.person_no != person.person_no:
                guard.append(await self._check_person_no(cmd.person_no))
            person.correct_details(**cmd.fields(), **ctx.meta(cmd.reason, cmd.basis))
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    async def _check_person_no(self, person_no: str) -> str:
        message = f"person_no {person_no} is already registered"
        return await self.store.check_unique("person_no", person_no, message)
