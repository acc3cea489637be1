"""What the read models share: ledger-time versioning (a row's facts never change, a
successor supersedes it) and the event classes their handlers are keyed by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from ledger.infra.eventstore import RecordedEvent


class Expr(str):
    """A successor's column given as SQL over the row it supersedes (a counter + 1), where a
    plain value would need the current row read first: a second round trip."""


async def supersede(
    conn: asyncpg.Connection,
    table: str,
    key_column: str,
    columns: str,
    key: UUID,
    row: RecordedEvent,
    changes: dict[str, Any],
    *,
    then: str | None = None,
    then_args: Sequence[Any] = (),
) -> None:
    """Close the current row and insert its successor with ``changes``, in one statement.

    ``columns`` are the table's columns besides version and ledger time. ``then`` is one
    more statement run with them (a row of a child table), which may read the successor
    as ``successor``; in it $1 is the key, $2 the version, $3 the position and ``then_args``
    follow from $4.
    """
    values = list(then_args)
    selected = []
    for column in (c.strip() for c in columns.split(",")):
        if column not in changes:
            selected.append(column)
        elif isinstance(changes[column], Expr):
            selected.append(f"({changes[column]})")
        else:
            values.append(changes[column])
            selected.append(f"${len(values) + 3}")
    closed = (
        f"WITH closed AS (UPDATE {table} SET known_to = $3"
        f"  WHERE {key_column} = $1 AND known_to IS NULL RETURNING *)"
    )
    insert = (
        f"INSERT INTO {table} ({columns}, version, known_from)"
        f" SELECT {', '.join(selected)}, $2, $3 FROM closed"
    )
    statement = (
        f"{closed} {insert}"
        if then is None
        else f"{closed}, successor AS ({insert} RETURNING *) {then}"
    )
    await conn.execute(statement, key, row.stream_version, row.position, *values)


def event_class(aggregate: type, name: str) -> type:
    """The event class an ``@event("Name")`` decorator defined on ``aggregate``."""
    found = getattr(aggregate, name)
    assert isinstance(found, type)
    return found
