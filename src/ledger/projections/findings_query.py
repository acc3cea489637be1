"""Queries of the loop read model (plain SQL on its tables and the chain's)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.common import NOW, known

OPEN = "open"  # the status that means every stage but closed

# $A is the day overdue is counted on. Not stored: it depends on the day asked.
_OVERDUE = "(f.stage <> 'closed' AND f.deadline < $A)"
_SUMMARY = (
    "f.finding_id AS id, f.version, f.unit_id, u.name AS unit_name, f.inspection_id,"
    " f.clue_id, f.category, f.severity, f.description, f.found_on, f.original_deadline,"
    " f.deadline, f.stage, f.outcome, f.verified_on, f.closed_on, "
    + _OVERDUE
    + " AS overdue, CASE WHEN "
    + _OVERDUE
    + " THEN $A - f.deadline ELSE 0 END AS days_overdue"
)
_DETAIL = (
    ", f.measures, f.owner_person_id, f.owner_assignment_id, f.plan_due_on, f.planned_on,"
    " f.progress_reports, f.last_reported_on, f.rejections, f.extensions, f.referred_to,"
    " f.referred_on, f.raised_at"
)
# The jurisdiction of $J: the unit and every unit below it, as the chain stands now.
# UNION (not UNION ALL) so a cycle in the parents could never loop.
_JURISDICTION = (
    "WITH RECURSIVE below(unit_id) AS (SELECT $J::uuid UNION SELECT u.unit_id"
    " FROM chain_units u JOIN below b ON u.parent_id = b.unit_id WHERE u.known_to IS NULL)"
    " SELECT unit_id FROM below"
)

# Who held the post of an attribution on $3, as known at $2. The post is the role held:
# a principal's is its principal title; a leader's, the finding's category ($4) in its
# portfolio that day; a staff member's, its own assignment. The same assignment, when it
# still holds the post, is named before another.
_ATTRIBUTIONS = (
    "SELECT t.person_id, p.name AS person_name, t.assignment_id, a.title, a.role,"
    " a.principal_title, t.liability, t.automatic, t.reason,"
    " n.person_id AS now_person_id, n.person_name AS now_person_name,"
    " n.assignment_id AS now_assignment_id, n.title AS now_title"
    " FROM loop_attributions t"
    " LEFT JOIN chain_persons p ON p.person_id = t.person_id AND "
    + known("p", 2)
    + " LEFT JOIN chain_assignments a ON a.assignment_id = t.assignment_id AND "
    + known("a", 2)
    + " LEFT JOIN LATERAL (SELECT h.assignment_id, h.person_id, hp.name AS person_name, h.title"
    "   FROM chain_assignments h"
    "   LEFT JOIN chain_persons hp ON hp.person_id = h.person_id AND "
    + known("hp", 2)
    + "   WHERE "
    + known("h", 2)
    + "   AND h.unit_id = a.unit_id AND h.role = a.role"
    "   AND h.effective_from <= $3 AND (h.effective_to IS NULL OR h.effective_to > $3)"
    "   AND CASE a.role"
    "     WHEN 'principal' THEN h.principal_title IS NOT DISTINCT FROM a.principal_title"
    "     WHEN 'leader' THEN (SELECT o.portfolio FROM chain_portfolios o"
    "       WHERE o.assignment_id = h.assignment_id AND "
    + known("o", 2)
    + "       AND o.effective_from <= $3 ORDER BY o.effective_from DESC LIMIT 1)"
    "       @> ARRAY[$4::text]"
    "     ELSE h.assignment_id = a.assignment_id END"
    "   ORDER BY h.assignment_id = a.assignment_id DESC, h.effective_from, h.assignment_id"
    "   LIMIT 1) n ON true"
    " WHERE t.finding_id = $1 AND "
    + known("t", 2)
    + " ORDER BY array_position(ARRAY['principal', 'leadership', 'direct'], t.liability),"
    " t.known_from, t.person_id"
)


_CURRENT = re.compile(r"\b(\w+)\.known_to IS NULL")


def _as_known(sql: str, position_param: int | None) -> str:
    """The statement reading rows as known at ``$position_param`` instead of the current
    ones (``known_at``); unchanged when None, so the current-row indexes still serve."""
    if position_param is None:
        return sql
    p = f"${position_param}"
    return _CURRENT.sub(
        lambda m: (
            f"({m[1]}.known_from <= {p} AND ({m[1]}.known_to IS NULL OR {m[1]}.known_to > {p}))"
        ),
        sql,
    )


def _numbered(sql: str, **params: int) -> str:
    """Name the parameters a fragment shares ($A, $J) by their number in the statement."""
    for name, number in params.items():
        sql = sql.replace(f"${name}", f"${number}")
    return sql


def _summary(row: asyncpg.Record) -> dict[str, Any]:
    """A finding as a list shows it, with where it came from as one ``source``."""
    item = dict(row)
    inspection_id, clue_id = item.pop("inspection_id"), item.pop("clue_id")
    item["source"] = (
        {"kind": "inspection", "id": inspection_id}
        if inspection_id is not None
        else {"kind": "clue", "id": clue_id}
    )
    return item


def _then_and_now(row: asyncpg.Record) -> tuple[dict[str, Any], dict[str, Any]]:
    """An attribution as it was, and the post it was borne through as held on the day."""
    then = dict(row)
    holder = {k.removeprefix("now_"): then.pop(k) for k in list(then) if k.startswith("now_")}
    now = {
        "for_person_id": then["person_id"],
        "for_assignment_id": then["assignment_id"],
        **{k: then[k] for k in ("liability", "role", "principal_title")},
        "holder": holder if holder["assignment_id"] is not None else None,
    }
    return then, now


async def get_finding(
    pool: asyncpg.Pool, finding_id: UUID, as_of: date, position: int = NOW
) -> dict[str, Any] | None:
    """The loop status as known at ``position``, overdue counted on ``as_of``, with who was
    responsible then and who holds each of those posts on ``as_of``."""
    row = await pool.fetchrow(
        _numbered(
            "SELECT "
            + _SUMMARY
            + _DETAIL
            + " FROM loop_findings f LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND "
            + known("u", 2)
            + " WHERE f.finding_id = $1 AND "
            + known("f", 2),
            A=3,
        ),
        finding_id,
        position,
        as_of,
    )
    if row is None:
        return None
    finding = _summary(row)
    deadlines = await pool.fetch(
        "SELECT extension, deadline, previous_deadline, approver_person_id, reason, extended_on"
        " FROM loop_deadlines WHERE finding_id = $1 AND known_from <= $2 ORDER BY extension",
        finding_id,
        position,
    )
    finding["deadlines"] = [dict(d) for d in deadlines]
    attributions = await pool.fetch(_ATTRIBUTIONS, finding_id, position, as_of, finding["category"])
    pairs = [_then_and_now(a) for a in attributions]
    finding["responsible_then"] = [then for then, _ in pairs]
    finding["responsible_now"] = [now for _, now in pairs]
    return finding


async def search_findings(
    pool: asyncpg.Pool,
    *,
    as_of: date,
    limit: int,
    unit_id: UUID | None = None,
    include_subunits: bool = False,
    status: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    year: int | None = None,
    after: tuple[date, UUID] | None = None,
    position: int | None = None,
) -> list[dict[str, Any]]:
    """Findings (as known at ``position``, else now), newest found first (found_on desc,
    then id), after ``after``."""
    args: list[Any] = [as_of]
    where = ["f.known_to IS NULL"]

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if unit_id is not None:
        unit = param(unit_id)
        below = _JURISDICTION.replace("$J", unit)
        where.append(f"f.unit_id IN ({below})" if include_subunits else f"f.unit_id = {unit}")
    if status == OPEN:
        where.append("f.stage <> 'closed'")
    elif status is not None:
        where.append(f"f.stage = {param(status)}")
    if category is not None:
        where.append(f"f.category = {param(category)}")
    if overdue is not None:
        where.append(_OVERDUE if overdue else f"NOT {_OVERDUE}")
    if year is not None:
        first, after_last = param(date(year, 1, 1)), param(date(year + 1, 1, 1))
        where.append(f"f.found_on >= {first} AND f.found_on < {after_last}")
    if after is not None:
        day, last = param(after[0]), param(after[1])
        where.append(f"(f.found_on < {day} OR (f.found_on = {day} AND f.finding_id > {last}))")
    sql = _numbered(
        "SELECT " + _SUMMARY + " FROM loop_findings f"
        " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND u.known_to IS NULL"
        " WHERE " + " AND ".join(where) + f" ORDER BY f.found_on DESC, f.finding_id"
        f" LIMIT {param(limit)}",
        A=1,
    )
    if position is not None:
        param(position)
        sql = _as_known(sql, len(args))
    rows = await pool.fetch(sql, *args)
    return [_summary(r) for r in rows]


_COUNTS = (
    "count(*) AS total,"
    " count(*) FILTER (WHERE stage <> 'closed') AS open,"
    " count(*) FILTER (WHERE overdue) AS overdue,"
    " count(*) FILTER (WHERE stage = 'closed') AS closed,"
    " count(*) FILTER (WHERE outcome = 'rectified') AS rectified,"
    " count(*) FILTER (WHERE outcome = 'referred') AS referred,"
    " count(*) FILTER (WHERE outcome = 'dismissed') AS dismissed,"
    " count(*) FILTER (WHERE outcome = 'rectified' AND verified_on <= deadline)"
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
    limit: int = 500,
    after: OpenAfter | None = None,
) -> dict[str, Any] | None:
    """The jurisdiction of ``unit_id`` on ``as_of``: counts and rates in all, by unit, by
    category, and a page of its findings not closed (up to ``limit`` after ``after``); as
    known at ``position`` (known_at), else now."""
    known_args = [] if position is None else [position]
    at = None if position is None else 3

    def fetch(sql: str, *more: Any) -> Any:
        return pool.fetch(_as_known(sql, at), unit_id, as_of, *known_args, *more)

    unit = await pool.fetchrow(
        _as_known(
            "SELECT unit_id AS id, name FROM chain_units u WHERE unit_id = $1"
            " AND u.known_to IS NULL",
            None if position is None else 2,
        ),
        unit_id,
        *known_args,
    )
    if unit is None:
        return None
    findings = _numbered(
        "SELECT f.*, "
        + _OVERDUE
        + " AS overdue FROM loop_findings f WHERE f.known_to IS NULL AND f.unit_id IN ("
        + _JURISDICTION
        + ")",
        A=2,
        J=1,
    )
    groups = await fetch(
        "SELECT g.*, u.name AS unit_name FROM (SELECT unit_id, category,"
        " grouping(unit_id, category) AS level, "
        + _COUNTS
        + f" FROM ({findings}) f GROUP BY GROUPING SETS ((), (unit_id), (category))) g"
        " LEFT JOIN chain_units u ON u.unit_id = g.unit_id AND u.known_to IS NULL"
        " ORDER BY g.overdue DESC, g.open DESC, u.name, g.unit_id, g.category"
    )
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
        keyset = (
            f" WHERE (-o.days_overdue, o.deadline, o.found_on, o.id)"
            f" > (${more + 1}, ${more + 2}, ${more + 3}, ${more + 4})"
        )
        page_args += [-after[0], after[1], after[2], after[3]]
    rows = await fetch(
        "SELECT * FROM ("
        + _numbered(
            "SELECT " + _SUMMARY + " FROM loop_findings f"
            " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND u.known_to IS NULL"
            " WHERE f.known_to IS NULL AND f.stage <> 'closed' AND f.unit_id IN ("
            + _JURISDICTION
            + ")",
            A=2,
            J=1,
        )
        + f") o{keyset} ORDER BY o.days_overdue DESC, o.deadline, o.found_on, o.id"
        f" LIMIT ${more}",
        *page_args,
    )
    return {
        "unit": dict(unit),
        "totals": totals,
        "by_unit": by_unit,
        "by_category": by_category,
        "open": [_summary(r) for r in rows],
    }
