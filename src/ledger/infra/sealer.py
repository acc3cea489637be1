"""The sealer: keeps the Merkle tree at the head of the log and signs checkpoints.

It is the only signer in a running service (besides `ledger checkpoint`, an operator's
explicit signing). A reader that needs a checkpoint covering a position asks for one:
``covering_checkpoint`` sends NOTIFY on ``ledger_checkpoint_wanted`` with the position,
every sealer LISTENs there, extends the tree and signs at once; the reader polls the
latest checkpoint until it covers the position, for a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import structlog

from ledger.infra.checkpoints import Signer, latest_checkpoint, make_checkpoint
from ledger.infra.database import LOST
from ledger.infra.merkle import Tree, extend_all

log = structlog.get_logger(__name__)

CHANNEL = "ledger_checkpoint_wanted"
ASK_AGAIN = 0.5  # a waiting reader repeats its ask (a sealer may have been reconnecting)
ASK_LIFETIME = 2.0  # a sealer forgets an ask no reader has repeated for this long
READER_POLL = 0.02  # how often a waiting reader looks at the latest checkpoint
RETRY = 0.02  # how soon a sealer tries again when the tree has not reached an ask yet


async def ask_for_checkpoint(pool: asyncpg.Pool, position: int) -> None:
    """Ask every running sealer for a checkpoint covering ``position``."""
    await pool.execute("SELECT pg_notify($1, $2)", CHANNEL, str(position))


async def covering_checkpoint(
    pool: asyncpg.Pool, key: bytes, position: int, *, within: float
) -> tuple[int, str] | None:
    """The latest checkpoint signed by ``key``, once it covers ``position``.

    When none does yet, the sealer is asked for one and the latest is read again until
    one does or ``within`` seconds have passed; then the latest there is is returned
    (short of ``position``, or None), and what it does not cover stays unproved. With no
    sealer running, that is a wait of ``within`` seconds.
    """
    deadline = time.monotonic() + within
    latest = await latest_checkpoint(pool, key)
    asked: float | None = None
    while latest is None or latest[0] < position:
        now = time.monotonic()
        if now >= deadline:
            break
        if asked is None or now - asked >= ASK_AGAIN:
            await ask_for_checkpoint(pool, position)
            asked = now
        await asyncio.sleep(min(READER_POLL, max(deadline - now, 0.0)))
        latest = await latest_checkpoint(pool, key)
    return latest


class _Asks:
    """The largest position readers asked a checkpoint to cover, while they still ask."""

    def __init__(self) -> None:
        self.position = 0
        self.at = 0.0
        self.wake = asyncio.Event()

    def on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            position = int(payload)
        except ValueError:
            return
        self.position = max(self.position, position)
        self.at = time.monotonic()
        self.wake.set()

    def pending(self) -> int:
        if self.position and time.monotonic() - self.at > ASK_LIFETIME:
            self.position = 0
        return self.position

    def settle(self, signed: int) -> None:
        if self.position <= signed:
            self.position = 0

    async def wait(self, stop: asyncio.Event, seconds: float) -> None:
        waiter = asyncio.ensure_future(self.wake.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, stopper}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        stopper.cancel()


async def run_sealer(
    pool: asyncpg.Pool,
    signer: Signer,
    stop: asyncio.Event,
    *,
    interval: float = 60.0,
    poll_interval: float = 1.0,
) -> None:
    """Extend the tree as the log grows; sign a checkpoint every ``interval`` seconds
    when the tree has grown since the last one (and once at start), and at once when a
    reader asks for one covering a position the latest does not.

    Asks arrive by NOTIFY on ``CHANNEL``, on a connection held for listening; a lost
    connection is taken again, and polling goes on meanwhile.
    """
    asks = _Asks()
    next_checkpoint = time.monotonic()
    while not stop.is_set():
        listening: asyncpg.Connection | None = None
        try:
            listening = await pool.acquire()
            await listening.add_listener(CHANNEL, asks.on_notify)
        except LOST as error:
            log.error("sealer_lost_database", error=str(error))
            if listening is not None:
                await pool.release(listening)
                listening = None
        try:
            while not stop.is_set():
                asks.wake.clear()
                next_checkpoint, behind = await _seal(pool, signer, asks, next_checkpoint, interval)
                await asks.wait(stop, RETRY if behind else poll_interval)
                if listening is None or _gone(listening):
                    break
        finally:
            if listening is not None:
                with contextlib.suppress(*LOST):
                    if not _gone(listening):
                        await listening.remove_listener(CHANNEL, asks.on_notify)
                    await pool.release(listening)


def _gone(conn: asyncpg.Connection) -> bool:
    """Whether the listening connection was lost: closed, or already handed back to the
    pool (asyncpg does so when the server ends it; the proxy then refuses every call)."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True


async def _seal(
    pool: asyncpg.Pool, signer: Signer, asks: _Asks, next_checkpoint: float, interval: float
) -> tuple[float, bool]:
    """One round: extend the tree, sign if due or asked. Returns when the next timed
    checkpoint is due and whether an ask is still waiting for the tree to reach it."""
    try:
        await extend_all(pool)
        due = time.monotonic() >= next_checkpoint
        wanted = asks.pending()
        if not due and not wanted:
            return next_checkpoint, False
        size = await Tree(pool).size()
        latest = await latest_checkpoint(pool, signer.key_id)
        signed = latest[0] if latest is not None else -1  # -1: none signed yet
        if signed < size and (due or signed < wanted):
            await make_checkpoint(pool, signer)
            log.info("checkpoint_signed", size=size, asked=wanted or None)
            signed = size
        if due:
            next_checkpoint = time.monotonic() + interval
        asks.settle(signed)
        return next_checkpoint, asks.pending() > 0
    except LOST as error:
        log.error("sealer_lost_database", error=str(error))
    except Exception as error:  # e.g. a gap in the log: keep running, say it loudly
        log.error("sealer_failed", error=repr(error), hint="run `ledger verify`")
    return next_checkpoint, False
