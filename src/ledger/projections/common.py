"""What the read models share: ledger-time versioning (a row's facts never change, a
successor supersedes it), reading a row as known at a position, and the event classes
their handlers are keyed by."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
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


def cited(param: int) -> Expr:
    """A successor's ``documents``: the document (文号) ``$param`` appended, unless it is
    null or already there, so a row lists every document its events cite, each once."""
    p = f"${param}::text"
    return Expr(
        f"CASE WHEN {p} IS NULL OR {p} = ANY(documents) THEN documents ELSE documents || {p} END"
    )


@dataclass(frozen=True)
class Versioned:
    """A table of versioned rows: ``key`` names the row, ``columns`` are those a successor
    copies from it (ledger time aside). A row's facts never change; a successor closes it
    (``known_to``) and starts at the same position (``known_from``)."""

    table: str
    key: str
    columns: str

    def successor(
        self, key: str, position: str, changes: Mapping[str, str], *, named: bool = False
    ) -> str:
        """Two CTEs, ``closed`` and ``successor``: close the current row of ``key`` at
        ``position`` and insert its successor, a copy with ``changes`` (column → SQL
        expression over the closed row), so a handler stays one statement. ``named``
        suffixes them with the table (``closed_<table>``) so one statement can supersede
        rows of several tables."""
        suffix = f"_{self.table}" if named else ""
        names = (c.strip() for c in self.columns.split(","))
        selected = ", ".join(changes.get(c, c) for c in names)
        return (
            f"closed{suffix} AS (UPDATE {self.table} SET known_to = {position}"
            f"  WHERE {self.key} = {key} AND known_to IS NULL RETURNING *),"
            f" successor{suffix} AS (INSERT INTO {self.table} ({self.columns}, known_from)"
            f"  SELECT {selected}, {position} FROM closed{suffix} RETURNING *)"
        )

    def statement(self, changes: Mapping[str, str], then: str | None = None) -> str:
        """One statement superseding the current row, its version the event's: $1 the key,
        $2 the version, $3 the position. ``then`` is one more statement run with it (a row
        of a child table), which may read the successor as ``successor``."""
        ctes = self.successor("$1", "$3", {**changes, "version": "$2"})
        return f"WITH {ctes} {then if then is not None else 'SELECT 1'}"


async def supersede(
    conn: asyncpg.Connection,
    versioned: Versioned,
    key: UUID,
    row: RecordedEvent,
    changes: dict[str, Any],
    *,
    then: str | None = None,
    then_args: Sequence[Any] = (),
) -> None:
    """Run ``versioned.statement`` with ``changes`` as values (an ``Expr`` as SQL), for
    changes known only from the event. In ``then``, ``then_args`` follow from $4."""
    values = list(then_args)
    expressions: dict[str, str] = {}
    for column, change in changes.items():
        if isinstance(change, Expr):
            expressions[column] = f"({change})"
        else:
            values.append(change)
            expressions[column] = f"${len(values) + 3}"
    statement = versioned.statement(expressions, then)
    await conn.execute(statement, key, row.stream_version, row.position, *values)


def number(value: Any) -> Any:
    """A Decimal as a JSON number (jsonb keeps its digits)."""
    return float(value) if isinstance(value, Decimal) else value


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=number)


def event_class(aggregate: type, name: str) -> type:
    """The event class an ``@event("Name")`` decorator defined on ``aggregate``."""
    found = getattr(aggregate, name)
    assert isinstance(found, type)
    return found
