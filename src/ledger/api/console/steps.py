"""The steps of a finding's loop as forms: which the finding's stage and the caller's role
allow, their fields, and the command each posts (``api/resources/findings/commands.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.api.console.forms import BASIS, Field
from ledger.application.policy import allows
from ledger.domain.access import Role
from ledger.domain.loop import NEXT_STEPS
from ledger.domain.vocab import FindingStage


@dataclass(frozen=True)
class Step:
    name: str  # the step as the API's path and the loop's rules name it
    action: str  # the operation, as the policy names it
    title: str
    fields: tuple[Field, ...]
    button: str


REASON = Field("reason", "理由", "textarea", required=True)
STEPS = {
    step.name: step
    for step in (
        Step(
            "rectification-plan",
            "plan_rectification",
            "制定整改方案",
            (
                Field("measures", "整改措施", "textarea", required=True),
                Field("owner_person_id", "整改责任人", "select", options="owners"),
                Field("deadline", "方案完成时限", "date", hint="不晚于整改期限"),
                Field("planned_on", "制定日期", "date", today=True),
                BASIS,
            ),
            "提交整改方案",
        ),
        Step(
            "progress",
            "report_progress",
            "报告整改进展",
            (
                Field("reported_on", "报告日期", "date", required=True, today=True),
                Field("summary", "进展情况", "textarea", required=True),
                Field("evidence", "佐证材料", "lines", item="ref", hint="每行一份材料的文号或编号"),
                Field("complete", "整改已完成，申请验收", "checkbox"),
                BASIS,
            ),
            "提交进展",
        ),
        Step(
            "verify",
            "verify_rectification",
            "验收：整改到位",
            (
                Field("verified_on", "验收日期", "date", required=True, today=True),
                Field("note", "验收意见", "textarea"),
                BASIS,
            ),
            "验收通过",
        ),
        Step(
            "reject",
            "reject_rectification",
            "验收不通过：退回整改",
            (REASON, Field("rejected_on", "退回日期", "date", today=True), BASIS),
            "退回整改",
        ),
        Step(
            "extend-deadline",
            "extend_deadline",
            "延长整改期限",
            (
                Field("new_deadline", "新的整改期限", "date", required=True),
                Field("approver_person_id", "批准人", "select", required=True, options="approvers"),
                REASON,
                Field("extended_on", "批准日期", "date", today=True),
                BASIS,
            ),
            "批准延期",
        ),
        Step(
            "refer",
            "refer_finding",
            "移送问责",
            (
                Field("to_unit_id", "移送至", "select", required=True, options="bodies"),
                REASON,
                Field("referred_on", "移送日期", "date", today=True),
                BASIS,
            ),
            "移送",
        ),
        Step(
            "close",
            "close_finding",
            "办结（销号）",
            (
                Field("outcome", "结果", "select", required=True, options="outcomes"),
                Field("closed_on", "办结日期", "date", today=True),
                Field("reason", "说明", "textarea", hint="不予认定（撤销）时必填"),
                BASIS,
            ),
            "办结",
        ),
    )
}


def offered(stage: str, role: Role) -> list[Step]:
    """The steps the stage allows and the role may take, in the loop's order."""
    allowed = NEXT_STEPS[FindingStage(stage)]
    names = {step.split(":", 1)[0] for step in allowed}
    return [s for s in STEPS.values() if s.name in names and allows(role, s.action)]


def close_outcomes(stage: str) -> list[str]:
    """The outcomes a finding in ``stage`` may be closed with."""
    allowed = NEXT_STEPS[FindingStage(stage)]
    return [step.split(":", 1)[1] for step in allowed if step.startswith("close:")]
