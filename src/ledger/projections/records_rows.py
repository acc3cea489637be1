"""Versioned rows of the records read model: a successor closes the row before it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

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
    """Two CTEs, ``closed_<table>`` and ``next_<table>``: close the current row of the
    entity ``key`` at ``position`` and insert its successor with ``changes`` (column →
    SQL expression), so a handler and its side rows stay one statement."""
    key_column, columns = _VERSIONED[table]
    select = ", ".join(changes.get(c, c) for c in (c.strip() for c in columns.split(",")))
    return (
        f"closed_{table} AS (UPDATE {table} SET known_to = {position}"
        f"  WHERE {key_column} = {key} AND known_to IS NULL RETURNING *),"
        f" next_{table} AS (INSERT INTO {table} ({columns}, known_from)"
        f"  SELECT {select}, {position} FROM closed_{table} RETURNING 1)"
    )


def only(table: str, changes: dict[str, str]) -> str:
    """A statement that only supersedes: $1 the key, $2 the version, $3 the position."""
    return f"WITH {successor(table, '$1', '$3', changes)} SELECT count(*) FROM next_{table}"


def _number(value: Any) -> Any:
    """A Decimal as a JSON number (jsonb keeps its digits)."""
    return float(value) if isinstance(value, Decimal) else value


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_number)
