"""An evaluation reference (考核评价参考) as the one table a personnel department files:
a 类别 column (任职, 问题, 整改, 问责, 考核), then every field any of them has, under
Chinese headers, codes by their labels, the documents (文号) each row rests on, and on
every row the ledger position the reference reflects.

Pure: ``person_rows`` and ``unit_rows`` flatten the JSON answer into rows for
``csv_export.render_csv`` with ``COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger.api.csv_export import Column, joined, label
from ledger.domain import vocab as v

COLUMNS: list[Column] = [
    ("section", "类别"),
    ("position", "账本位置"),
    ("id", "记录编号"),
    ("unit_name", "单位"),
    ("unit_id", "单位编号"),
    ("person_name", "姓名"),
    ("person_id", "人员编号"),
    ("role", "岗位类别"),
    ("title", "职务"),
    ("principal_title", "主要负责人类别"),
    ("effective_from", "任职起始日"),
    ("effective_to", "离任日期"),
    ("end_reason", "离任原因"),
    ("liability", "责任类型"),
    ("automatic", "按责任链认定"),
    ("category", "问题类别"),
    ("severity", "严重程度"),
    ("description", "问题描述"),
    ("found_on", "发现日期"),
    ("original_deadline", "原整改期限"),
    ("deadline", "现整改期限"),
    ("stage", "办理阶段"),
    ("outcome", "办结结果"),
    ("verified_on", "验收日期"),
    ("closed_on", "办结日期"),
    ("timing", "整改时效"),
    ("overdue", "是否逾期"),
    ("days_overdue", "逾期天数"),
    ("case_id", "问责案件编号"),
    ("opened_on", "立案日期"),
    ("case_reason", "问责事由"),
    ("kind", "处理方式"),
    ("original_kind", "原处理方式"),
    ("state", "处理状态"),
    ("in_force", "是否有效"),
    ("decided_on", "决定日期"),
    ("sanction_reason", "处理事由"),
    ("steps", "处理过程"),
    ("year", "考核年度"),
    ("indicator_set_name", "指标体系"),
    ("total", "总分"),
    ("grade", "等次"),
    ("documents", "文号"),
]
SECTIONS = {
    "role": "任职",
    "finding": "问题",
    "rectification": "整改",
    "sanction": "问责",
    "assessment": "考核",
}


def _role(role: dict[str, Any]) -> dict[str, Any]:
    return role | {
        "section": SECTIONS["role"],
        "id": role["assignment_id"],
        "role": label(v.Role, role["role"]),
        "principal_title": label(v.PrincipalTitle, role["principal_title"]),
        "end_reason": label(v.EndReason, role["end_reason"]),
    }


def _finding(section: str, item: dict[str, Any], liability: str | None = None) -> dict[str, Any]:
    return item | {
        "section": SECTIONS[section],
        "liability": label(v.Liability, liability),
        "category": label(v.Category, item["category"]),
        "severity": label(v.Severity, item["severity"]),
        "stage": label(v.FindingStage, item["stage"]),
        "outcome": label(v.Outcome, item["outcome"]),
        "timing": label(v.RectificationTiming, item["timing"]),
        "documents": joined([item.get("basis"), *item.get("documents", [])]),
    }


def _step(step: dict[str, Any]) -> str:
    done = f"{step['step_on'].isoformat()} {label(v.SanctionState, step['step'])}"
    kind = f" {label(v.SanctionKind, step['kind'])}" if step["step"] != "appealed" else ""
    return done + kind + (f"（{step['basis']}）" if step["basis"] else "")


def _sanctions(cases: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One row per sanction (a case with none: one row for the case), its steps and
    their reasons each in a cell."""
    for case in cases:
        head = {
            "section": SECTIONS["sanction"],
            "case_id": case["id"],
            "person_id": case["person_id"],
            "person_name": case["person_name"],
            "unit_id": case["handling_unit_id"],
            "unit_name": case["handling_unit_name"],
            "opened_on": case["opened_on"],
            "case_reason": case["reason"],
            "documents": joined([case["basis"]]),
        }
        if not case["sanctions"]:
            yield head
        for sanction in case["sanctions"]:
            steps = sanction["steps"]
            reasons = (
                f"{label(v.SanctionState, s['step'])}：{s['reason']}" for s in steps if s["reason"]
            )
            yield head | {
                "id": sanction["id"],
                "kind": label(v.SanctionKind, sanction["kind"]),
                "original_kind": label(v.SanctionKind, sanction["original_kind"]),
                "state": label(v.SanctionState, sanction["state"]),
                "in_force": sanction["in_force"],
                "decided_on": sanction["decided_on"],
                "sanction_reason": joined(reasons),
                "steps": joined(_step(s) for s in steps),
                "documents": joined(
                    [case["basis"], sanction["basis"], *(s["basis"] for s in steps)]
                ),
            }


def _assessments(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield {key: value for key, value in item.items() if key != "earlier"} | {
            "section": SECTIONS["assessment"],
            "grade": label(v.Grade, item["grade"]),
            "documents": joined([item.get("basis")]),
        }


def _positioned(answer: dict[str, Any], rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row | {"position": answer["position"]}


def _person(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from (_role(r) for r in answer["roles"])
    for liability, items in answer["findings"].items():
        yield from (_finding("finding", item, liability) for item in items)
    yield from (_finding("rectification", item) for item in answer["rectification"]["items"])
    yield from _sanctions(answer["accountability"])
    yield from _assessments(answer["assessments"])


def _unit(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from (_role(r) for r in answer["principals"])
    yield from (_finding("finding", item) for item in answer["findings"]["items"])
    yield from _sanctions(answer["accountability"])
    yield from _assessments(answer["assessments"])


def person_rows(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return _positioned(answer, _person(answer))


def unit_rows(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return _positioned(answer, _unit(answer))
