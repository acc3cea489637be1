"""Domain errors. The API maps each class to an HTTP status in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the domain refuses; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """Raised when the input itself breaks a rule, whatever the ledger holds (422)."""


class InvariantViolation(DomainError):
    """Raised when the input conflicts with what the ledger holds (409)."""


class NotFound(DomainError):
    """Raised when a referenced unit, person or assignment does not exist."""


class UnitDissolved(InvariantViolation):
    """Raised when a command targets a dissolved unit."""


class PeriodError(InvalidInput):
    """Raised when an assignment would end on or before the day it starts."""


class PrincipalOverlap(InvariantViolation):
    """Raised when two persons would hold the same principal title of a unit at once."""


class ReportsToError(InvariantViolation):
    """Raised when ``reports_to`` is not a valid line in the chain."""


class CycleError(InvariantViolation):
    """Raised when a parent or reporting line would loop back on itself."""


class AlreadyEnded(InvariantViolation):
    """Raised when an ended assignment is ended again or its portfolio changed."""


class IllegalTransition(InvariantViolation):
    """Raised when a step is asked of a finding, inspection or case in the wrong stage."""

    def __init__(self, message: str, *, stage: str, allowed: list[str], field: str | None = None):
        super().__init__(
            f"{message}: the stage is {stage}; allowed next: {', '.join(allowed) or 'none'}",
            field=field,
        )
        self.stage = stage
        self.allowed = allowed


class NotAttributable(InvariantViolation):
    """Raised when a finding is attributed to a person with no assignment there then."""


class NoAuthority(InvariantViolation):
    """Raised when the unit or person a command names holds no authority the act needs:
    a referral to a body that cannot hold anyone to account, an approver or owner with no
    post there that day, a case handled outside the body's jurisdiction."""


class OutsideJurisdiction(DomainError):
    """Raised when a command reaches a unit outside the caller's jurisdiction (403)."""
