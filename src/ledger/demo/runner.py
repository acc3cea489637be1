"""Write a demo step through the ``Ledger`` unless the ledger already holds it.

A step is one command with a stable idempotency key; its request hash is derived from the
key, the ids it acts on and the command's fields. The first run appends; a second run gets
the first run's answer back (``replayed``, with the same ids) and writes nothing. Editing a
step that was already loaded changes its hash, and the rerun then stops with
``IdempotencyKeyReused``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from ledger.application import CommandResult, Context, Ledger

ACTOR = "demo"

Handler = Callable[..., Awaitable[CommandResult]]


class Runner:
    """The base of the demo's loaders: ``run`` each step with its key."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.written = 0  # commands this run appended (not replayed)

    async def run(self, key: str, handler: Handler, *args: Any) -> CommandResult:
        """``args``: the ids the command acts on, then the command itself."""
        *ids, command = args
        fields = json.dumps(command.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(f"{key}|{ids!r}|{fields}".encode()).digest()
        ctx = Context(actor=ACTOR, source="demo", idempotency_key=key, request_hash=digest)
        result = await handler(ctx, *args)
        if not result.replayed:
            self.written += 1
        return result

    async def run_id(self, key: str, handler: Handler, *args: Any) -> UUID:
        """``run``, for a step whose answer is the id it made (or made on the first run)."""
        return (await self.run(key, handler, *args)).id
