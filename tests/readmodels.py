"""Read models compared with a rebuild: every row of every table, caught up and rebuilt."""

from __future__ import annotations

from typing import Any

import asyncpg

from ledger.infra.codec import make_mapper
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import catch_up, rebuild


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model's tables, in an order set by all their columns."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for projection in PROJECTIONS:
        for table in TABLES[projection.name]:
            columns = await pool.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass"
                " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                table,
            )
            # As text, so that a column of a type without an order sorts too.
            order = ", ".join(f'"{c["attname"]}"::text' for c in columns)
            rows = await pool.fetch(f"SELECT * FROM {table} ORDER BY {order}")
            tables[table] = [tuple(row.values()) for row in rows]
    return tables


async def catch_up_all(pool: asyncpg.Pool) -> None:
    mapper = make_mapper()
    for projection in PROJECTIONS:
        await catch_up(pool, mapper, projection)


async def assert_equal_to_a_rebuild(pool: asyncpg.Pool) -> dict[str, list[tuple[Any, ...]]]:
    """Catch every read model up, rebuild each from the log, and compare every row."""
    await catch_up_all(pool)
    caught_up = await snapshot(pool)
    mapper = make_mapper()
    for projection in PROJECTIONS:
        await rebuild(pool, mapper, projection, TABLES[projection.name])
    assert await snapshot(pool) == caught_up
    return caught_up


async def assert_as_a_rebuild(pool: asyncpg.Pool, head: int) -> dict[str, list[tuple[Any, ...]]]:
    """The read models as they stand (no catch-up first) equal each rebuilt from the log's
    ``head`` events; the failure names each table that differs with its row counts."""
    kept = await snapshot(pool)
    mapper = make_mapper()
    for projection in PROJECTIONS:
        assert await rebuild(pool, mapper, projection, TABLES[projection.name]) == head
    rebuilt = await snapshot(pool)
    assert set(rebuilt) == set(kept)
    differ = {
        table: (len(kept[table]), len(rebuilt[table]))
        for table in kept
        if kept[table] != rebuilt[table]
    }
    assert not differ, f"tables unlike a rebuild (rows kept, rows rebuilt): {differ}"
    return kept
