"""Errors of the command service (beyond the domain's own)."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of the command service's errors."""


class PreconditionFailed(ApplicationError):
    """Raised when ``If-Match`` names another version than the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"the resource is at version {current}, not {expected}")
        self.expected = expected
        self.current = current


class IdempotencyKeyReused(ApplicationError):
    """Raised when an idempotency key comes back with a different request."""


class ConcurrencyConflict(ApplicationError):
    """Raised when concurrent writers kept changing what the command depends on."""
