"""The application: commands in, one append out. ``Ledger`` holds one handler object per
aggregate family, each given only the store it reads and appends through."""

from __future__ import annotations

import secrets
from typing import Any

from eventsourcing.persistence import Mapper

from ledger.application.assessments import AssessmentCommands
from ledger.application.assignments import AssignmentCommands
from ledger.application.bulletins import BulletinCommands
from ledger.application.cases import CaseCommands
from ledger.application.clue_batch import ClueBatch
from ledger.application.clues import ClueCommands
from ledger.application.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from ledger.application.findings import FindingCommands
from ledger.application.inspections import InspectionCommands
from ledger.application.persons import PersonCommands
from ledger.application.service import CommandResult, Context
from ledger.application.store import AggregateStore
from ledger.application.units import UnitCommands
from ledger.infra.eventstore import EventStore


class Ledger:
    """Every command of the ledger, by the aggregates it changes:
    ``ledger.findings.raise_finding(ctx, RaiseFinding(...))``."""

    def __init__(
        self,
        events: EventStore,
        mapper: Mapper[Any],
        pii_key: bytes | None = None,
        *,
        store: AggregateStore | None = None,
    ) -> None:
        """``pii_key``: the key identity numbers are hashed under (the service's, from
        ``infra.pii.load_pii_key``); without one (tests, tools) a key of this instance's
        own, so numbers it hashes match only numbers it hashed. ``store``: where aggregates
        are read and appended (an import's staging store); by default, the log itself."""
        self.events = events
        self.store = store = store or AggregateStore(events, mapper)
        self.units = UnitCommands(store)
        self.persons = PersonCommands(store, pii_key or secrets.token_bytes(32))
        self.assignments = AssignmentCommands(store)
        self.inspections = InspectionCommands(store)
        self.findings = FindingCommands(store)
        self.clues = ClueCommands(store, self.findings)
        self.clue_batch = ClueBatch(store)
        self.cases = CaseCommands(store)
        self.bulletins = BulletinCommands(store)
        self.assessments = AssessmentCommands(store)


__all__ = [
    "CommandResult",
    "ConcurrencyConflict",
    "Context",
    "IdempotencyKeyReused",
    "Ledger",
    "PreconditionFailed",
]
