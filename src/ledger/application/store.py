"""Aggregates in and out of the event store, through the mapper."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper

from ledger.application.tagcache import EMPTY, TagCache
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.assessment import Assessment, IndicatorSet
from ledger.domain.assignment import Assignment
from ledger.domain.bulletin import Bulletin
from ledger.domain.clue import Clue
from ledger.domain.errors import InvariantViolation, NotFound
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.infra.eventstore import EventStore, NewEvent, RecordedEvent

A = TypeVar("A", bound=Aggregate)


@dataclass
class Reads:
    """What ``AggregateStore.read`` found: aggregates by id, those the tags found, the head."""

    found: dict[UUID, Any]
    tagged: list[Any]
    head: int

    def get(self, cls: type[A], aggregate_id: UUID, *, field: str = "id") -> A:
        aggregate = self.found.get(aggregate_id)
        if not isinstance(aggregate, cls):
            raise not_found(cls, aggregate_id, field)
        return aggregate

    def assignments(self) -> list[Assignment]:
        return [a for a in self.tagged if isinstance(a, Assignment)]


def not_found(cls: type, aggregate_id: UUID, field: str) -> NotFound:
    label = _LABELS.get(cls, cls.__name__.lower())
    return NotFound(f"no {label} with id {aggregate_id}", field=field)


_LABELS: dict[type, str] = {
    Unit: "unit",
    Person: "person",
    Assignment: "assignment",
    Inspection: "inspection",
    Finding: "finding",
    AccountabilityCase: "accountability case",
    Clue: "clue",
    Bulletin: "bulletin",
    IndicatorSet: "indicator set",
    Assessment: "assessment",
}


def tags_for(aggregate: Aggregate) -> list[str]:
    """Tags that let a later command find and guard the events of this aggregate."""
    if isinstance(aggregate, Unit):
        tags = [f"unit:{aggregate.id}"]
        if aggregate.code:
            tags.append(f"code:{aggregate.code}")
        return tags
    if isinstance(aggregate, Person):
        tags = [f"person:{aggregate.id}"]
        if aggregate.person_no_hash:
            tags.append(f"person-no-hash:{aggregate.person_no_hash}")
        return tags
    if isinstance(aggregate, Assignment):
        return [f"unit:{aggregate.unit_id}", f"person:{aggregate.person_id}"]
    # Loop aggregates carry their own unit tags ("finding-of:"), so reading a unit's
    # assignments by "unit:" never replays its findings.
    if isinstance(aggregate, Finding):
        return [f"finding-of:{aggregate.unit_id}", *(f"person:{p}" for p in aggregate.persons)]
    if isinstance(aggregate, AccountabilityCase):
        return [f"person:{aggregate.person_id}"]
    if isinstance(aggregate, Inspection):
        return [f"inspected:{u}" for u in aggregate.target_unit_ids] + [
            f"person:{p}" for p in aggregate.team
        ]
    return []


class AggregateStore:
    """Loads aggregates by replaying their streams; turns new events into rows."""

    def __init__(self, events: EventStore, mapper: Mapper[Any]) -> None:
        self.events = events
        self.mapper = mapper
        self.tag_cache = TagCache()

    def replay(self, recorded: Iterable[RecordedEvent]) -> Any:
        decode = self.mapper.to_domain_event
        return _mutated(decode(row.to_stored()) for row in recorded)

    async def get(self, cls: type[A], aggregate_id: UUID, *, field: str = "id") -> A:
        aggregate = self.replay(await self.events.read_stream(aggregate_id))
        if not isinstance(aggregate, cls):
            raise not_found(cls, aggregate_id, field)
        return aggregate

    async def tagged(self, tags: Sequence[str]) -> tuple[list[Any], int]:
        """Aggregates with events carrying any of ``tags``, and the head they were read at."""
        reads = await self.read([], tags)
        return reads.tagged, reads.head

    def _replayed(self, recorded: Iterable[RecordedEvent]) -> list[Any]:
        streams: dict[UUID, list[RecordedEvent]] = defaultdict(list)
        for row in recorded:
            streams[row.stream_id].append(row)
        return [self.replay(rows) for rows in streams.values()]

    async def read(self, ids: Sequence[UUID], tags: Sequence[str]) -> Reads:
        """Several aggregates and those ``tags`` find, in one query and one snapshot: what
        a command reads, in one round trip, with the head it was read at. The tagged
        streams' events are kept decoded (``tagcache``): the next read of the same tags
        reads and decodes only the events after this one's head."""
        key = tuple(sorted(set(tags)))
        kept = self.tag_cache.get(key)
        if kept is None:
            by_id, by_tag, head = await self.events.read_streams_and_tagged(ids, tags)
            kept = EMPTY
        else:
            by_id, by_tag, head = await self.events.read_streams_and_tagged_after(
                ids, tags, kept.head, list(kept.streams)
            )
        decode = self.mapper.to_domain_event
        found = kept.extended(
            head, [(r.stream_id, r.position, decode(r.to_stored())) for r in by_tag]
        )
        self.tag_cache.put(key, found)
        tagged = [_mutated(events) for events in found.streams.values()]
        return Reads({a.id: a for a in self._replayed(by_id)}, tagged, head)

    def new_events(self, aggregates: Iterable[Aggregate]) -> list[NewEvent]:
        rows = []
        for aggregate in aggregates:
            tags = tags_for(aggregate)
            for domain_event in aggregate.collect_events():
                rows.append(NewEvent(self.mapper.to_stored_event(domain_event), tags))
        return rows

    async def unit_assignments(self, unit_id: UUID) -> list[Assignment]:
        """Every assignment in the unit, whatever its period: the chain a rule reads."""
        aggregates, _ = await self.tagged([f"unit:{unit_id}"])
        return [a for a in aggregates if isinstance(a, Assignment)]

    async def person_assignments(self, person_id: UUID) -> list[Assignment]:
        """Every assignment the person holds or held, in any unit."""
        aggregates, _ = await self.tagged([f"person:{person_id}"])
        return [a for a in aggregates if isinstance(a, Assignment)]

    async def lineage(self, unit_id: UUID) -> list[UUID]:
        """The unit's id and its ancestors' ids, nearest first, read from the log."""
        found = [unit_id]
        parent = (await self.get(Unit, unit_id)).parent_id
        while parent is not None and parent not in found:
            found.append(parent)
            parent = (await self.get(Unit, parent)).parent_id
        return found

    async def check_unique(self, attribute: str, value: str, message: str) -> str:
        """Raised when another unit currently holds ``value`` (a code).

        Returns the guard tag of the value.
        """
        tag = f"{attribute.replace('_', '-')}:{value}"
        holders, _ = await self.tagged([tag])
        holders = [h for h in holders if getattr(h, attribute, None) == value]
        if holders:
            raise InvariantViolation(f"{message} (held by {holders[0].id})", field=attribute)
        return tag


def _mutated(events: Iterable[Any]) -> Any:
    """A fresh aggregate from its decoded events (never changed: each replay its own)."""
    aggregate = None
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate
