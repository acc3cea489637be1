"""Queries of the loop read model (plain SQL on its tables and the chain's): a finding,
and findings by unit, status, category, year. The fragments the open-loop report shares
(the overdue test, a finding's summary, a jurisdiction) are public."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ledger.projections.common import NOW, known

OPEN = "open"  # the status that means every stage but closed

# $A is the day overdue is counted on. Not stored: it depends on the day asked.
OVERDUE = "(f.stage <> 'closed' AND f.deadline < $A)"
SUMMARY = (
    "f.finding_id AS id, f.version, f.unit_id, u.name AS unit_name, f.inspection_id,"
    " f.clue_id, f.category, f.severity, f.description, f.found_on, f.original_deadline,"
    " f.deadline, f.stage, f.outcome, f.verified_on, f.closed_on, f.basis, f.documents, "
    + OVERDUE
    + " AS overdue, CASE WHEN "
    + OVERDUE
    + " THEN $A - f.deadline ELSE 0 END AS days_overdue"
)
_DETAIL = (
    ", f.measures, f.owner_person_id, f.owner_assignment_id, f.plan_due_on, f.planned_on,"
    " f.progress_reports, f.last_reported_on, f.rejections, f.extensions, f.referred_to,"
    " f.referred_on, f.raised_at"
)
# The jurisdiction of $J: the unit and every unit below it, as the chain stands now.
# UNION (not UNION ALL) so a cycle in the parents could never loop.
BELOW = (
    "below(unit_id) AS (SELECT $J::uuid UNION SELECT u.unit_id"
    " FROM chain_units u JOIN below b ON u.parent_id = b.unit_id WHERE u.known_to IS NULL)"
)
JURISDICTION = "WITH RECURSIVE " + BELOW + " SELECT unit_id FROM below"

# Who held the post of an attribution on $3, as known at $2. The post is the role held:
# a principal's is its principal title; a leader's, the finding's category ($4) in its
# portfolio that day; a staff member's, its own assignment. The same assignment, when it
# still holds the post, is named before another.
_ATTRIBUTION_COLUMNS = {
    "person_id": "t.person_id",
    "person_name": "p.name",
    "assignment_id": "t.assignment_id",
    "title": "a.title",
    "role": "a.role",
    "principal_title": "a.principal_title",
    "liability": "t.liability",
    "automatic": "t.automatic",
    "reason": "t.reason",
    "now_person_id": "n.person_id",
    "now_person_name": "n.person_name",
    "now_assignment_id": "n.assignment_id",
    "now_title": "n.title",
}
# One row per attribution, its columns as one record (to be read as ``_ATTRIBUTION_COLUMNS``).
_ATTRIBUTIONS = (
    "SELECT ROW(" + ", ".join(_ATTRIBUTION_COLUMNS.values()) + ")"
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


def as_known(sql: str, position_param: int | None) -> str:
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


def numbered(sql: str, **params: int) -> str:
    """Name the parameters a fragment shares ($A, $J) by their number in the statement."""
    for name, number in params.items():
        sql = sql.replace(f"${name}", f"${number}")
    return sql


def summary(row: asyncpg.Record) -> dict[str, Any]:
    """A finding as a list shows it, with where it came from as one ``source``."""
    item = dict(row)
    inspection_id, clue_id = item.pop("inspection_id"), item.pop("clue_id")
    item["source"] = (
        {"kind": "inspection", "id": inspection_id}
        if inspection_id is not None
        else {"kind": "clue", "id": clue_id}
    )
    return item


def _then_and_now(row: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An attribution as it was, and the post it was borne through as held on the day."""
    then = dict(zip(_ATTRIBUTION_COLUMNS, row, strict=True))
    holder = {k.removeprefix("now_"): then.pop(k) for k in list(then) if k.startswith("now_")}
    now = {
        "for_person_id": then["person_id"],
        "for_assignment_id": then["assignment_id"],
        **{k: then[k] for k in ("liability", "role", "principal_title")},
        "holder": holder if holder["assignment_id"] is not None else None,
    }
    return then, now


_DEADLINES = (
    "SELECT ROW(extension, deadline, previous_deadline, approver_person_id, reason, extended_on)"
    " FROM loop_deadlines d WHERE d.finding_id = $1 AND d.known_from <= $2 ORDER BY extension"
)
_DEADLINE_COLUMNS = (
    "extension",
    "deadline",
    "previous_deadline",
    "approver_person_id",
    "reason",
    "extended_on",
)
# The finding, its deadlines and its attributions then and now: one statement.
_FINDING = numbered(
    "SELECT "
    + SUMMARY
    + _DETAIL
    + ", ARRAY("
    + _DEADLINES
    + ") AS deadlines_, ARRAY("
    + _ATTRIBUTIONS.replace("$4::text", "f.category")
    + ") AS attributions_"
    + " FROM loop_findings f LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND "
    + known("u", 2)
    + " WHERE f.finding_id = $1 AND "
    + known("f", 2),
    A=3,
)


async def get_finding(
    pool: asyncpg.Pool, finding_id: UUID, as_of: date, position: int = NOW
) -> dict[str, Any] | None:
    """The loop status as known at ``position``, overdue counted on ``as_of``, with who was
    responsible then and who holds each of those posts on ``as_of``."""
    row = await pool.fetchrow(_FINDING, finding_id, position, as_of)
    if row is None:
        return None
    finding = summary(row)
    deadlines, attributions = finding.pop("deadlines_"), finding.pop("attributions_")
    finding["deadlines"] = [dict(zip(_DEADLINE_COLUMNS, d, strict=True)) for d in deadlines]
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
        below = JURISDICTION.replace("$J", unit)
        where.append(f"f.unit_id IN ({below})" if include_subunits else f"f.unit_id = {unit}")
    if status == OPEN:
        where.append("f.stage <> 'closed'")
    elif status is not None:
        where.append(f"f.stage = {param(status)}")
    if category is not None:
        where.append(f"f.category = {param(category)}")
    if overdue is not None:
        where.append(OVERDUE if overdue else f"NOT {OVERDUE}")
    if year is not None:
        first, after_last = param(date(year, 1, 1)), param(date(year + 1, 1, 1))
        where.append(f"f.found_on >= {first} AND f.found_on < {after_last}")
    if after is not None:
        day, last = param(after[0]), param(after[1])
        where.append(f"(f.found_on < {day} OR (f.found_on = {day} AND f.finding_id > {last}))")
    sql = numbered(
        "SELECT " + SUMMARY + " FROM loop_findings f"
        " LEFT JOIN chain_units u ON u.unit_id = f.unit_id AND u.known_to IS NULL"
        " WHERE " + " AND ".join(where) + f" ORDER BY f.found_on DESC, f.finding_id"
        f" LIMIT {param(limit)}",
        A=1,
    )
    if position is not None:
        param(position)
        sql = as_known(sql, len(args))
    rows = await pool.fetch(sql, *args)
    return [summary(r) for r in rows]
