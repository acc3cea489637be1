"""A ledger process's background work: the projection worker keeps the read models
caught up, the sealer keeps the Merkle tree at the head of the log and signs checkpoints.

``ledger serve`` runs it in the API process (``LEDGER_PROJECT_IN_PROCESS``), ``ledger
project`` alone; both through ``run_background``, so both run the same two loops with the
same settings.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from eventsourcing.persistence import Mapper

from ledger.infra.checkpoints import Signer
from ledger.infra.sealer import run_sealer
from ledger.infra.settings import Settings
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import run_worker


async def run_background(
    pool: asyncpg.Pool,
    mapper: Mapper[Any],
    signer: Signer,
    settings: Settings,
    stop: asyncio.Event,
) -> None:
    """Run the projection worker and the sealer until ``stop`` is set. Each outlives a
    lost database on its own; should one fail otherwise, the other is cancelled and the
    failure raised, so a process never goes on with half its work silently stopped."""
    async with asyncio.TaskGroup() as group:
        group.create_task(
            run_worker(
                pool,
                mapper,
                PROJECTIONS,
                stop,
                batch_size=settings.projection_batch_size,
                poll_interval=settings.projection_poll_interval,
                tables=TABLES,
            )
        )
        group.create_task(
            run_sealer(
                pool,
                signer,
                stop,
                interval=settings.checkpoint_interval,
                poll_interval=settings.projection_poll_interval,
            )
        )
