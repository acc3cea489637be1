"""Dates that cannot be true: an act dated after today, or before the act it follows.

"Today" is handed in by the caller (the service's calendar day in its configured time
zone), so the rules stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ledger.domain.errors import InvalidInput


def check_not_after_today(day: date, today: date, field: str) -> None:
    """Raised when an act is dated after today: it cannot have happened yet."""
    if day > today:
        raise InvalidInput(
            f"{field} ({day}) is after today ({today}): record an act once it has happened",
            field=field,
        )


def check_not_before(day: date, field: str, earlier: Mapping[str, date | None]) -> None:
    """Raised when ``day`` lies before one of the ``earlier`` dates (each named as the
    message should name it, e.g. ``found_on``); the latest of them is the one named."""
    named = [(since, name) for name, since in earlier.items() if since is not None]
    if not named:
        return
    # On a tie the first named (found_on before the steps after it) is the one named.
    since, name = max(named, key=lambda pair: pair[0])
    if day < since:
        raise InvalidInput(f"{field} ({day}) must not be before {name} ({since})", field=field)
