"""Where an import's commands run: the ledger's own handlers, appending to memory.

``StagedStore`` is an ``AggregateStore`` whose reads answer first from what the import has
decided so far and fall back to the log, and whose appends (``StagedLog``) keep the rows
in order instead of writing them. The handlers, and so every domain rule, are the API's:
nothing about a command is decided twice. A line is a unit of its own: ``begin``, the
commands of its record, then ``commit`` (the record is kept and found by later lines) or
``rollback`` (its rows and every trace of it are dropped).

Only what the import creates is ever changed: a record the log already holds is read,
never written, so what was read from the log can be kept for the whole import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper

from ledger.application.store import AggregateStore, Reads, tags_for
from ledger.domain.errors import NotFound
from ledger.infra.database import Pool
from ledger.infra.eventstore import (
    Appended,
    Condition,
    EventStore,
    Idempotency,
    NewEvent,
)

A = TypeVar("A", bound=Aggregate)


class StagedLog(EventStore):
    """Appends kept in memory, in order; reads (the inherited ones) go to the log."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(pool)
        self.rows: list[NewEvent] = []

    async def append(
        self,
        events: Sequence[NewEvent],
        *,
        condition: Condition | None = None,
        idempotency: Idempotency | None = None,
    ) -> Appended:
        first = len(self.rows) + 1
        self.rows.extend(events)
        return Appended(first_position=first, last_position=len(self.rows), recorded_at=None)

    async def head_position(self) -> int:
        # Nothing else appends to what an import stages: guard tags have nothing to catch.
        return 0

    async def find_idempotent(self, actor: str, key: str) -> tuple[bytes, dict[str, Any]] | None:
        return None

    def take(self) -> list[NewEvent]:
        """The rows staged so far, handed over and forgotten."""
        rows, self.rows = self.rows, []
        return rows


class StagedStore(AggregateStore):
    """Aggregates as the import has left them, or as the log holds them."""

    def __init__(self, log: StagedLog, mapper: Mapper[Any], logged_tags: set[str]) -> None:
        super().__init__(log, mapper)
        self.log = log
        # Tags some event in the log carries: any other tag has nothing to read there.
        self._logged_tags = logged_tags
        self._kept: dict[UUID, Aggregate] = {}  # created by earlier lines, or read from the log
        self._line: dict[UUID, Aggregate] = {}  # changed by the line being run
        # What the import staged, by tag: each aggregate as the last line (or this one) left
        # it, so a rule's read is the list of one dict's values.
        self._tagged: dict[str, dict[UUID, Aggregate]] = {}
        # How to undo what the line did to ``_tagged``: (holders, id, what it held before).
        self._undo: list[tuple[dict[UUID, Aggregate], UUID, Aggregate | None]] = []
        self._logged: dict[str, list[Any]] = {}  # what the log answered, by tag
        self._line_start = 0

    def begin(self) -> None:
        self._line.clear()
        self._undo.clear()
        self._line_start = len(self.log.rows)

    def commit(self) -> None:
        self._kept.update(self._line)
        self._line.clear()
        self._undo.clear()

    def rollback(self) -> None:
        for holders, aggregate_id, before in reversed(self._undo):
            if before is None:
                del holders[aggregate_id]
            else:
                holders[aggregate_id] = before
        del self.log.rows[self._line_start :]
        self._line.clear()
        self._undo.clear()

    async def take_up(self, cls: type[A], aggregate_id: UUID) -> A:
        """The line continues an earlier record: it changes a copy, kept only on commit."""
        aggregate = await self.get(cls, aggregate_id, field="of")
        copy = _clone(aggregate)
        self._line[aggregate_id] = copy
        for tag in tags_for(copy):
            holders = self._tagged.get(tag)
            if holders is not None and aggregate_id in holders:
                self._hold(holders, aggregate_id, copy)
        return copy

    def new_events(self, aggregates: Iterable[Aggregate]) -> list[NewEvent]:
        rows: list[NewEvent] = []
        to_stored = self.mapper.to_stored_event
        tagged = self._tagged
        for aggregate in aggregates:
            aggregate_id = aggregate.id
            self._line[aggregate_id] = aggregate
            events = aggregate.collect_events()
            if not events:
                continue
            tags = tags_for(aggregate)
            rows.extend(NewEvent(to_stored(event), tags) for event in events)
            for tag in tags:
                holders = tagged.get(tag)
                if holders is None:
                    holders = tagged[tag] = {}
                if holders.get(aggregate_id) is not aggregate:
                    self._hold(holders, aggregate_id, aggregate)
        return rows

    def _hold(self, holders: dict[UUID, Aggregate], aggregate_id: UUID, value: Aggregate) -> None:
        self._undo.append((holders, aggregate_id, holders.get(aggregate_id)))
        holders[aggregate_id] = value

    def _staged(self, aggregate_id: UUID) -> Aggregate | None:
        found = self._line.get(aggregate_id)
        return self._kept.get(aggregate_id) if found is None else found

    async def get(self, cls: type[A], aggregate_id: UUID, *, field: str = "id") -> A:
        staged = self._staged(aggregate_id)
        if isinstance(staged, cls):
            return staged
        if staged is None:
            staged = await super().get(cls, aggregate_id, field=field)
            self._kept[aggregate_id] = staged
            return staged
        return await super().get(cls, UUID(int=0), field=field)  # another kind: not found

    async def read(self, ids: Sequence[UUID], tags: Sequence[str]) -> Reads:
        found: dict[UUID, Any] = {}
        for aggregate_id in ids:
            with contextlib.suppress(NotFound):
                found[aggregate_id] = await self.get(Aggregate, aggregate_id)
        tagged, _ = await self.tagged(tags)
        return Reads(found, tagged, 0)  # nothing else appends to what an import stages

    async def tagged(self, tags: Sequence[str]) -> tuple[list[Any], int]:
        logged = [tag for tag in tags if tag in self._logged_tags]
        if not logged and len(tags) == 1:  # the common read: one tag, all of it staged
            holders = self._tagged.get(tags[0])
            return (list(holders.values()) if holders else []), 0
        found: dict[UUID, Any] = {}
        for tag in logged:
            if tag not in self._logged:
                self._logged[tag], _ = await super().tagged([tag])
            found.update((a.id, a) for a in self._logged[tag])
        for tag in tags:
            found.update(self._tagged.get(tag, {}))
        return list(found.values()), 0


def _clone(aggregate: A) -> A:
    """A copy whose containers (lists, dicts, sets, tuples, at any depth) are its own; the
    values in them are shared: an aggregate's state changes by assigning attributes and
    items, never by changing a value in place (its values are enums, dates, ids, strings,
    frozen dataclasses)."""
    copy = object.__new__(type(aggregate))
    copy.__dict__.update({k: _copied(v) for k, v in aggregate.__dict__.items()})
    return copy


def _copied(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_copied(v) for v in value]
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is tuple:
        return tuple(_copied(v) for v in value)
    if kind is set:
        return set(value)
    return value
