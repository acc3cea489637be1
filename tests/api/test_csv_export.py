"""The CSV of an evaluation reference, byte for byte: BOM, CRLF, quoting, Chinese headers,
codes by their labels, the cells' forms, and the rows each section makes."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.api.csv_export import label, render_csv
from ledger.api.resources.reports.evaluation_csv import COLUMNS, person_rows, unit_rows
from ledger.domain.labels import LABELS
from ledger.domain.vocab import Category, Liability, Severity

BOM = b"\xef\xbb\xbf"
KEYS = [key for key, _ in COLUMNS]
HEADER = ",".join(header for _, header in COLUMNS).encode() + b"\r\n"
ONE = UUID(int=1)
TWO = UUID(int=2)


def _line(**cells: str) -> bytes:
    """One expected line: the given cells (already in their CSV form), every other empty."""
    assert set(cells) <= set(KEYS)
    return ",".join(cells.get(key, "") for key in KEYS).encode() + b"\r\n"


def _parsed(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_no_rows_is_the_bom_and_the_chinese_header() -> None:
    assert render_csv(COLUMNS, []) == BOM + HEADER
    assert HEADER.decode().startswith("类别,账本位置,记录编号,单位,")
    assert "问题描述" in HEADER.decode() and HEADER.decode().endswith("文号\r\n")


def test_commas_quotes_and_newlines_are_quoted_chinese_is_utf8() -> None:
    row = {
        "section": "任职",
        "unit_name": "无锡市司法局",
        "title": '局长, "代理"',
        "person_name": "张三\n李四",
        "steps": "a\r\nb",
    }
    body = render_csv(COLUMNS, [row])
    assert body == BOM + HEADER + _line(
        section="任职",
        unit_name="无锡市司法局",
        title='"局长, ""代理"""',
        person_name='"张三\n李四"',
        steps='"a\r\nb"',
    )
    (back,) = _parsed(body)
    assert {back[header]: header for key, header in COLUMNS if key in row} == {
        "任职": "类别",
        "无锡市司法局": "单位",
        '局长, "代理"': "职务",
        "张三\n李四": "姓名",
        "a\r\nb": "处理过程",
    }


def test_cells_take_their_plain_forms() -> None:
    row = {
        "id": ONE,
        "found_on": date(2024, 4, 16),
        "overdue": True,
        "in_force": False,
        "days_overdue": 0,
        "total": Decimal("90.50"),
        "documents": ["锡法督〔2024〕3号", "锡法督〔2024〕3号", "锡司发〔2024〕41号"],
    }
    assert render_csv(COLUMNS, [row]) == BOM + HEADER + _line(
        id="00000000-0000-0000-0000-000000000001",
        found_on="2024-04-16",
        overdue="是",
        in_force="否",
        days_overdue="0",
        total="90.5",
        documents="锡法督〔2024〕3号；锡司发〔2024〕41号",
    )


def test_a_code_shows_its_label_of_the_one_table() -> None:
    assert label(Category, "law_enforcement") == LABELS[Category]["law_enforcement"] == "行政执法"
    assert label(Severity, Severity.HIGH) == "严重"
    assert label(Liability, None) is None


FINDING = {
    "id": ONE,
    "category": "law_enforcement",
    "severity": "high",
    "description": "行政执法“三项制度”落实不到位",
    "stage": "closed",
    "outcome": "rectified",
    "timing": "late",
    "overdue": False,
    "basis": "锡法督〔2024〕11号",
    "documents": ["锡法督〔2024〕11号", "锡司发〔2024〕41号"],
}
STEPS = [
    {
        "step": "imposed",
        "step_on": date(2024, 9, 12),
        "kind": "party_discipline",
        "reason": "未按期整改",
        "basis": "锡纪发〔2024〕9号",
    },
    {"step": "appealed", "step_on": date(2024, 9, 20), "kind": "party_discipline"}
    | {"reason": "申诉", "basis": None},
    {
        "step": "modified",
        "step_on": date(2024, 10, 25),
        "kind": "admonishment_talk",
        "reason": "复核后改为诫勉",
        "basis": "锡纪发〔2024〕12号",
    },
]
SANCTION = {
    "id": TWO,
    "kind": "admonishment_talk",
    "original_kind": "party_discipline",
    "state": "modified",
    "in_force": True,
    "decided_on": date(2024, 10, 25),
    "basis": "锡纪发〔2024〕9号",
    "steps": STEPS,
}


def _case(sanctions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": TWO,
        "person_id": ONE,
        "person_name": "王五",
        "handling_unit_id": ONE,
        "handling_unit_name": "市纪委监委",
        "opened_on": date(2024, 9, 1),
        "reason": "整改不力",
        "basis": "锡纪立〔2024〕3号",
        "sanctions": sanctions,
    }


ASSESSMENT = {"id": TWO, "year": 2024, "total": Decimal("87.5"), "grade": "good"}
ASSESSMENT |= {"basis": "锡考〔2025〕1号", "earlier": [{"total": 90}]}
ROLE = {"assignment_id": ONE, "unit_name": "无锡市司法局", "title": "局长", "role": "principal"}
ROLE |= {"principal_title": "unit_head", "end_reason": "transferred"}


def test_a_person_reference_has_a_row_per_role_finding_step_sanction_and_assessment() -> None:
    answer = {
        "position": 42,
        "roles": [ROLE],
        "findings": {"direct": [FINDING], "leadership": [FINDING | {"id": TWO}]},
        "rectification": {"items": [FINDING]},
        "accountability": [_case([SANCTION]), _case([])],
        "assessments": [ASSESSMENT],
    }
    rows = _parsed(render_csv(COLUMNS, person_rows(answer)))
    assert [(r["类别"], r["责任类型"]) for r in rows] == [
        ("任职", ""),
        ("问题", "直接责任"),
        ("问题", "领导责任"),
        ("整改", ""),
        ("问责", ""),
        ("问责", ""),
        ("考核", ""),
    ]
    assert {r["账本位置"] for r in rows} == {"42"}
    role = rows[0]
    assert (role["记录编号"], role["岗位类别"], role["主要负责人类别"], role["离任原因"]) == (
        str(ONE),
        "主要负责人",
        "单位主要负责人",
        "调任",
    )
    finding = rows[1]
    assert finding["问题描述"] == "行政执法“三项制度”落实不到位"
    assert (finding["问题类别"], finding["严重程度"], finding["办理阶段"]) == (
        "行政执法",
        "严重",
        "已办结",
    )
    assert (finding["办结结果"], finding["整改时效"], finding["是否逾期"]) == (
        "整改到位",
        "逾期整改",
        "否",
    )
    assert finding["文号"] == "锡法督〔2024〕11号；锡司发〔2024〕41号"
    sanction, bare = rows[4], rows[5]
    assert (sanction["问责案件编号"], sanction["单位"], sanction["问责事由"]) == (
        str(TWO),
        "市纪委监委",
        "整改不力",
    )
    assert (sanction["处理方式"], sanction["原处理方式"], sanction["处理状态"]) == (
        "诫勉",
        "党纪处分",
        "变更",
    )
    assert sanction["处理事由"] == "已作出：未按期整改；申诉中：申诉；变更：复核后改为诫勉"
    assert sanction["处理过程"] == (
        "2024-09-12 已作出 党纪处分（锡纪发〔2024〕9号）；2024-09-20 申诉中；"
        "2024-10-25 变更 诫勉（锡纪发〔2024〕12号）"
    )
    assert sanction["文号"] == "锡纪立〔2024〕3号；锡纪发〔2024〕9号；锡纪发〔2024〕12号"
    assert (bare["处理方式"], bare["文号"], bare["问责案件编号"]) == (
        "",
        "锡纪立〔2024〕3号",
        str(TWO),
    )
    assessment = rows[6]
    assert (assessment["总分"], assessment["等次"], assessment["文号"]) == (
        "87.5",
        "良好",
        "锡考〔2025〕1号",
    )


def test_a_unit_reference_has_principals_findings_sanctions_and_assessments() -> None:
    answer = {
        "position": 7,
        "principals": [ROLE | {"person_name": "赵六"}],
        "findings": {"items": [FINDING]},
        "accountability": [_case([SANCTION])],
        "assessments": [ASSESSMENT],
    }
    rows = list(unit_rows(answer))
    assert [r["section"] for r in rows] == ["任职", "问题", "问责", "考核"]
    assert render_csv(COLUMNS, rows).startswith(BOM + HEADER)
