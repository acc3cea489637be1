"""The sealer: keeps the Merkle tree at the head of the log and signs checkpoints."""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import structlog

from ledger.infra.checkpoints import Signer, latest_checkpoint, make_checkpoint
from ledger.infra.merkle import Tree, extend_all

log = structlog.get_logger(__name__)


async def run_sealer(
    pool: asyncpg.Pool,
    signer: Signer,
    stop: asyncio.Event,
    *,
    interval: float = 60.0,
    poll_interval: float = 1.0,
) -> None:
    """Extend the tree as the log grows; sign a checkpoint every ``interval`` seconds
    when the tree has grown since the last one (and once at start)."""
    next_checkpoint = time.monotonic()
    while not stop.is_set():
        try:
            await extend_all(pool)
            if time.monotonic() >= next_checkpoint:
                size = await Tree(pool).size()
                latest = await latest_checkpoint(pool, signer.key_id)
                if latest is None or latest[0] < size:
                    await make_checkpoint(pool, signer)
                    log.info("checkpoint_signed", size=size)
                next_checkpoint = time.monotonic() + interval
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.error("sealer_lost_database", error=str(error))
        except Exception as error:  # e.g. a gap in the log: keep running, say it loudly
            log.error("sealer_failed", error=repr(error), hint="run `ledger verify`")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_interval)
