"""The events a command's tags found, kept decoded between commands.

A rule that reads a unit's chain (``unit:<id>``) replays every assignment the unit ever
had, and decoding those events is most of what the read costs: a unit with five years of
turnover costs three times one with a year. The store keeps, per set of tags, the decoded
events of the streams they found and the position they were read at; the next command
reads only what came after it (``EventLog.read_streams_and_tagged_after``), in the same
single query and snapshot, and replays fresh aggregates from the kept events. Events never
change once written, so what is kept is never stale, only short of the events after its
position, which the next read adds. Bounded by a count of events (least recently used
sets of tags dropped first): a cache per process, nothing shared.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

KEPT_EVENTS = 50_000  # decoded events kept in all, per process


@dataclass(frozen=True)
class Found:
    """The streams a set of tags found at ``head``: each one's decoded events, in ledger
    order, and the streams in the order of their first events."""

    head: int
    streams: dict[UUID, tuple[Any, ...]]
    first: dict[UUID, int]  # each stream's first position

    @property
    def events(self) -> int:
        return sum(len(events) for events in self.streams.values())

    def extended(self, head: int, rows: list[tuple[UUID, int, Any]]) -> Found:
        """With ``rows`` (stream, position, decoded event), read up to ``head``."""
        streams = dict(self.streams)
        first = dict(self.first)
        added: dict[UUID, list[Any]] = {}
        for stream, position, event in rows:
            added.setdefault(stream, []).append(event)
            first.setdefault(stream, position)
        for stream, events in added.items():
            streams[stream] = streams.get(stream, ()) + tuple(events)
        if any(stream not in self.streams for stream in added):
            streams = {s: streams[s] for s in sorted(streams, key=first.__getitem__)}
        return Found(head, streams, first)


EMPTY = Found(0, {}, {})


class TagCache:
    """``Found`` per set of tags, least recently used dropped beyond ``kept`` events."""

    def __init__(self, kept: int = KEPT_EVENTS) -> None:
        self.kept = kept
        self._found: OrderedDict[tuple[str, ...], Found] = OrderedDict()
        self._events = 0

    def get(self, tags: tuple[str, ...]) -> Found | None:
        found = self._found.get(tags)
        if found is not None:
            self._found.move_to_end(tags)
        return found

    def put(self, tags: tuple[str, ...], found: Found) -> None:
        """Keep ``found``, unless what is kept was read at a later head (a concurrent
        command's read finished first)."""
        before = self._found.get(tags)
        if before is not None:
            if before.head > found.head:
                return
            self._events -= before.events
        self._found[tags] = found
        self._found.move_to_end(tags)
        self._events += found.events
        while self._events > self.kept and len(self._found) > 1:
            _, dropped = self._found.popitem(last=False)
            self._events -= dropped.events
