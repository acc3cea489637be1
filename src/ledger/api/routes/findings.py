"""Findings (问题): raise, attribute, and the loop to rectified, referred or dismissed."""

from __future__ import annotations

from ledger.api.commanding import command
from ledger.application.commands import (
    Attribute,
    CloseFinding,
    CorrectFinding,
    ExtendDeadline,
    PlanRectification,
    RaiseFinding,
    ReferFinding,
    RejectRectification,
    ReportProgress,
    VerifyRectification,
    WithdrawAttribution,
)

TAG = "findings"


command(
    "POST",
    "/v1/findings",
    "Raise a finding from an inspection or a clue; the chain on found_on answers for it",
    tag=TAG,
    body=RaiseFinding,
    status=201,
    handler=lambda ledger: ledger.findings.raise_finding,
)


command(
    "POST",
    "/v1/findings/{id}/attributions",
    "Attribute a finding to a person who held a post in the unit on found_on",
    tag=TAG,
    body=Attribute,
    handler=lambda ledger: ledger.findings.attribute,
    operation="attribute_finding",
)


command(
    "POST",
    "/v1/findings/{id}/attributions/{person_id}/withdraw",
    "Withdraw an attribution (never the principal liability)",
    tag=TAG,
    body=WithdrawAttribution,
    handler=lambda ledger: ledger.findings.withdraw_attribution,
)


command(
    "POST",
    "/v1/findings/{id}/rectification-plan",
    "Plan the rectification (整改), or plan it anew",
    tag=TAG,
    body=PlanRectification,
    handler=lambda ledger: ledger.findings.plan_rectification,
)


command(
    "POST",
    "/v1/findings/{id}/progress",
    "Report rectification progress; complete=true asks for verification",
    tag=TAG,
    body=ReportProgress,
    handler=lambda ledger: ledger.findings.report_progress,
)


command(
    "POST",
    "/v1/findings/{id}/verify",
    "Verify that the rectification is complete (整改到位)",
    tag=TAG,
    body=VerifyRectification,
    handler=lambda ledger: ledger.findings.verify_rectification,
)


command(
    "POST",
    "/v1/findings/{id}/reject",
    "Reject a rectification reported complete: back to rectifying",
    tag=TAG,
    body=RejectRectification,
    handler=lambda ledger: ledger.findings.reject_rectification,
)


command(
    "POST",
    "/v1/findings/{id}/extend-deadline",
    "Extend the rectification deadline, with an approver",
    tag=TAG,
    body=ExtendDeadline,
    handler=lambda ledger: ledger.findings.extend_deadline,
)


command(
    "POST",
    "/v1/findings/{id}/refer",
    "Refer a finding to a competent body for accountability (移送)",
    tag=TAG,
    body=ReferFinding,
    handler=lambda ledger: ledger.findings.refer_finding,
)


command(
    "POST",
    "/v1/findings/{id}/close",
    "Close a finding: rectified after verification, referred after referral, or dismissed",
    tag=TAG,
    body=CloseFinding,
    handler=lambda ledger: ledger.findings.close_finding,
)


command(
    "POST",
    "/v1/findings/{id}/correct",
    "Correct the description or severity of a finding as recorded (the old value stays)",
    tag=TAG,
    body=CorrectFinding,
    handler=lambda ledger: ledger.findings.correct_finding,
)
