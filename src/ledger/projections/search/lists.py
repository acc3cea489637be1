"""Units and persons as filtered lists: current rows, by name, a page at a time after a
(name, id) keyset cursor."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.search.text import contains

_UNIT = (
    "SELECT unit_id AS id, name, kind, level, parent_id, code, dissolved, merged_into, version"
    " FROM chain_units u"
)
# The unit $n and every unit below it, as the chain has them now.
_SUBTREE = (
    "u.unit_id IN (WITH RECURSIVE tree (unit_id) AS (SELECT {p}::uuid UNION"
    " SELECT c.unit_id FROM chain_units c JOIN tree t ON c.parent_id = t.unit_id"
    " WHERE c.known_to IS NULL) SELECT unit_id FROM tree)"
)


class _Where:
    def __init__(self) -> None:
        self.args: list[Any] = []
        self.conditions = ["known_to IS NULL"]

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def sql(self, after: tuple[str, UUID] | None, id_column: str, limit: int) -> str:
        if after is not None:
            name, last = self.param(after[0]), self.param(after[1])
            self.conditions.append(f"(name, {id_column}) > ({name}, {last})")
        return (
            " WHERE "
            + " AND ".join(self.conditions)
            + f" ORDER BY name, {id_column} LIMIT {self.param(limit)}"
        )


async def list_units(
    pool: asyncpg.Pool,
    *,
    limit: int,
    after: tuple[str, UUID] | None = None,
    parent_id: UUID | None = None,
    roots_only: bool = False,
    name: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    under: UUID | None = None,
) -> list[dict[str, Any]]:
    """Current units by name: under ``parent_id`` (directly), top-level if ``roots_only``,
    ``name`` containing the text, ``code`` equal, of ``kind``, ``under`` a unit (it and
    every unit below it); each filter given narrows the list."""
    where = _Where()
    if parent_id is not None:
        where.conditions.append(f"parent_id = {where.param(parent_id)}")
    elif roots_only:
        where.conditions.append("parent_id IS NULL")
    if name is not None:
        where.conditions.append(f"name ILIKE {where.param(contains(name))}")
    if code is not None:
        where.conditions.append(f"code = {where.param(code)}")
    if kind is not None:
        where.conditions.append(f"kind = {where.param(kind)}")
    if under is not None:
        where.conditions.append(_SUBTREE.format(p=where.param(under)))
    rows = await pool.fetch(_UNIT + where.sql(after, "unit_id", limit), *where.args)
    return [dict(r) for r in rows]


async def list_persons(
    pool: asyncpg.Pool,
    *,
    limit: int,
    after: tuple[str, UUID] | None = None,
    name: str | None = None,
) -> list[dict[str, Any]]:
    """Current persons by name, ``name`` containing the text if given."""
    where = _Where()
    if name is not None:
        where.conditions.append(f"name ILIKE {where.param(contains(name))}")
    rows = await pool.fetch(
        "SELECT person_id AS id, name, version FROM chain_persons"
        + where.sql(after, "person_id", limit),
        *where.args,
    )
    return [dict(r) for r in rows]
