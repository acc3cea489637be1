"""Where a query reads: the primary, or a streaming replica (``LEDGER_READ_DATABASE_URL``)
whose read models have reached the position the query asks for.

A replica replays the primary's WAL in commit order, so what it holds is an earlier state
of the primary, whole: its log, its read models and their tracking rows agree with each
other. A query with ``min_position`` P is answered on a replica only once every read
model there has reached P (read from its ``projection_tracking``; LISTEN/NOTIFY does not
reach a replica, so nothing here waits for one); else on the primary, which waits for P
at most ``LEDGER_MIN_POSITION_TIMEOUT`` seconds and then answers 503, as with no replica.
A query without one is answered by the next replica in turn that answers, at whatever
position it has reached (the answer names it). A replica that fails is left out for
``RESTING`` seconds, and its queries go to the next one or to the primary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from ledger.infra.database import TIMED_OUT, UNAVAILABLE, Pool
from ledger.infra.metrics import Metrics
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.findings import NAME as FINDINGS
from ledger.projections.records import NAME as RECORDS
from ledger.projections.runner import tracked_positions

log = structlog.get_logger(__name__)

SERVED = (CHAIN, RECORDS, FINDINGS)  # the read models the queries draw on
RESTING = 5.0  # seconds a replica that failed is left out
TTL = 0.05  # seconds a replica's positions are reused before they are read again


class Positions(Protocol):
    """The positions a database's read models have reached (``projections.Reached``)."""

    async def position(self, name: str, *, fresh: bool = False) -> int: ...


@dataclass(eq=False)
class Source:
    """A database a query may read: its name (``primary``, ``replica-N``), its pool and
    the positions its read models have reached."""

    name: str
    pool: Pool
    reached: Positions


@dataclass(eq=False)
class Replica:
    """A streaming replica: its positions, read all at once at most every ``TTL`` s."""

    name: str
    pool: Pool
    resting_until: float = 0.0
    _read: tuple[dict[str, int], float] = field(default_factory=lambda: ({}, 0.0))

    async def positions(self, *, fresh: bool = False) -> dict[str, int]:
        now = time.monotonic()
        held, at = self._read
        if held and not fresh and now - at < TTL:
            return held
        held = await tracked_positions(self.pool)
        self._read = (held, now)
        return held

    async def position(self, name: str, *, fresh: bool = False) -> int:
        return (await self.positions(fresh=fresh)).get(name, 0)

    async def reached(self, wanted: int) -> int:
        """The least position the served read models have reached here: as last read, or
        read again if that is short of ``wanted``."""
        held = await self.positions()
        least = min(held.get(name, 0) for name in SERVED)
        if least < wanted:
            held = await self.positions(fresh=True)
            least = min(held.get(name, 0) for name in SERVED)
        return least


class Sources:
    """The primary and the replicas, in turn."""

    def __init__(self, primary: Source, replicas: list[Replica], metrics: Metrics) -> None:
        self.primary, self.replicas, self.metrics = primary, replicas, metrics
        self._next = 0

    async def choose(self, wanted: int) -> Source:
        """The next replica in turn that is up and has reached ``wanted``; else the primary."""
        count = len(self.replicas)
        for step in range(count):
            replica = self.replicas[(self._next + step) % count]
            if replica.resting_until > time.monotonic():
                continue
            try:
                reached = await replica.reached(wanted)
            except (*UNAVAILABLE, *TIMED_OUT) as error:
                replica.resting_until = time.monotonic() + RESTING
                log.warning("replica_unavailable", replica=replica.name, error=repr(error))
                continue
            if reached >= wanted:
                self._next = (self._next + step + 1) % count
                self.metrics.reads.labels(replica.name).inc()
                return Source(replica.name, replica.pool, replica)
        self.metrics.reads.labels(self.primary.name).inc()
        return self.primary

    async def close(self) -> None:
        for replica in self.replicas:
            await replica.pool.close()
