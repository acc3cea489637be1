"""The command service's core: load, decide, append once, retry on a concurrent change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.application.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    PreconditionFailed,
)
from ledger.application.jurisdiction import check_within
from ledger.application.store import AggregateStore
from ledger.infra.eventstore import (
    Condition,
    ConditionFailed,
    Idempotency,
    StreamVersionConflict,
)

ATTEMPTS = 5


@dataclass(frozen=True)
class Context:
    """Who acts, from which system, the HTTP preconditions of the command, and the day it
    is: ``today`` in the service's time zone (the API computes it from the settings; a
    context built without one, in tests or tools, takes the host's), for the rule that no
    act is dated after today."""

    actor: str
    source: str = "api"
    idempotency_key: str | None = None
    request_hash: bytes = b""
    expected_version: int | None = None
    # The caller's jurisdiction: this unit and every unit below it; None, the whole ledger.
    jurisdiction: UUID | None = None
    today: date = field(default_factory=date.today)

    def meta(self, reason: str | None, basis: str | None) -> dict[str, Any]:
        """The fields every event records about the act."""
        return {"actor": self.actor, "source": self.source, "reason": reason, "basis": basis}


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    version: int
    position: int
    replayed: bool = False
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The answer; ``detail`` carries ids the command created inside the aggregate."""
        return {
            "id": str(self.id),
            "version": self.version,
            "position": self.position,
            **self.detail,
        }


@dataclass
class Decision:
    """What a command decided: the changed aggregates, the one it answers for, its guard."""

    changed: list[Aggregate]
    subject: Aggregate
    guard_tags: list[str] = field(default_factory=list)
    read_at: int = 0
    detail: dict[str, Any] = field(default_factory=dict)


Decide = Callable[[], Awaitable[Decision]]


class CommandService:
    """Runs commands: idempotency, optimistic concurrency, the append and its retries.

    A command's ``decide`` loads what it needs, asks the domain, and names guard tags:
    the append fails if an event with one of them was appended after the command read
    (cross-stream rules cannot slip past a concurrent writer); it is then decided again.
    """

    def __init__(self, store: AggregateStore) -> None:
        self.store = store
        self.events = store.events

    async def _execute(self, ctx: Context, decide: Decide) -> CommandResult:
        if ctx.idempotency_key is not None:
            seen = await self.events.find_idempotent(ctx.actor, ctx.idempotency_key)
            if seen is not None:
                return _replay(ctx, *seen)
        for _ in range(ATTEMPTS):
            decision = await decide()
            if ctx.jurisdiction is not None:
                await check_within(self.store, ctx.jurisdiction, decision.changed)
            subject = decision.subject
            rows = self.store.new_events(decision.changed)
            result = CommandResult(subject.id, subject.version, 0, detail=decision.detail)
            idempotency = None
            if ctx.idempotency_key is not None:
                idempotency = Idempotency(
                    ctx.actor, ctx.idempotency_key, ctx.request_hash, result.as_json()
                )
            condition = (
                Condition(decision.guard_tags, decision.read_at) if decision.guard_tags else None
            )
            try:
                appended = await self.events.append(
                    rows, condition=condition, idempotency=idempotency
                )
            except (StreamVersionConflict, ConditionFailed):
                continue
            if appended.duplicate:
                assert appended.request_hash is not None and appended.result is not None
                return _replay(ctx, appended.request_hash, appended.result)
            return CommandResult(
                subject.id, subject.version, appended.last_position, detail=decision.detail
            )
        raise ConcurrencyConflict("concurrent changes kept conflicting with this command")

    async def _execute_guarded(self, ctx: Context, decide: Decide) -> CommandResult:
        """Like ``_execute``, reading the head first so guard tags cover every read."""

        async def guarded() -> Decision:
            head = await self.events.head_position()
            decision = await decide()
            decision.read_at = head
            return decision

        return await self._execute(ctx, guarded)

    async def _get_for_update(
        self, ctx: Context, cls: type[Any], aggregate_id: UUID, *, field: str = "id"
    ) -> Any:
        aggregate = await self.store.get(cls, aggregate_id, field=field)
        # Before If-Match and the domain's rules: neither may tell the caller anything about
        # the state of what lies outside its jurisdiction.
        await self._check_cited(ctx, aggregate, field)
        if ctx.expected_version is not None and ctx.expected_version != aggregate.version:
            raise PreconditionFailed(ctx.expected_version, aggregate.version)
        return aggregate

    async def _check_cited(self, ctx: Context, aggregate: Aggregate, field: str) -> None:
        """Refuse (403) a command naming a record outside the caller's jurisdiction, the
        one it changes or one it rests on, before any rule looks at its state."""
        if ctx.jurisdiction is not None:
            await check_within(self.store, ctx.jurisdiction, [aggregate], named=field)

    async def _act(
        self,
        ctx: Context,
        cls: type[Any],
        aggregate_id: UUID,
        act: Callable[[Any], None],
        detail: dict[str, Any] | None = None,
    ) -> CommandResult:
        """A command that needs nothing but the aggregate itself: load, act, append."""

        async def decide() -> Decision:
            aggregate = await self._get_for_update(ctx, cls, aggregate_id)
            act(aggregate)
            return Decision([aggregate], aggregate, detail=detail or {})

        return await self._execute(ctx, decide)


def _replay(ctx: Context, request_hash: bytes, result: dict[str, Any]) -> CommandResult:
    if request_hash != ctx.request_hash:
        raise IdempotencyKeyReused(
            f"idempotency key {ctx.idempotency_key!r} was used for a different request"
        )
    detail = {k: v for k, v in result.items() if k not in ("id", "version", "position")}
    return CommandResult(
        UUID(result["id"]),
        int(result["version"]),
        int(result["position"]),
        replayed=True,
        detail=detail,
    )
