"""Commands on persons: register, correct details; and finding a person by number.

An identity number (person_no) reaches the aggregate only as its keyed hash, under the
service's PII key; the number itself is neither stored nor logged nor answered.
"""

from __future__ import annotations

from uuid import UUID

from ledger.application.commands import CorrectPerson, RegisterPerson
from ledger.application.jurisdiction import person_inside
from ledger.application.service import CommandResult, CommandService, Context, Decision
from ledger.application.store import AggregateStore
from ledger.domain.errors import InvariantViolation
from ledger.domain.person import Person
from ledger.infra.pii import keyed_hash


class PersonCommands(CommandService):
    def __init__(self, store: AggregateStore, pii_key: bytes) -> None:
        super().__init__(store)
        self._pii_key = pii_key

    def number_hash(self, person_no: str) -> str:
        """The keyed hash a number is stored and found by (case and outer spaces aside)."""
        return keyed_hash(self._pii_key, person_no.strip().upper())

    async def register_person(self, ctx: Context, cmd: RegisterPerson) -> CommandResult:
        async def decide() -> Decision:
            number, guard = None, []
            if cmd.person_no:
                number = self.number_hash(cmd.person_no)
                guard = await self._check_unique(cmd.person_no, number)
            meta = ctx.meta(cmd.reason, cmd.basis)
            person = Person(name=cmd.name, person_no_hash=number, **meta)
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    async def correct_person(
        self, ctx: Context, person_id: UUID, cmd: CorrectPerson
    ) -> CommandResult:
        async def decide() -> Decision:
            person = await self._get_for_update(ctx, Person, person_id)
            number, guard = None, []
            if cmd.person_no:
                number = self.number_hash(cmd.person_no)
                if number != person.person_no_hash:
                    guard = await self._check_unique(cmd.person_no, number)
            meta = ctx.meta(cmd.reason, cmd.basis)
            person.correct_details(cmd.name, number, **meta)
            return Decision([person], person, guard)

        return await self._execute_guarded(ctx, decide)

    async def find_by_number(self, person_no: str, within: UUID | None = None) -> UUID | None:
        """The person who holds ``person_no`` now, if any, and inside the jurisdiction of
        the unit ``within`` (None: the whole ledger)."""
        holders = await self._holders(self.number_hash(person_no))
        if not holders:
            return None
        found = holders[0].id
        if within is not None and not await person_inside(self.store, within, found):
            return None
        return found

    async def _holders(self, number: str) -> list[Person]:
        found, _ = await self.store.tagged([f"person-no-hash:{number}"])
        return [p for p in found if isinstance(p, Person) and p.person_no_hash == number]

    async def _check_unique(self, person_no: str, number: str) -> list[str]:
        """Raised when another person holds the number; returns the guard tags.

        Before numbers were hashed, events were tagged with the number itself: a person
        tagged so, and given no number since, may hold it, and is counted as holding it.
        """
        legacy = f"person-no:{person_no}"
        held = await self._holders(number)
        if not held:
            tagged, _ = await self.store.tagged([legacy])
            held = [p for p in tagged if isinstance(p, Person) and p.person_no_hash is None]
        if held:
            raise InvariantViolation(
                f"this person_no is already registered (held by person {held[0].id})",
                field="person_no",
            )
        return [f"person-no-hash:{number}", legacy]
