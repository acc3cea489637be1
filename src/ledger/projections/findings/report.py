"""The open-loop report of a jurisdiction: counts and rates in all, by unit and by category,
and its open findings a page at a time, most overdue first."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.findings.queries import (
    JURISDICTION,
    OVERDUE,
    SUMMARY,
    as_known,
    numbered,
    summary,
)

_COUNTS = (
    "count(*) AS total,"
    " count(*) FILTER (WHERE stage <> 'closed') AS open,"
    " count(*) FILTER (WHERE overdue) AS overdue,"
    " count(*) FILTER (WHERE stage = 'closed') AS closed,"
    " count(*) FILTER (WHERE outcome = 'rectified') AS rectified,"
    " count(*) FILTER (WHERE outcome = 'referred') AS referred,"
    " count(*) FILTER (WHERE outcome = 'dismissed') AS dismissed,"
    # "On time" means by the original deadline, as in the evaluation references; verified
    # by an extended deadline only is counted apart, never as on time.
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on <= original_deadline)"
    " AS rectified_on_time,"
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on <= deadline"
    "   AND verified_on > original_deadline) AS rectified_after_extension,"
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on > deadline)"
    " AS rectified_late"
)


_COUNT_NAMES = (
    "total",
    "open",
    "overdue",
    "closed",
    "rectified",
    "referred",
    "dismissed",
    "rectified_on_time",
    "rectified_after_extension",
    "rectified_late",
)


# The counts of the jurisdiction's findings by unit, by category and in all (grouping
# sets), each group with its unit's name; from ``rows``, one row per unit and category.
def _grouped(rows: str) -> str:
    sums = ", ".join(f"coalesce(sum({c}), 0)::bigint AS {c}" for c in _COUNT_NAMES)
    return numbered(
        "SELECT g.*, u.name AS unit_name FROM (SELECT unit_id, category,"
        " grouping(unit_id, category) AS level, "
        + sums
        + f" FROM ({rows}) f GROUP BY GROUPING SETS ((), (unit_id), (category))"
        # A unit or category whose findings all moved away keeps a row of zeros.
        " HAVING coalesce(sum(total), 0) > 0 OR grouping(unit_id, category) = 3) g"
        " LEFT JOIN chain_units u ON u.unit_id = g.unit_id AND u.known_to IS NULL"
        " ORDER BY g.overdue DESC, g.open DESC, u.name, g.unit_id, g.category",
        A=2,
        J=1,
    )


_IN_JURISDICTION = " IN (" + JURISDICTION + ")"

# As known at a position: the jurisdiction's findings, counted per unit and category.
_SCANNED_GROUPS = _grouped(
    "SELECT unit_id, category, "
    + _COUNTS
    + " FROM (SELECT f.*, "
    + OVERDUE
    + " AS overdue FROM loop_findings f WHERE f.known_to IS NULL AND f.unit_id"
    + _IN_JURISDICTION
    + ") f GROUP BY unit_id, category"
)

# Now: the counts the read model keeps (``loop_counts``, see the tally in ``handlers``),
# and overdue from the open findings, an index-only scan.
_KEPT_GROUPS = _grouped(
    "SELECT c.*, c.total - c.closed AS open, coalesce(o.overdue, 0) AS overdue"
    " FROM loop_counts c LEFT JOIN (SELECT f.unit_id, f.category, count(*) AS overdue"
    "   FROM loop_findings f WHERE f.known_to IS NULL AND f.stage <> 'closed'"
    "   AND f.deadline < $A AND f.unit_id"
    + _IN_JURISDICTION
    + "   GROUP BY f.unit_id, f.category) o"
    " ON o.unit_id = c.unit_id AND o.category = c.category"
    " WHERE c.unit_id" + _IN_JURISDICTION
)


def _rates(counts: dict[str, Any]) -> dict[str, Any]:
    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    return {
        **counts,
        "closed_rate": share(counts["closed"], counts["total"]),
        "overdue_rate": share(counts["overdue"], counts["open"]),
        "on_time_rate": share(counts["rectified_on_time"], counts["rectified"]),
    }


# The open list's order: most days overdue first, then by deadline; a page continues
# after the (days overdue, deadline, found_on, id) of the last item of the one before.
OpenAfter = tuple[int, date, date, UUID]


async def open_loop_report(
    pool: asyncpg.Pool,
    unit_id: UUID,
    as_of: date,
    position: int | None = None,
    *,
    limit: int | None = 500,
    after: OpenAfter | None = None,
) -> dict[str, Any] | None:
    """The jurisdiction of ``unit_id`` on ``as_of``: counts and rates in all, by unit, by
    category, and a page of its findings not closed (up to ``limit``, or all of them if
    None, after ``after``); as known at ``position`` (known_at), else now."""
    known_args = [] if position is None else [position]
    at = None if position is None else 3

    def fetch(sql: str, *more: Any) -> Any:
        return pool.fetch(as_known(sql, at), unit_id, as_of, *known_args, *more)

    unit = await pool.fetchrow(
        as_known(
            "SELECT unit_id AS id, name FROM chain_units u WHERE unit_id = $1"
            " AND u.known_to IS NULL",
            None if position is None else 2,
        ),
        unit_id,
        *known_args,
    )
    if unit is None:
        return None
    groups = await fetch(_KEPT_GROUPS if position is None else _SCANNED_GROUPS)
    totals: dict[str, Any] = {}
    by_unit, by_category = [], []
    for group in groups:
        counts = _rates({k: group[k] for k in _COUNT_NAMES})
        # grouping() sets a bit per column not grouped by: 3 is the grouping set (), the
        # whole jurisdiction, whose row comes even without findings; 1 by unit, 2 by category.
        if group["level"] == 3:
            totals = counts
        elif group["level"] == 1:
            by_unit.append({"unit_id": group["unit_id"], "unit_name": group["unit_name"], **counts})
        else:
            by_category.append({"category": group["category"], **counts})
    more = 3 + len(known_args)  # the page's parameters follow the shared ones
    keyset = ""
    page_args: list[Any] = [limit]
    if after is not None:
        # Most days overdue first is earliest deadline first (days overdue is the day asked
        # less the deadline, or 0 from the deadline on), so the deadline orders the page.
        keyset = (
            f" AND (f.deadline, f.found_on, f.finding_id) > (${more + 1}, ${more + 2}, ${more + 3})"
        )
        page_args += [after[1], after[2], after[3]]
    rows = await fetch(
        numbered(
            "SELECT " + SUMMARY + " FROM loop_findings f"
            " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND u.known_to IS NULL"
            " WHERE f.known_to IS NULL AND f.stage <> 'closed' AND f.unit_id IN ("
            + JURISDICTION
            + ")",
            A=2,
            J=1,
        )
        + f"{keyset} ORDER BY f.deadline, f.found_on, f.finding_id LIMIT ${more}",
        *page_args,
    )
    return {
        "unit": dict(unit),
        "totals": totals,
        "by_unit": by_unit,
        "by_category": by_category,
        "open": [summary(r) for r in rows],
    }
