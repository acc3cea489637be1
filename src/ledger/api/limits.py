"""Per-token rate limit, and the headers every answer carries.

Every request of a token is charged to two limits. Its requests in the current minute,
counted by every API process together in PostgreSQL (``infra/ratelimits.py``):
``LEDGER_RATE_LIMIT`` a minute over them all, however a load balancer spreads them. And
this process's token bucket (``TokenBuckets``): the same rate, in bursts of at most
``LEDGER_RATE_BURST``, which also keeps limiting when the database cannot be reached.
Checking asks the database nothing: each process adds its counts and reads the totals every
``LEDGER_RATE_SYNC_INTERVAL`` seconds, and does not see in between what the others let
through. So a token passes the limit by at most processes × rate × sync interval requests
(rate in requests a second) when its requests come at its rate; requests that come faster,
in bursts landing on several processes within one interval, can pass it by up to a burst
per other process, as each process's bucket caps what it lets through between two flushes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NoReturn

from aiohttp import web

from ledger.api.errors import ApiError
from ledger.infra.ratelimits import SharedWindows

# Pages are the service's own HTML: no scripts from elsewhere, no framing, no sniffing.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
MAX_BUCKETS = 50_000


class TokenBuckets:
    """``rate`` requests a second per token, in bursts of at most ``burst``; a rate of 0
    limits nothing."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.buckets: dict[str, tuple[float, float]] = {}  # token id -> (level, at)

    def take(self, token_id: str) -> float:
        """Spend one request; 0 if allowed, else the seconds until one is."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        level, at = self.buckets.get(token_id, (float(self.burst), now))
        level = min(float(self.burst), level + (now - at) * self.rate)
        if level < 1:
            self.buckets[token_id] = (level, now)
            return (1 - level) / self.rate
        if len(self.buckets) >= MAX_BUCKETS and token_id not in self.buckets:
            self._prune(now)
        self.buckets[token_id] = (level - 1, now)
        return 0.0

    def _prune(self, now: float) -> None:
        """Forget the buckets that have refilled (they hold nothing worth keeping)."""
        for key, (level, at) in list(self.buckets.items()):
            if level + (now - at) * self.rate >= self.burst:
                del self.buckets[key]


class RateLimits:
    """The two limits a token's requests are charged to: ``per_minute`` over every process
    (``shared``), and this process's bucket of that rate and ``burst`` (``local``)."""

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.per_minute = per_minute
        self.local = TokenBuckets(per_minute / 60, burst)
        self.shared = SharedWindows(per_minute, clock)


def check_rate(limits: RateLimits, token_id: str) -> None:
    """Charge one request to both limits, or refuse it (429) saying which limit refused; a
    refused request is charged to neither."""
    wait = limits.shared.wait(token_id)
    if wait > 0:
        _refuse(
            wait,
            f"{limits.per_minute:g} requests a minute across all API processes, "
            "all spent this minute",
        )
    wait = limits.local.take(token_id)
    if wait > 0:
        _refuse(
            wait,
            f"{limits.per_minute:g} requests a minute in bursts of at most "
            f"{limits.local.burst}, and this burst is spent",
        )
    limits.shared.take(token_id)


def _refuse(wait: float, limit: str) -> NoReturn:
    seconds = max(1, math.ceil(wait))
    raise ApiError(
        429,
        "Too many requests",
        f"this token's rate limit is {limit}; retry in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


def secure(response: web.StreamResponse) -> None:
    """Add the headers every answer carries, and those of HTML pages."""
    if response.prepared:  # a stream already sent its headers
        return
    for name, value in EVERY_ANSWER.items():
        response.headers.setdefault(name, value)
    if response.content_type == "text/html":
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
