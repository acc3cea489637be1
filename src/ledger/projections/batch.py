"""A batch of events applied to a read model at once: in Python, then a few statements.

Applying events one statement each costs the server twice per event: the successor row
enters every index, and closing the row before it (``known_to``, a column the partial
indexes filter on) writes that row again into every index. A ``Batch`` instead keeps the
current rows of the batch's streams in memory, lets the handlers change them there, and
writes the outcome in three steps per table: the rows the batch closed that were written
before it (one ``UPDATE … FROM unnest``), and every row it made (one ``COPY``). A row
made and closed inside the batch enters the table already closed, so the partial indexes
of current rows (``WHERE known_to IS NULL``) never hold it.

The outcome is the same rows as applying the events one by one; the tests compare the two
at several batch sizes. Every table a batched read model writes is keyed by the stream of
the events that write it (a finding's rows by its id, an assignment's by its id), so the
current rows a batch may touch are those of its streams, read in one query per table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from ledger.infra.eventstore import RecordedEvent
from ledger.projections.runner import Handler, Projection
from ledger.projections.tally import Tally

Row = dict[str, Any]
Change = Any  # a value, or a function of the row it supersedes (a counter + 1)


@dataclass(frozen=True)
class Table:
    """A read-model table: ``columns`` are its own (ledger time aside), ``stream`` the one
    naming the stream its rows belong to, ``key`` the columns that, with ``known_from``,
    name one row version. ``versioned``: it has ``known_to`` (rows are closed, never
    changed); else its rows are only ever inserted."""

    name: str
    stream: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    types: dict[str, str] = field(default_factory=dict)  # SQL types of the key columns
    versioned: bool = True

    def copy_columns(self) -> list[str]:
        ledger_time = ["known_from", "known_to"] if self.versioned else ["known_from"]
        return [*self.columns, *ledger_time]


def table(
    name: str,
    stream: str,
    columns: str,
    *,
    key: Sequence[str] = (),
    types: dict[str, str] | None = None,
    versioned: bool = True,
) -> Table:
    names = tuple(c.strip() for c in columns.split(","))
    return Table(name, stream, (stream, *key), names, types or {}, versioned)


class Batch:
    """The current rows of a batch's streams, changed in memory; ``flush`` writes them."""

    def __init__(self, tables: Iterable[Table]) -> None:
        self.tables = {t.name: t for t in tables}
        # Per table and stream: its current rows (known_to unset), whether written or made.
        self._current: dict[str, dict[UUID, list[Row]]] = {t: {} for t in self.tables}
        self._made: dict[str, list[Row]] = {t: [] for t in self.tables}
        self._closed: dict[str, list[Row]] = {t: [] for t in self.tables}  # written before

    async def load(self, conn: asyncpg.Connection, streams: Sequence[UUID]) -> None:
        """Read the current rows of ``streams`` (those the batch did not start)."""
        if not streams:
            return
        for t in self.tables.values():
            if not t.versioned:
                continue
            rows = await conn.fetch(
                f"SELECT {', '.join(t.columns)}, known_from FROM {t.name}"
                f" WHERE {t.stream} = ANY($1::uuid[]) AND known_to IS NULL",
                streams,
            )
            current = self._current[t.name]
            for record in rows:
                found = dict(record)
                found["known_to"] = None
                found["_written"] = True
                current.setdefault(found[t.stream], []).append(found)

    def current(self, table_name: str, stream: UUID) -> list[Row]:
        """The stream's current rows in the table, oldest first."""
        return self._current[table_name].get(stream, [])

    def one(self, table_name: str, stream: UUID) -> Row | None:
        rows = self.current(table_name, stream)
        return rows[-1] if rows else None

    def insert(self, table_name: str, values: Row, row: RecordedEvent) -> Row:
        """A new row, current from the event's position."""
        made = dict(values)
        made["known_from"] = row.position
        t = self.tables[table_name]
        if t.versioned:
            made["known_to"] = None
            self._current[table_name].setdefault(made[t.stream], []).append(made)
        self._made[table_name].append(made)
        return made

    def close(
        self,
        table_name: str,
        stream: UUID,
        row: RecordedEvent,
        where: Callable[[Row], bool] = lambda _: True,
    ) -> None:
        """Close the stream's current rows ``where`` holds at the event's position."""
        rows = self._current[table_name].get(stream)
        if not rows:
            return
        kept = []
        for found in rows:
            if not where(found):
                kept.append(found)
                continue
            found["known_to"] = row.position
            if found.get("_written"):
                self._closed[table_name].append(found)
        self._current[table_name][stream] = kept

    def supersede(
        self, table_name: str, stream: UUID, row: RecordedEvent, changes: dict[str, Change]
    ) -> Row | None:
        """Close the stream's current row and insert its successor: a copy with
        ``changes`` (a function is given the closed row) and the event's version. No
        current row: nothing (as an UPDATE that matches nothing)."""
        before = self.one(table_name, stream)
        if before is None:
            return None
        t = self.tables[table_name]
        values = {c: before[c] for c in t.columns}
        for column, change in changes.items():
            values[column] = change(before) if callable(change) else change
        values["version"] = row.stream_version
        self.close(table_name, stream, row)
        return self.insert(table_name, values, row)

    async def flush(self, conn: asyncpg.Connection, tallies: Sequence[Tally] = ()) -> None:
        """Write what the batch did: closes of earlier rows first, then every row made,
        then what that changes in ``tallies``."""
        for name, t in self.tables.items():
            closed = self._closed[name]
            if closed:
                await conn.execute(_close_statement(t), *_close_arguments(t, closed))
            made = self._made[name]
            if made:
                columns = t.copy_columns()
                await conn.copy_records_to_table(
                    name, records=[tuple(r[c] for c in columns) for r in made], columns=columns
                )
        for tally in tallies:
            await tally.write(conn, self._made[tally.source], self._closed[tally.source])


def _close_statement(t: Table) -> str:
    names = [*t.key, "known_from", "known_to"]
    types = [t.types.get(k, "uuid") for k in t.key] + ["bigint", "bigint"]
    arrays = ", ".join(f"${i + 1}::{kind}[]" for i, kind in enumerate(types))
    match = " AND ".join(f"t.{k} = c.{k}" for k in [*t.key, "known_from"])
    return (
        f"UPDATE {t.name} AS t SET known_to = c.known_to"
        f" FROM unnest({arrays}) AS c({', '.join(names)}) WHERE {match}"
    )


def _close_arguments(t: Table, closed: list[Row]) -> list[list[Any]]:
    return [[r[c] for r in closed] for c in [*t.key, "known_from", "known_to"]]


BatchHandler = Callable[[Batch, Any, RecordedEvent], None]


class BatchedProjection(Projection):
    """A read model applied a batch at a time: its handlers change a ``Batch``'s rows. A
    read model may keep some handlers of one statement per event (``Projection``'s): the
    events of a batch are then applied in runs, each run of batched events read, changed
    and written before the next event of another kind, so the order holds."""

    def __init__(
        self,
        name: str,
        sql_file: str,
        tables: list[Table],
        handlers: dict[type, BatchHandler],
        single: dict[type, Handler] | None = None,
        tallies: Sequence[Tally] = (),
    ) -> None:
        super().__init__(name, sql_file, single or {})
        self.tables = tables
        self.tallies = tallies
        self.batch_handlers = {get_topic(cls): handler for cls, handler in handlers.items()}

    @property
    def topics(self) -> set[str]:
        return set(self.batch_handlers) | set(self.handlers)

    async def apply_batch(
        self, conn: asyncpg.Connection, mapper: Mapper[Any], rows: Sequence[RecordedEvent]
    ) -> None:
        run: list[RecordedEvent] = []
        for row in rows:
            if row.topic in self.batch_handlers:
                run.append(row)
            elif row.topic in self.handlers:
                await self._apply_run(conn, mapper, run)
                run = []
                await self.apply(conn, mapper, row)
        await self._apply_run(conn, mapper, run)

    async def _apply_run(
        self, conn: asyncpg.Connection, mapper: Mapper[Any], run: Sequence[RecordedEvent]
    ) -> None:
        if not run:
            return
        batch = Batch(self.tables)
        # The streams the run starts (their first event is in it) have nothing to read.
        started = {r.stream_id for r in run if r.stream_version == 1}
        await batch.load(conn, list({r.stream_id for r in run} - started))
        handlers = self.batch_handlers
        for r in run:
            handlers[r.topic](batch, mapper.to_domain_event(r.to_stored()), r)
        await batch.flush(conn, self.tallies)
