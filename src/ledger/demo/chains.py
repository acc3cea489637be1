"""Build the demo's responsibility chains (``chains_data``, ``chains_appointments``): the
units, the persons, then the appointments, endings and re-divisions in valid-time order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from uuid import UUID

from ledger.application import Ledger
from ledger.application.commands import (
    Assign,
    ChangePortfolio,
    EndAssignment,
    RegisterPerson,
    RegisterUnit,
)
from ledger.demo.chains_appointments import TEAMS
from ledger.demo.chains_data import ENDINGS, REDIVISIONS, TOPICS, UNITS, Ending, Redivision, Team
from ledger.demo.runner import Runner
from ledger.domain.vocab import Category, PrincipalTitle, Role, UnitKind, UnitLevel

_PRINCIPAL_TITLES = {
    UnitKind.PARTY_COMMITTEE: PrincipalTitle.PARTY_SECRETARY,
    UnitKind.GOVERNMENT: PrincipalTitle.GOVERNMENT_HEAD,
}


def _topics(text: str) -> list[Category]:
    return [TOPICS[word] for word in text.split()]


def _person_no(name: str) -> str:
    """A stable number derived from the name, so reruns ask for the same one."""
    return f"D{int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], 'big') % 10**8:08d}"


class Chains(Runner):
    """The chains' loader; it keeps the ids it made by the data's keys and names."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.units: dict[str, tuple[UUID, UnitKind, str | None]] = {}
        self.persons: dict[str, UUID] = {}
        self.holding: dict[tuple[str, str], UUID] = {}  # (unit, person) → assignment now

    async def register_units(self) -> None:
        for key, name, kind, level, parent in UNITS:
            unit_kind = UnitKind(kind)
            self.units[key] = (
                await self.run_id(
                    f"demo:unit:{key}",
                    self.ledger.units.register_unit,
                    RegisterUnit(
                        name=name,
                        kind=unit_kind,
                        level=UnitLevel(level),
                        parent_id=self.units[parent][0] if parent else None,
                        code=key,
                    ),
                ),
                unit_kind,
                parent,
            )

    async def register_persons(self) -> None:
        for team in TEAMS:
            for post in team.posts:
                if post.person not in self.persons:
                    self.persons[post.person] = await self.run_id(
                        f"demo:person:{post.person}",
                        self.ledger.persons.register_person,
                        RegisterPerson(name=post.person, person_no=_person_no(post.person)),
                    )

    async def appoint(self, team: Team) -> None:
        _, kind, parent = self.units[team.unit]
        for post in team.posts:
            line = None
            if post.reports_to is not None:
                line = self.holding.get((team.unit, post.reports_to))
                if line is None and parent is not None:
                    line = self.holding[(parent, post.reports_to)]
            principal_title = None
            if post.role is Role.PRINCIPAL:
                principal_title = _PRINCIPAL_TITLES.get(kind, PrincipalTitle.UNIT_HEAD)
            self.holding[(team.unit, post.person)] = await self.run_id(
                f"demo:assign:{team.unit}/{post.person}/{team.since}",
                self.ledger.assignments.assign,
                Assign(
                    unit_id=self.units[team.unit][0],
                    person_id=self.persons[post.person],
                    role=post.role,
                    title=post.title,
                    principal_title=principal_title,
                    portfolio=_topics(post.topics),
                    reports_to=line,
                    effective_from=date.fromisoformat(team.since),
                    basis=team.basis,
                ),
            )

    async def end(self, ending: Ending) -> None:
        await self.run(
            f"demo:end:{ending.unit}/{ending.person}/{ending.on}",
            self.ledger.assignments.end_assignment,
            self.holding.pop((ending.unit, ending.person)),
            EndAssignment(
                effective_to=date.fromisoformat(ending.on),
                reason=ending.end_reason,
                note=ending.reason,
                basis=ending.basis,
            ),
        )

    async def redivide(self, change: Redivision) -> None:
        await self.run(
            f"demo:portfolio:{change.unit}/{change.person}/{change.on}",
            self.ledger.assignments.change_portfolio,
            self.holding[(change.unit, change.person)],
            ChangePortfolio(
                portfolio=_topics(change.topics),
                effective_on=date.fromisoformat(change.on),
                reason=change.reason,
                basis=change.basis,
            ),
        )

    async def replay_history(self) -> None:
        """Apply appointments, endings and re-divisions in valid-time order.

        On one day, endings come first (a successor may start the day a post ends), then
        appointments (in listed order, so a line's target exists), then re-divisions.
        """
        steps: list[tuple[str, int, Callable[[], Awaitable[None]]]] = [
            *((ending.on, 0, partial(self.end, ending)) for ending in ENDINGS),
            *((team.since, 1, partial(self.appoint, team)) for team in TEAMS),
            *((change.on, 2, partial(self.redivide, change)) for change in REDIVISIONS),
        ]
        for _, _, step in sorted(steps, key=lambda s: s[:2]):
            await step()


async def load_chains(ledger: Ledger) -> Chains:
    """Load the units, persons and their history; the loader holds their ids."""
    loader = Chains(ledger)
    await loader.register_units()
    await loader.register_persons()
    await loader.replay_history()
    return loader
