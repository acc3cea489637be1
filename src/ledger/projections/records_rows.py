"""Versioned rows of the records read model: a successor closes the row before it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ledger.projections.common import successor_sql

# Versioned tables: their key and the columns a successor row copies (or changes).
_VERSIONED: dict[str, tuple[str, str]] = {
    "rec_inspections": (
        "inspection_id",
        "inspection_id, title, year, organizer_unit_id, target_unit_ids, team, topics,"
        " starts_on, ends_on, stage, started_on, fed_back_on, feedback_summary, closed_on,"
        " version",
    ),
    "rec_cases": (
        "case_id",
        "case_id, person_id, finding_ids, handling_unit_id, opened_on, reason, basis,"
        " closed_on, closed_reason, version",
    ),
    "rec_sanctions": (
        "sanction_id",
        "sanction_id, case_id, person_id, kind, original_kind, state, imposed_on, decided_on,"
        " basis",
    ),
    "rec_clues": (
        "clue_id",
        "clue_id, origin, external_id, summary, received_at, unit_id, recorded_at, outcome,"
        " finding_id, triage_reason, triaged_at, version",
    ),
}


def successor(table: str, key: str, position: str, changes: dict[str, str]) -> str:
    """The CTEs ``closed_<table>`` and ``successor_<table>`` that supersede the current row
    of ``key`` (see ``successor_sql``), named per table so one statement can hold several."""
    key_column, columns = _VERSIONED[table]
    return successor_sql(table, key_column, columns, key, position, changes, suffix=f"_{table}")


def only(table: str, changes: dict[str, str]) -> str:
    """A statement that only supersedes: $1 the key, $2 the version, $3 the position."""
    return f"WITH {successor(table, '$1', '$3', changes)} SELECT count(*) FROM successor_{table}"


def number(value: Any) -> Any:
    """A Decimal as a JSON number (jsonb keeps its digits)."""
    return float(value) if isinstance(value, Decimal) else value


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=number)
