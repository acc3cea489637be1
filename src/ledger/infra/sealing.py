"""The chain's SM3 links computed by the application, where the database cannot compute
SM3 (the embedded server has no pgcrypto): inside the append's transaction, under the head
lock ``ledger_append_batch`` took, the events it wrote unsealed are sealed by
``ledger_seal_batch`` with SM3(previous chain hash ‖ leaf) for each, the leaf the bytes
``ledger_leaf`` would make (``infra.leaf``). Nothing commits unsealed: the seal fails, or
anything before it does, and the transaction rolls back whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ledger.infra.crypto import ledger_crypto, sm3_in_database
from ledger.infra.leaf import encode_leaf
from ledger.offline import SM3_SM2, sm3


async def seals_here(pool: Any) -> bool:
    """Whether this ledger's appends are sealed by the application (an SM3 ledger on a
    database without pgcrypto)."""
    return await ledger_crypto(pool) == SM3_SM2 and not await sm3_in_database(pool)


def links(
    chain: bytes, first: int, micros: int, events: Sequence[Any]
) -> tuple[bytes, list[bytes]]:
    """The chain hashes of ``events`` (``NewEvent``s) at positions ``first``, ``first`` + 1,
    …, recorded at ``micros``, following ``chain``; and the last."""
    hashes = []
    for offset, event in enumerate(events):
        stored = event.stored
        leaf = encode_leaf(
            first + offset,
            UUID(str(stored.originator_id)).bytes,
            stored.originator_version,
            stored.topic,
            stored.state,
            "\n".join(event.tags),
            micros,
        )
        chain = sm3(chain + leaf)
        hashes.append(chain)
    return chain, hashes


async def seal(
    conn: asyncpg.Connection, batch: Sequence[Any], answers: Sequence[dict[str, Any]]
) -> None:
    """Seal what ``ledger_append_batch`` appended unsealed for ``batch`` (its commands, each
    with its ``events``), from its ``answers``, in the caller's transaction."""
    chain: bytes | None = None
    hashes: list[bytes] = []
    recorded: datetime | None = None
    for command, answer in zip(batch, answers, strict=True):
        if answer["status"] != "appended" or not answer.get("unsealed"):
            continue
        if chain is None:
            chain = bytes.fromhex(answer["head_chain"])
            recorded = datetime.fromisoformat(answer["recorded_at"])
        first = int(answer["first_position"])
        chain, made = links(chain, first, int(answer["recorded_micros"]), command.events)
        hashes += made
    if hashes:
        await conn.fetchval("SELECT ledger_seal_batch($1, $2::bytea[])", recorded, hashes)
