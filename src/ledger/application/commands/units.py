"""Commands on units (单位): register, rename, move, dissolve."""

from __future__ import annotations

from uuid import UUID

from ledger.application.commands.types import Code, Command, Day, Name
from ledger.domain.vocab import UnitKind, UnitLevel


class RegisterUnit(Command):
    name: Name
    kind: UnitKind
    level: UnitLevel
    parent_id: UUID | None = None
    code: Code | None = None


class RenameUnit(Command):
    name: Name
    effective_on: Day | None = None


class MoveUnit(Command):
    parent_id: UUID
    effective_on: Day | None = None


class DissolveUnit(Command):
    merged_into: UUID | None = None
    effective_on: Day | None = None
