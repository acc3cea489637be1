"""The CSV of an evaluation reference, byte for byte: BOM, CRLF, quoting, Chinese text,
the cells' forms, and the rows each section makes."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.api.csv_export import COLUMNS, person_rows, render_csv, unit_rows
from ledger.domain.vocab import Liability, Role

BOM = b"\xef\xbb\xbf"
HEADER = ",".join(COLUMNS).encode() + b"\r\n"
ONE = UUID(int=1)
TWO = UUID(int=2)


def _line(**cells: str) -> bytes:
    """One expected line: the given cells (already in their CSV form), every other empty."""
    assert set(cells) <= set(COLUMNS)
    return ",".join(cells.get(column, "") for column in COLUMNS).encode() + b"\r\n"


def _parsed(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_no_rows_is_the_bom_and_the_header() -> None:
    assert render_csv([]) == BOM + HEADER


def test_commas_quotes_and_newlines_are_quoted_chinese_is_utf8() -> None:
    row = {
        "section": "role",
        "unit_name": "无锡市司法局",
        "title": '局长, "代理"',
        "person_name": "张三\n李四",
        "steps": "a\r\nb",
    }
    body = render_csv([row])
    assert body == BOM + HEADER + _line(
        section="role",
        unit_name="无锡市司法局",
        title='"局长, ""代理"""',
        person_name='"张三\n李四"',
        steps='"a\r\nb"',
    )
    assert "无锡市司法局".encode() in body  # UTF-8, not escaped
    (back,) = _parsed(body)
    assert {k: back[k] for k in row} == row


def test_cells_take_their_plain_forms() -> None:
    row = {
        "section": "finding",
        "id": ONE,
        "liability": Liability.DIRECT,
        "role": Role.PRINCIPAL,
        "found_on": date(2024, 4, 16),
        "overdue": True,
        "in_force": False,
        "days_overdue": 0,
        "year": 2024,
        "total": Decimal("90.50"),
        "grade": Decimal("88"),
        "timing": 0.25,
        "stage": None,
    }
    assert render_csv([row]) == BOM + HEADER + _line(
        section="finding",
        id="00000000-0000-0000-0000-000000000001",
        liability="direct",
        role="principal",
        found_on="2024-04-16",
        overdue="true",
        in_force="false",
        days_overdue="0",
        year="2024",
        total="90.5",
        grade="88",
        timing="0.25",
    )


def _case(sanctions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": TWO,
        "person_id": ONE,
        "person_name": "王五",
        "handling_unit_id": ONE,
        "handling_unit_name": "市纪委监委",
        "sanctions": sanctions,
    }


SANCTION = {
    "kind": "admonishment_talk",
    "original_kind": "party_discipline",
    "state": "modified",
    "steps": [
        {"step": "imposed", "step_on": date(2024, 9, 12), "kind": "party_discipline"},
        {"step": "modified", "step_on": date(2024, 10, 25), "kind": "admonishment_talk"},
    ],
}
ASSESSMENT = {"id": TWO, "year": 2024, "total": Decimal("87.5"), "earlier": [{"total": 90}]}


def test_a_person_reference_has_a_row_per_role_finding_step_sanction_and_assessment() -> None:
    answer = {
        "roles": [{"assignment_id": ONE, "unit_name": "无锡市司法局", "title": "局长"}],
        "findings": {"direct": [{"id": ONE}], "leadership": [{"id": TWO}]},
        "rectification": {"items": [{"id": TWO, "timing": "late"}]},
        "accountability": [_case([SANCTION]), _case([])],
        "assessments": [ASSESSMENT],
    }
    rows = list(person_rows(answer))
    assert [(r["section"], r.get("liability")) for r in rows] == [
        ("role", None),
        ("finding", "direct"),
        ("finding", "leadership"),
        ("rectification", None),
        ("sanction", None),
        ("sanction", None),
        ("assessment", None),
    ]
    assert rows[0]["id"] == ONE
    sanction, bare = rows[4], rows[5]
    assert sanction["steps"] == (
        "imposed 2024-09-12 party_discipline; modified 2024-10-25 admonishment_talk"
    )
    assert (sanction["case_id"], sanction["unit_name"], sanction["kind"]) == (
        TWO,
        "市纪委监委",
        "admonishment_talk",
    )
    assert "kind" not in bare and bare["case_id"] == TWO
    assert "earlier" not in rows[6]
    parsed = _parsed(render_csv(rows))
    assert [r["section"] for r in parsed] == [r["section"] for r in rows]
    assert parsed[4]["steps"] == sanction["steps"]
    assert parsed[6]["total"] == "87.5"


def test_a_unit_reference_has_principals_findings_sanctions_and_assessments() -> None:
    answer = {
        "principals": [{"assignment_id": ONE, "person_name": "赵六"}],
        "findings": {"items": [{"id": TWO, "severity": "high"}]},
        "accountability": [_case([SANCTION])],
        "assessments": [ASSESSMENT],
    }
    rows = list(unit_rows(answer))
    assert [r["section"] for r in rows] == ["role", "finding", "sanction", "assessment"]
    assert render_csv(rows).startswith(BOM + HEADER)
