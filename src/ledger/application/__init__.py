"""The async command service: load, decide, append once."""

from ledger.application.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from ledger.application.service import CommandResult, Context, Ledger

__all__ = [
    "CommandResult",
    "ConcurrencyConflict",
    "Context",
    "IdempotencyKeyReused",
    "Ledger",
    "PreconditionFailed",
]
