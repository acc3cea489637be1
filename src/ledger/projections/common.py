"""What the read models share: ledger-time versioning (a row's facts never change, a
successor supersedes it), reading a row as known at a position, and the event classes
their handlers are keyed by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from ledger.infra.eventstore import RecordedEvent

NOW = 2**62  # a position beyond any: "as known now"


def known(alias: str, param: int) -> str:
    """SQL condition: the row of ``alias`` as the ledger knew it at position ``$param``."""
    a, p = alias, param
    return f"{a}.known_from <= ${p} AND ({a}.known_to IS NULL OR {a}.known_to > ${p})"


class Expr(str):
    """A successor's column given as SQL over the row it supersedes (a counter + 1), where a
    plain value would need the current row read first: a second round trip."""


def successor_sql(
    table: str,
    key_column: str,
    columns: str,
    key: str,
    position: str,
    changes: dict[str, str],
    *,
    suffix: str = "",
) -> str:
    """Two CTEs, ``closed{suffix}`` and ``successor{suffix}``: close the current row of
    ``key`` at ``position`` and insert its successor, a copy with ``changes`` (column →
    SQL expression over the closed row), so a handler stays one statement."""
    selected = ", ".join(changes.get(c, c) for c in (c.strip() for c in columns.split(",")))
    return (
        f"closed{suffix} AS (UPDATE {table} SET known_to = {position}"
        f"  WHERE {key_column} = {key} AND known_to IS NULL RETURNING *),"
        f" successor{suffix} AS (INSERT INTO {table} ({columns}, known_from)"
        f"  SELECT {selected}, {position} FROM closed{suffix} RETURNING *)"
    )


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
    expressions = {"version": "$2"}
    for column, change in changes.items():
        if isinstance(change, Expr):
            expressions[column] = f"({change})"
        else:
            values.append(change)
            expressions[column] = f"${len(values) + 3}"
    ctes = successor_sql(table, key_column, f"{columns}, version", "$1", "$3", expressions)
    statement = f"WITH {ctes} {then if then is not None else 'SELECT 1'}"
    await conn.execute(statement, key, row.stream_version, row.position, *values)


def event_class(aggregate: type, name: str) -> type:
    """The event class an ``@event("Name")`` decorator defined on ``aggregate``."""
    found = getattr(aggregate, name)
    assert isinstance(found, type)
    return found
