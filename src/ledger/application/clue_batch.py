"""Clues delivered in a batch (up to 1,000): every item answered for, the new ones written
in one append.

Each item is one of: ``created``; ``already_received`` (its key, (source, external_id),
was received before — or earlier in the same batch — with the same content: nothing is
written); ``conflicting`` (the same key with other content: both shown, the first stands);
``rejected`` (its unit does not exist, or lies outside the caller's jurisdiction). The
API adds the items it could not read at all (rejected, with the field and the rule). An
item is never half-written: the created clues are one append, all or none; a concurrent
delivery of one of the same keys makes the batch read the log again and decide again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ledger.application.clues import content
from ledger.application.commands import ReceiveClue
from ledger.application.errors import ConcurrencyConflict
from ledger.application.jurisdiction import check_within
from ledger.application.service import ATTEMPTS, Context
from ledger.application.store import AggregateStore
from ledger.domain.clue import Clue, clue_id
from ledger.domain.errors import NotFound, OutsideJurisdiction
from ledger.domain.unit import Unit
from ledger.infra.eventstore import StreamVersionConflict


@dataclass
class ItemOutcome:
    status: str  # created | already_received | conflicting | rejected
    id: UUID | None = None
    position: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class ClueBatch:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store
        self.events = store.events

    async def receive_clues(self, ctx: Context, items: Sequence[ReceiveClue]) -> list[ItemOutcome]:
        """Decide every item against the log as read now; append the new clues at once."""
        for _ in range(ATTEMPTS):
            outcomes, created = await self._decide(ctx, items)
            if not created:
                return outcomes
            rows = self.store.new_events([clue for _, clue in created])
            try:
                appended = await self.events.append(rows)
            except StreamVersionConflict:
                continue  # another delivery of one of these keys won: read again
            # One event per new clue, in order, at consecutive positions.
            for offset, (index, _) in enumerate(created):
                outcomes[index].position = appended.first_position + offset
            return outcomes
        raise ConcurrencyConflict("concurrent deliveries kept conflicting with this batch")

    async def _decide(
        self, ctx: Context, items: Sequence[ReceiveClue]
    ) -> tuple[list[ItemOutcome], list[tuple[int, Clue]]]:
        ids = [clue_id(item.source, item.external_id) for item in items]
        held: dict[UUID, Any] = {}
        for recorded in await self.events.read_streams(set(ids)):
            if recorded.stream_version == 1:
                held[UUID(bytes=recorded.stream_id.bytes)] = self.store.mapper.to_domain_event(
                    recorded.to_stored()
                )
        units = await self._units({i.unit_id for i in items if i.unit_id is not None})
        outcomes: list[ItemOutcome] = []
        created: list[tuple[int, Clue]] = []
        first_here: dict[UUID, ReceiveClue] = {}
        for index, (item, known_id) in enumerate(zip(items, ids, strict=True)):
            delivered = content(item.summary, item.received_at, item.unit_id, item.basis)
            earlier = held.get(known_id)
            if earlier is not None:
                stored = content(
                    earlier.summary, earlier.received_at, earlier.unit_id, earlier.basis
                )
            elif known_id in first_here:
                first = first_here[known_id]
                stored = content(first.summary, first.received_at, first.unit_id, first.basis)
            else:
                fields = item.fields()
                clue = Clue.receive(
                    origin=fields.pop("source"), **fields, **ctx.meta(None, item.basis)
                )
                refused = await self._refusal(ctx, item, clue, units)
                if refused is not None:
                    outcomes.append(ItemOutcome("rejected", known_id, detail=refused))
                    continue
                first_here[known_id] = item
                outcomes.append(ItemOutcome("created", clue.id))
                created.append((index, clue))
                continue
            if stored == delivered:
                outcomes.append(ItemOutcome("already_received", known_id))
            else:
                differing = sorted(k for k in stored if stored[k] != delivered.get(k))
                outcomes.append(
                    ItemOutcome(
                        "conflicting",
                        known_id,
                        detail={"differing": differing, "stored": stored, "delivered": delivered},
                    )
                )
        return outcomes, created

    async def _units(self, unit_ids: set[UUID]) -> dict[UUID, Unit | None]:
        found: dict[UUID, Unit | None] = {}
        for unit_id in unit_ids:
            try:
                found[unit_id] = await self.store.get(Unit, unit_id, field="unit_id")
            except NotFound:
                found[unit_id] = None
        return found

    async def _refusal(
        self, ctx: Context, item: ReceiveClue, clue: Clue, units: dict[UUID, Unit | None]
    ) -> dict[str, Any] | None:
        """Why a new clue cannot be received (its unit), or None."""
        if item.unit_id is not None and units.get(item.unit_id) is None:
            return _error("unit_id", "not_found", f"no unit with id {item.unit_id}")
        if ctx.jurisdiction is not None:
            try:
                await check_within(self.store, ctx.jurisdiction, [clue])
            except OutsideJurisdiction as outside:
                return _error(outside.field or "unit_id", "jurisdiction", str(outside))
        return None


def _error(field_: str, rule: str, message: str) -> dict[str, Any]:
    return {"errors": [{"field": field_, "rule": rule, "message": message}]}
