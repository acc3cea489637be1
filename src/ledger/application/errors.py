"""Errors of the command service (beyond the domain's own)."""

from __future__ import annotations

from typing import Any


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


class ClueRedelivered(ApplicationError):
    """Raised when a clue already received comes again with a different body: the two
    versions, as stored and as delivered now, for the sender to reconcile."""

    def __init__(self, clue_id: object, stored: dict[str, Any], delivered: dict[str, Any]) -> None:
        differing = sorted(k for k in stored if stored[k] != delivered.get(k))
        super().__init__(
            f"clue {clue_id} was received before with other content"
            f" ({', '.join(differing)} differ); the first delivery stands"
        )
        self.clue_id = clue_id
        self.stored = stored
        self.delivered = delivered
        self.differing = differing
