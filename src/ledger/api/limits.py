"""Per-token rate limit (a token bucket per token id) and the headers every answer carries.

One process counts its own requests: behind several replicas, the limit each process
enforces is per replica, and the deployment's gateway limits per token across them
(``infra/README.md``, "Behind a gateway").
"""

from __future__ import annotations

import math
import time

from aiohttp import web

from ledger.api.errors import ApiError

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


def check_rate(buckets: TokenBuckets, token_id: str) -> None:
    wait = buckets.take(token_id)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "Too many requests",
            f"this token's rate limit is {buckets.rate * 60:g} requests a minute "
            f"(bursts of {buckets.burst}); retry in {seconds} s",
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
