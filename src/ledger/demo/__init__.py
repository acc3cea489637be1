"""The demo data set, loaded through the command service, idempotently: the responsibility
chains of a province, a city and its districts (``chains``), then the year of inspection and
accountability built on them (``cycle``).

Every command carries a stable idempotency key and request hash, so a second run replays
the first run's results (and ids) without writing anything. Editing a row that was already
loaded changes its hash, and the rerun then stops with ``IdempotencyKeyReused``.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.application import Ledger
from ledger.demo.chains import load_chains
from ledger.demo.chains_appointments import TEAMS
from ledger.demo.cycle import load_cycle
from ledger.infra.codec import make_mapper
from ledger.infra.eventstore import EventStore

__all__ = ["load_demo"]


# The units the demo's tokens are scoped to (``ledger demo`` prints one token per role).
JURISDICTIONS = {"city": "wx.cpc", "bureau": "wx.sfj"}


async def load_demo(pool: asyncpg.Pool, pii_key: bytes | None = None) -> dict[str, Any]:
    """Load the demo data set; returns its size, the events written now and the head.
    ``pii_key``: the service's, so that the demo's identity numbers are found by it."""
    ledger = Ledger(EventStore(pool), make_mapper(), pii_key)
    loader = await load_chains(ledger)
    # The loop's findings are attributed from the chains, so it comes after them.
    units = {key: unit[0] for key, unit in loader.units.items()}
    cycle = await load_cycle(ledger, units, loader.persons)
    return {
        "units": len(loader.units),
        "persons": len(loader.persons),
        "assignments": sum(len(team.posts) for team in TEAMS),
        **cycle,
        # Each of the chains' commands appends exactly one event.
        "events": loader.written + cycle["events"],
        "head": await ledger.events.head_position(),
        "jurisdictions": {name: str(units[key]) for name, key in JURISDICTIONS.items()},
    }
