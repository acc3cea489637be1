"""Commands on accountability cases (问责) and their sanctions."""

from __future__ import annotations

from uuid import UUID

from pydantic import (
    Field,
)

from ledger.application.commands.types import Body, Command, Day, Text
from ledger.domain.vocab import SanctionKind


class OpenCase(Command):
    person_id: UUID
    finding_ids: list[UUID] = Field(
        min_length=1, max_length=100, description="Findings attributed to the person."
    )
    handling_unit_id: UUID = Field(
        description="A discipline body or a personnel department whose jurisdiction (its parent"
        " unit and every unit below) holds a unit where the person holds or held a post."
    )
    opened_on: Day | None = Field(default=None, description="Default today.")


class ImposeSanction(Command):
    kind: SanctionKind
    decided_on: Day


class AppealSanction(Body):
    sanction_id: UUID
    appealed_on: Day
    reason: Text


class UpholdSanction(Command):
    decided_on: Day


class ModifySanction(Body):
    kind: SanctionKind
    decided_on: Day
    reason: Text


class RevokeSanction(Body):
    decided_on: Day
    reason: Text


class CloseCase(Command):
    closed_on: Day
