"""Seal off: a bench-only copy of ``ledger_append_batch`` that does not compute the chain.

The copy is made from the shipped function's own definition (``pg_get_functiondef``) in
the bench database, with one statement replaced: the chain hash of each event,
``ledger_chain_step(crypto, previous chain, ledger_leaf(...))`` (SHA-256 here), becomes a
constant of 32 zero bytes. Every
other statement (head lock, version and condition checks, both INSERTs, the head update,
NOTIFY) stays as shipped, so the difference of the two is what the seal costs an append.
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg

from ledger.infra.eventstore import EventStore

SHIPPED = "ledger_append_batch"
# The shipped function the event store calls (0008: the one that says who seals).
SIGNATURE = (
    "ledger_append_batch(integer[], uuid[], integer[], text[], bytea[], text[], text[],"
    " bigint[], text[], text[], bytea[], jsonb[], boolean)"
)
UNSEALED = "ledger_append_batch_unsealed"
ZERO_CHAIN = "'\\x" + "00" * 32 + "'::bytea"

_CHAIN = re.compile(
    r"new_chain := ledger_chain_step\(crypto, new_chain, ledger_leaf\(.*?\)\);", re.DOTALL
)
_NAME = re.compile(rf"FUNCTION (\w+\.)?{SHIPPED}\(")


async def create_unsealed(pool: asyncpg.Pool) -> None:
    """Create ``ledger_append_batch_unsealed`` next to the shipped function."""
    shipped = await pool.fetchval(f"SELECT pg_get_functiondef('{SIGNATURE}'::regprocedure)")
    body, chains = _CHAIN.subn(lambda _: f"new_chain := {ZERO_CHAIN};", shipped)
    body, names = _NAME.subn(lambda m: f"FUNCTION {m.group(1) or ''}{UNSEALED}(", body, count=1)
    if chains != 1 or names != 1:
        raise RuntimeError(
            f"{SHIPPED} no longer has the one chain statement bench/seal.py replaces"
            f" (found {chains}); update the pattern there"
        )
    await pool.execute(body)


class _CallingUnsealed:
    """The pool, except that the append's call names the unsealed copy."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    async def fetchval(self, query: str, *args: Any, **options: Any) -> Any:
        return await self._pool.fetchval(
            query.replace(f"SELECT {SHIPPED}(", f"SELECT {UNSEALED}(", 1), *args, **options
        )


class UnsealedStore(EventStore):
    """``EventStore`` with its own client code (group commit, arrays, answers) unchanged;
    only the function called is the unsealed copy."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(_CallingUnsealed(pool))  # type: ignore[arg-type]
