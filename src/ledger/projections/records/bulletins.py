"""Bulletins (通报) of the records read model as known at a ledger position: one, or a
page of them, latest issued first, each with its recipients in the order named."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.common import NOW, known
from ledger.projections.records.lists import Where

BULLETIN = (
    "SELECT b.bulletin_id AS id, b.version, b.kind, b.title, b.inspection_id,"
    " i.title AS inspection_title, b.finding_ids, b.issued_on, b.summary, b.basis,"
    " b.recorded_at FROM rec_bulletins b"
    " LEFT JOIN rec_inspections i ON i.inspection_id = b.inspection_id AND "
    + known("i", 1)
    + " WHERE b.known_from <= $1"
)


async def recipients_of(
    pool: asyncpg.Pool, bulletin_ids: Sequence[UUID], position: int = NOW
) -> dict[UUID, list[dict[str, Any]]]:
    """The recipients of each bulletin, in the order named."""
    rows = await pool.fetch(
        "SELECT r.bulletin_id, r.unit_id, u.name, u.kind FROM rec_bulletin_recipients r"
        " LEFT JOIN chain_units u ON u.unit_id = r.unit_id AND "
        + known("u", 2)
        + " WHERE r.bulletin_id = ANY($1::uuid[]) AND r.known_from <= $2"
        " ORDER BY r.bulletin_id, r.ordinal",
        list(bulletin_ids),
        position,
    )
    found: dict[UUID, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r["bulletin_id"], []).append(
            {k: r[k] for k in ("unit_id", "name", "kind")}
        )
    return found


async def get_bulletin(
    pool: asyncpg.Pool, bulletin_id: UUID, position: int = NOW
) -> dict[str, Any] | None:
    row = await pool.fetchrow(BULLETIN + " AND b.bulletin_id = $2", position, bulletin_id)
    if row is None:
        return None
    bulletin = dict(row)
    found = await recipients_of(pool, [bulletin_id], position)
    bulletin["recipients"] = found.get(bulletin_id, [])
    return bulletin


async def list_bulletins(
    pool: asyncpg.Pool,
    *,
    limit: int,
    position: int = NOW,
    inspection_id: UUID | None = None,
    after: tuple[date, UUID] | None = None,
) -> list[dict[str, Any]]:
    """Bulletins as known at ``position``, latest issued first (issued_on desc, then id),
    after ``after``, each with its recipients in the order named."""
    where = Where(taken=1)  # BULLETIN's $1 is the position
    if inspection_id is not None:
        where.conditions.append(f"b.inspection_id = {where.param(inspection_id)}")
    where.after("b.issued_on", "b.bulletin_id", after)
    rows = await pool.fetch(
        BULLETIN
        + "".join(f" AND {c}" for c in where.conditions)
        + f" ORDER BY b.issued_on DESC, b.bulletin_id LIMIT {where.param(limit)}",
        position,
        *where.args,
    )
    bulletins = [dict(r) for r in rows]
    recipients = await recipients_of(pool, [b["id"] for b in bulletins], position)
    for bulletin in bulletins:
        bulletin["recipients"] = recipients.get(bulletin["id"], [])
    return bulletins
