"""The responsibility chain of a unit as a tree: who reports to whom on a day, and the gaps
that leave the loop open (no principal, a broken line, staff with no leader, a category
no leader covers). Pure: it reads the assignments the queries fetched."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.domain.vocab import Category, Role


def build_tree(
    holders: list[dict[str, Any]], lines_outside: set[UUID] | frozenset[UUID] = frozenset()
) -> dict[str, Any]:
    """Nest each assignment under the one it reports to; list the gaps of the loop.

    ``lines_outside`` are assignments of other units (a department head's line to the
    parent unit) in effect on the day: a line to one of them is whole.
    """
    by_id = {h["id"]: {**h, "reports": []} for h in holders}
    roots: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    for node in by_id.values():
        line = node["reports_to"]
        if line is not None and line in by_id:
            by_id[line]["reports"].append(node)
        elif line in lines_outside or (line is None and node["role"] == Role.PRINCIPAL.value):
            roots.append(node)
        else:
            roots.append(node)
            gaps.append(
                _gap(
                    "reports_to_ended" if line is not None else "no_line",
                    node,
                    "reports to an assignment not in effect on this date"
                    if line is not None
                    else "has no reporting line",
                )
            )
    if not any(h["role"] == Role.PRINCIPAL.value for h in holders):
        gaps.insert(0, {"kind": "no_principal", "detail": "no principal responsible person"})
    for node in by_id.values():
        if node["role"] == Role.STAFF.value and not _reaches_leader(node, by_id):
            gaps.append(_gap("staff_without_leader", node, "staff with no line to a leader"))
    covered = {c for h in holders if h["role"] == Role.LEADER.value for c in h["portfolio"]}
    for category in Category:
        if category is not Category.OTHER and category.value not in covered:
            gaps.append(
                {
                    "kind": "uncovered_category",
                    "category": category.value,
                    "detail": "no leader's portfolio covers this category",
                }
            )
    roots.sort(key=lambda n: (n["role"] != Role.PRINCIPAL.value, n["effective_from"]))
    return {"chain": roots, "gaps": gaps}


def _reaches_leader(node: dict[str, Any], by_id: dict[UUID, dict[str, Any]]) -> bool:
    seen: set[UUID] = set()
    line = node["reports_to"]
    while line is not None and line in by_id and line not in seen:
        seen.add(line)
        target = by_id[line]
        if target["role"] in (Role.LEADER.value, Role.PRINCIPAL.value):
            return True
        line = target["reports_to"]
    return False


def _gap(kind: str, node: dict[str, Any], detail: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "assignment_id": node["id"],
        "person_id": node["person_id"],
        "person_name": node["person_name"],
        "detail": detail,
    }
