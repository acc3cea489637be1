"""An evaluation reference as one flat CSV table for a spreadsheet: a ``section`` column
(role, finding, rectification, sanction, assessment), then every field any section has.

Pure functions: ``person_rows`` and ``unit_rows`` flatten a reference (the JSON answer) into
rows, ``render_csv`` writes rows as the bytes served (UTF-8 with BOM, CRLF line ends).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from ledger.api.http import to_json

COLUMNS = [
    "section",
    "id",
    "unit_id",
    "unit_name",
    "person_id",
    "person_name",
    "role",
    "title",
    "principal_title",
    "effective_from",
    "effective_to",
    "liability",
    "category",
    "severity",
    "stage",
    "outcome",
    "found_on",
    "original_deadline",
    "deadline",
    "verified_on",
    "timing",
    "overdue",
    "days_overdue",
    "case_id",
    "kind",
    "original_kind",
    "state",
    "in_force",
    "decided_on",
    "steps",
    "year",
    "indicator_set_name",
    "total",
    "grade",
]


def render_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """The header and one line per row; a field a row lacks is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(row.get(c)) for c in COLUMNS] for row in rows)
    # The BOM is what makes Excel read the file as UTF-8 (Chinese names intact).
    return ("\ufeff" + out.getvalue()).encode()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return value
    return to_json(value)


def _roles(section: str, roles: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for role in roles:
        yield {"section": section, "id": role["assignment_id"], **role}


def _sanctions(cases: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One row per sanction (a case with none: one row for the case), its steps as text."""
    for case in cases:
        head = {
            "section": "sanction",
            "case_id": case["id"],
            "person_id": case["person_id"],
            "person_name": case["person_name"],
            "unit_id": case["handling_unit_id"],
            "unit_name": case["handling_unit_name"],
        }
        if not case["sanctions"]:
            yield head
        for sanction in case["sanctions"]:
            steps = "; ".join(
                f"{s['step']} {s['step_on'].isoformat()} {s['kind']}" for s in sanction["steps"]
            )
            yield head | {k: v for k, v in sanction.items() if k != "steps"} | {"steps": steps}


def _assessments(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield {"section": "assessment", **{k: v for k, v in item.items() if k != "earlier"}}


def person_rows(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from _roles("role", answer["roles"])
    for liability, items in answer["findings"].items():
        for item in items:
            yield {"section": "finding", "liability": liability, **item}
    for item in answer["rectification"]["items"]:
        yield {"section": "rectification", **item}
    yield from _sanctions(answer["accountability"])
    yield from _assessments(answer["assessments"])


def unit_rows(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from _roles("role", answer["principals"])
    for item in answer["findings"]["items"]:
        yield {"section": "finding", **item}
    yield from _sanctions(answer["accountability"])
    yield from _assessments(answer["assessments"])
