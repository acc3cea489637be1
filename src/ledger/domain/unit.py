"""Unit (单位): a party committee, government, department or other organ."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.errors import CycleError, InvalidInput, UnitDissolved
from ledger.domain.vocab import UnitKind, UnitLevel


class Unit(Aggregate):
    """A unit and its place under a parent (jurisdiction 辖区)."""

    @event("Registered")
    def __init__(
        self,
        name: str,
        kind: UnitKind,
        level: UnitLevel,
        parent_id: UUID | None,
        code: str | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.level = level
        self.parent_id = parent_id
        self.code = code
        self.dissolved = False
        self.merged_into: UUID | None = None

    def check_not_dissolved(self, field: str | None = None) -> None:
        """Raised when the unit was dissolved; ``field`` names the input that chose it."""
        if self.dissolved:
            raise UnitDissolved(f"unit {self.id} is dissolved", field=field)

    def rename(
        self,
        name: str,
        effective_on: date | None,
        *,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.check_not_dissolved()
        if name == self.name:
            raise InvalidInput("the unit already has this name", field="name")
        self._renamed(name, effective_on, actor, source, reason, basis)

    @event("Renamed")
    def _renamed(
        self,
        name: str,
        effective_on: date | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.name = name

    def move(
        self,
        parent_id: UUID,
        effective_on: date | None,
        *,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.check_not_dissolved()
        if parent_id == self.id:
            raise CycleError("a unit cannot be its own parent", field="parent_id")
        if parent_id == self.parent_id:
            raise InvalidInput("the unit is already under this parent", field="parent_id")
        self._moved(parent_id, effective_on, actor, source, reason, basis)

    @event("Moved")
    def _moved(
        self,
        parent_id: UUID,
        effective_on: date | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.parent_id = parent_id

    def dissolve(
        self,
        merged_into: UUID | None,
        effective_on: date | None,
        *,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.check_not_dissolved()
        if merged_into == self.id:
            raise InvalidInput("a unit cannot be merged into itself", field="merged_into")
        self._dissolved(merged_into, effective_on, actor, source, reason, basis)

    @event("Dissolved")
    def _dissolved(
        self,
        merged_into: UUID | None,
        effective_on: date | None,
        actor: str,
        source: str,
        reason: str | None,
        basis: str | None,
    ) -> None:
        self.dissolved = True
        self.merged_into = merged_into
