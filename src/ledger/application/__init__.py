"""The async command service: load, decide, append once."""

from ledger.application.accountability import AccountabilityCommands
from ledger.application.assessments import AssessmentCommands
from ledger.application.assignments import AssignmentCommands
from ledger.application.clues import ClueCommands
from ledger.application.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from ledger.application.inspections import InspectionCommands
from ledger.application.persons import PersonCommands
from ledger.application.service import CommandResult, Context
from ledger.application.units import UnitCommands


class Ledger(
    UnitCommands,
    PersonCommands,
    AssignmentCommands,
    InspectionCommands,
    ClueCommands,
    AccountabilityCommands,
    AssessmentCommands,
):
    """Every command of the ledger, one method each."""


__all__ = [
    "CommandResult",
    "ConcurrencyConflict",
    "Context",
    "IdempotencyKeyReused",
    "Ledger",
    "PreconditionFailed",
]
