"""One search across units, persons, findings and inspections: every current row whose
searched text contains the query, best match first."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.search.text import contains, snippet

# Findings and inspections by the documents (文号) their events cite, a line each
# (ledger_documents, projections/search.sql, where its trigram indexes are).
_DOCUMENTS = "ledger_documents(documents)"
# What each kind is searched by: its table, id, label, and a second searched text.
_BRANCHES: dict[str, tuple[str, str, str, str | None]] = {
    "unit": ("chain_units", "unit_id", "name", "code"),
    "person": ("chain_persons", "person_id", "name", None),
    "finding": ("loop_findings", "finding_id", "description", _DOCUMENTS),
    "inspection": ("rec_inspections", "inspection_id", "title", _DOCUMENTS),
}
KINDS: tuple[str, ...] = tuple(_BRANCHES)
LABEL = 60  # a longer label (a finding's description) is cut, the match in its snippet


def _branch(kind: str) -> str:
    table, id_column, text, other = _BRANCHES[kind]
    score = f"similarity({text}, $1)"
    matches = f"{text} ILIKE $2"
    if other is not None:
        score = f"greatest({score}, similarity(coalesce({other}, ''), $1))"
        matches = f"({matches} OR {other} ILIKE $2)"
    return (
        f"SELECT '{kind}' AS kind, {id_column} AS id, {text} AS text,"
        f" {other or 'NULL'} AS other, round({score}::numeric, 4) AS score"
        f" FROM {table} WHERE known_to IS NULL AND {matches}"
    )


async def search(
    pool: asyncpg.Pool,
    query: str,
    kinds: Sequence[str],
    limit: int,
    after: tuple[Decimal, str, UUID] | None = None,
) -> list[dict[str, Any]]:
    """The hits of ``query`` among ``kinds``, by score (trigram similarity of the matched
    text to the query: an exact name first, then the closest), then kind and id; a page
    after the (score, kind, id) of the last hit of the previous one."""
    if not kinds:
        return []
    args: list[Any] = [query, contains(query), limit]
    page = ""
    if after is not None:
        args.extend(after)
        page = " WHERE score < $4 OR (score = $4 AND (kind, id) > ($5, $6))"
    rows = await pool.fetch(
        "SELECT * FROM (" + " UNION ALL ".join(_branch(k) for k in kinds) + ") hits"
        f"{page} ORDER BY score DESC, kind, id LIMIT $3",
        *args,
    )
    return [_hit(dict(row), query) for row in rows]


def _hit(row: dict[str, Any], query: str) -> dict[str, Any]:
    text, other = row["text"], row["other"]
    label = text if len(text) <= LABEL else text[: LABEL - 1] + "…"
    found = snippet(text, query) if label != text else None
    if found is None and other is not None and query.casefold() not in text.casefold():
        # A unit found by its code, a finding or inspection by the document that matched.
        lines = other.split("\n")
        found = next((line for line in lines if query.casefold() in line.casefold()), other)
    hit = {"kind": row["kind"], "id": row["id"], "label": label, "score": row["score"]}
    return hit | ({"snippet": found} if found is not None else {})
