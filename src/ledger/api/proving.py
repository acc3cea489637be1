"""Proofs handed out with an answer: the events it rests on, each with its leaf bytes and
inclusion proof against a signed checkpoint — the record `ledger-verify record` reads, so
whoever receives the answer can check it later, offline, without trusting the service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aiohttp import web

from ledger.api.errors import invalid
from ledger.api.keys import EVENTS, POOL, SETTINGS, SIGNER
from ledger.api.routing import Param
from ledger.infra.crypto import crypto_of
from ledger.infra.merkle import proof_record
from ledger.infra.sealer import covering_checkpoint

PROOFS = Param(
    "proofs",
    "true: the events the answer rests on, with inclusion proofs against a signed checkpoint.",
    {"type": "boolean"},
)


def query_proofs(request: web.Request) -> bool:
    raw = request.query.get("proofs")
    if raw is None:
        return False
    if raw not in ("true", "false"):
        raise invalid("proofs", "boolean", "proofs must be true or false")
    return raw == "true"


async def prove_streams(
    request: web.Request, stream_ids: Iterable[UUID], position: int
) -> dict[str, Any]:
    """Every event of ``stream_ids`` up to ``position``, proved (format ``ledger-proof-v1``).

    The checkpoint is the sealer's: when none covers ``position`` yet, the sealer is asked
    for one and awaited for at most ``min_position_timeout`` seconds. Events the
    checkpoint does not reach then (the tree lagging behind a busy log, or no sealer
    running) are listed under ``unproved``; asking again a moment later proves them.
    """
    pool = request.app[POOL]
    positions = await request.app[EVENTS].stream_positions(stream_ids, position)
    latest = await covering_checkpoint(
        pool,
        request.app[SIGNER].key_id,
        position,
        within=request.app[SETTINGS].min_position_timeout,
    )
    size, note = latest if latest is not None else (0, None)
    proved = [p for p in positions if p <= size]
    if proved:
        record = await proof_record(pool, proved, size, note)
    else:
        record = {
            "format": "ledger-proof-v1",
            "crypto": await crypto_of(pool),
            "tree_size": size,
            "checkpoint": note,
            "events": [],
        }
    record["unproved"] = [p for p in positions if p > size]
    return record
