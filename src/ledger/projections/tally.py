"""Counts of a read model's current rows, kept as the batches write them.

A report that counts every current row of a large table (the open-loop report counts every
finding of a province by unit and category) costs what the table holds, however short its
answer. A ``Tally`` keeps those counts in a table of their own, one row per key: each batch
adds the current rows it made and takes away the rows written before it that it closed.
A row made and closed inside the batch never counted. The counts are of the rows current
now; a read as known at an earlier position counts the versioned rows instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import asyncpg

Row = dict[str, Any]
Test = Callable[[Row], bool]


@dataclass(frozen=True)
class Tally:
    """``counts`` (a column per test) of ``source``'s current rows, by ``key`` (column
    name → SQL type), in the table ``name``."""

    source: str
    name: str
    key: dict[str, str]
    counts: dict[str, Test]

    def deltas(
        self, made: Iterable[Row], closed: Iterable[Row]
    ) -> dict[tuple[Any, ...], list[int]]:
        """Per key, what the batch changes in each count (keys it leaves as they were:
        none)."""
        changed: dict[tuple[Any, ...], list[int]] = {}
        tests = list(self.counts.values())
        for rows, sign in ((made, 1), (closed, -1)):
            for row in rows:
                if sign == 1 and row["known_to"] is not None:
                    continue  # made and closed in the batch
                key = tuple(row[c] for c in self.key)
                counts = changed.setdefault(key, [0] * len(tests))
                for i, test in enumerate(tests):
                    if test(row):
                        counts[i] += sign
        return {k: v for k, v in changed.items() if any(v)}

    async def write(self, conn: asyncpg.Connection, made: list[Row], closed: list[Row]) -> None:
        deltas = self.deltas(made, closed)
        if not deltas:
            return
        keys, counts = list(self.key), list(self.counts)
        columns = [*keys, *counts]
        types = [*self.key.values(), *(["integer"] * len(counts))]
        arrays = ", ".join(f"${i + 1}::{kind}[]" for i, kind in enumerate(types))
        added = ", ".join(f"{c} = {self.name}.{c} + excluded.{c}" for c in counts)
        arguments = [[k[i] for k in deltas] for i in range(len(keys))]
        arguments += [[v[i] for v in deltas.values()] for i in range(len(counts))]
        await conn.execute(
            f"INSERT INTO {self.name} ({', '.join(columns)})"
            f" SELECT * FROM unnest({arrays})"
            f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}",
            *arguments,
        )
