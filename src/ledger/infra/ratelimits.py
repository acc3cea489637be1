"""Each token's requests a minute, counted by every API process together in PostgreSQL
(``rate_windows``), with no round trip on a request's path.

A process decides alone, from what it knows: the token's total for this minute as the
database last told it, plus what the process has let through since. A background task
(``run``) flushes every ``LEDGER_RATE_SYNC_INTERVAL`` seconds: one statement adds the
counts let through since the last flush and reads back the totals of every token this
process has seen this minute, and of every token already at the limit (so a request
refused by one process and retried on another is refused there too). Between two flushes
a process does not see what the others let through; ``api/limits.py`` states how far past
the limit that can go.

A flush that fails (the database down) keeps its counts for the next one and never fails a
request: each process's own token bucket limits meanwhile. Counts are written at least
once: a flush whose answer is lost after its commit is sent again, which only counts too
many. The minute is the process's clock (kept in step by NTP), not the database's.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable

import asyncpg
import structlog

log = structlog.get_logger(__name__)

MAX_TOKENS = 50_000  # tokens counted in memory at once, as api/limits.MAX_BUCKETS
FLUSH_TIMEOUT = 5.0  # seconds a flush may take (a connection, the statement) before it fails

# $1-$3: the counts let through, one row per (token, minute), sorted so that two processes
# flushing at once lock the rows they share in the same order (never a deadlock).
# $4: the current minute; $5: the tokens known this minute with nothing to add; $6: the
# limit. A token may come back twice (added, and over the limit before): the larger wins.
FLUSH = """
WITH added AS (
    INSERT INTO rate_windows (token_id, minute, used)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
    ON CONFLICT (token_id, minute) DO UPDATE SET used = rate_windows.used + EXCLUDED.used
    RETURNING token_id, minute, used
)
SELECT token_id, used FROM added WHERE minute = $4
UNION ALL
SELECT token_id, used FROM rate_windows
WHERE minute = $4 AND (token_id = ANY($5::text[]) OR used >= $6)
"""
SWEEP = "DELETE FROM rate_windows WHERE minute < $1"

Key = tuple[int, str]  # (minute, token id)


class SharedWindows:
    """``limit`` requests a minute per token over every process; a limit of 0 limits
    nothing. ``clock`` gives epoch seconds (a test moves it)."""

    def __init__(self, limit: float, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self.minute = int(clock() // 60)
        self.known: dict[str, int] = {}  # token -> its total this minute, as last read
        self.pending: dict[Key, int] = {}  # let through, not yet written: this minute, the last
        self.swept = -1  # the minute in which old windows were last deleted
        self.flushes = 0  # flushes that reached the database
        self.failing = False  # the last flush failed (said once per outage)

    def used(self, token_id: str) -> int:
        """The token's requests this minute, as far as this process knows."""
        return self.known.get(token_id, 0) + self.pending.get((self.minute, token_id), 0)

    def wait(self, token_id: str) -> float:
        """0 if the token may make a request now, else the seconds to the next minute."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        self._roll(now)
        if self.used(token_id) < self.limit:
            return 0.0
        return (self.minute + 1) * 60 - now

    def take(self, token_id: str) -> float:
        """Spend one request of this minute; 0 if allowed, else the seconds to the next one."""
        wait = self.wait(token_id)
        if wait > 0 or self.limit <= 0:
            return wait
        key = (self.minute, token_id)
        if key in self.pending or self._room():
            self.pending[key] = self.pending.get(key, 0) + 1
        # else: too many tokens this minute to count one more; its token bucket limits it
        return 0.0

    def _roll(self, now: float) -> None:
        """A new minute: nothing known of it yet; the last minute's counts still to write."""
        minute = int(now // 60)
        if minute <= self.minute:  # the same minute (or a clock set back: keep the later)
            return
        self.minute = minute
        self.known = {}
        self.pending = {key: n for key, n in self.pending.items() if key[0] >= minute - 1}

    def _room(self) -> bool:
        """Room to count one more token, forgetting if need be the totals of the tokens with
        nothing pending and under the limit (the database keeps them: a token seen again
        learns its total at the next flush)."""
        if len(self.known) + len(self.pending) < MAX_TOKENS:
            return True
        waiting = {token for minute, token in self.pending if minute == self.minute}
        self.known = {
            token: used
            for token, used in self.known.items()
            if token in waiting or used >= self.limit
        }
        return len(self.known) + len(self.pending) < MAX_TOKENS

    async def flush(self, pool: asyncpg.Pool) -> bool:
        """Write the counts let through since the last flush and read back the totals;
        once a minute, delete the windows older than the last minute. False if the
        database could not be reached: the counts are kept for the next flush."""
        self._roll(self.clock())
        minute, sending = self.minute, self.pending
        self.pending = {}
        rows = sorted(sending.items())
        asking = [token for token in self.known if (minute, token) not in sending]
        try:
            async with asyncio.timeout(FLUSH_TIMEOUT), pool.acquire() as conn:
                totals = await conn.fetch(
                    FLUSH,
                    [token for (_, token), _ in rows],
                    [m for (m, _), _ in rows],
                    [n for _, n in rows],
                    minute,
                    asking,
                    math.ceil(self.limit),
                )
        except asyncio.CancelledError:
            self._keep(sending)
            raise
        except Exception as error:  # the database down or slow: the requests go on
            self._keep(sending)
            if not self.failing:
                log.warning("rate_windows_unwritable", error=repr(error))
            self.failing = True
            return False
        self.flushes += 1
        if self.failing:
            log.info("rate_windows_written_again")
            self.failing = False
        self._learn(minute, [(row["token_id"], row["used"]) for row in totals])
        if self.swept < minute:
            await self._sweep(pool, minute)
        return True

    def _keep(self, sending: dict[Key, int]) -> None:
        """Put back counts that were not written (unless their minute is long gone)."""
        for key, n in sending.items():
            if key[0] >= self.minute - 1:
                self.pending[key] = self.pending.get(key, 0) + n

    def _learn(self, minute: int, totals: list[tuple[str, int]]) -> None:
        self._roll(self.clock())
        if minute != self.minute:  # the totals of a minute that has ended limit nothing
            return
        for token, used in totals:
            if token in self.known or len(self.known) < MAX_TOKENS:
                self.known[token] = max(used, self.known.get(token, 0))

    async def _sweep(self, pool: asyncpg.Pool, minute: int) -> None:
        """Delete the windows before the last minute (every process tries once a minute;
        the first to come finds them, a failure waits for the next minute)."""
        self.swept = minute
        try:
            async with asyncio.timeout(FLUSH_TIMEOUT):
                await pool.execute(SWEEP, minute - 1)
        except Exception as error:
            log.warning("rate_windows_unswept", error=repr(error))

    async def run(self, pool: asyncpg.Pool, interval: float, stop: asyncio.Event) -> None:
        """Flush every ``interval`` seconds until ``stop`` is set, then once more."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
            await self.flush(pool)
