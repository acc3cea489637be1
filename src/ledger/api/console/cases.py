"""The accountability cases resting on a finding (``GET /v1/accountability-cases``) as
steps of its timeline: the case opened, each sanction's steps (imposed, appealed, upheld,
modified, revoked), the case closed."""

from __future__ import annotations

from typing import Any

from ledger.api.console.render import zh
from ledger.api.console.timeline import Entry, Fact, facts_of

SANCTION_STEPS = {
    "imposed": "作出处理",
    "appealed": "提出申诉",
    "upheld": "维持原处理",
    "modified": "变更处理",
    "revoked": "撤销处理",
}


def from_cases(cases: list[dict[str, Any]]) -> list[Entry]:
    """Each case resting on the finding: opened, each sanction's steps, closed."""
    entries: list[Entry] = []
    for case in cases:
        who = Fact(
            "被问责人", case.get("person_name") or "", f"/console/persons/{case['person_id']}"
        )
        unit = Fact(
            "办理机关",
            case.get("handling_unit_name") or "",
            f"/console/units/{case['handling_unit_id']}",
        )
        case_link = Fact("案件", "查看记录", f"/console/records/case/{case['id']}")
        entries.append(
            Entry(
                case["opened_on"],
                "Case.Opened",
                "问责立案",
                basis=case.get("basis"),
                reason=case.get("reason"),
                facts=facts_of(who, unit, case_link),
            )
        )
        for sanction in case.get("sanctions", []):
            for step in sanction["steps"]:
                kind = zh(step["kind"], "sanction_kind")
                facts = [who, Fact("处理", kind)]
                if step.get("previous_kind"):
                    facts.insert(1, Fact("原处理", zh(step["previous_kind"], "sanction_kind")))
                entries.append(
                    Entry(
                        step["step_on"],
                        f"Sanction.{step['step']}",
                        SANCTION_STEPS.get(step["step"], step["step"]),
                        step.get("actor"),
                        step.get("basis"),
                        step.get("reason"),
                        facts_of(*facts),
                        step.get("position"),
                    )
                )
        if case.get("closed_on"):
            entries.append(
                Entry(
                    case["closed_on"], "Case.Closed", "问责结案", reason=case.get("closed_reason")
                )
            )
    return entries
