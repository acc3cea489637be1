"""Findings (问题): raise, attribute, and the loop to rectified, referred or dismissed."""

from __future__ import annotations

from ledger.api.routing import RouteTable
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

routes = RouteTable("findings")


routes.command(
    "POST",
    "/v1/findings",
    "Raise a finding from an inspection or a clue; the chain on found_on answers for it",
    body=RaiseFinding,
    status=201,
    handler=lambda ledger: ledger.findings.raise_finding,
)


routes.command(
    "POST",
    "/v1/findings/{id}/attributions",
    "Attribute a finding to a person who held a post in the unit on found_on",
    body=Attribute,
    handler=lambda ledger: ledger.findings.attribute,
    operation="attribute_finding",
)


routes.command(
    "POST",
    "/v1/findings/{id}/attributions/{person_id}/withdraw",
    "Withdraw an attribution (never the principal liability)",
    body=WithdrawAttribution,
    handler=lambda ledger: ledger.findings.withdraw_attribution,
)


routes.command(
    "POST",
    "/v1/findings/{id}/rectification-plan",
    "Plan the rectification (整改), or plan it anew",
    body=PlanRectification,
    handler=lambda ledger: ledger.findings.plan_rectification,
)


routes.command(
    "POST",
    "/v1/findings/{id}/progress",
    "Report rectification progress; complete=true asks for verification",
    body=ReportProgress,
    handler=lambda ledger: ledger.findings.report_progress,
)


routes.command(
    "POST",
    "/v1/findings/{id}/verify",
    "Verify that the rectification is complete (整改到位)",
    body=VerifyRectification,
    handler=lambda ledger: ledger.findings.verify_rectification,
)


routes.command(
    "POST",
    "/v1/findings/{id}/reject",
    "Reject a rectification reported complete: back to rectifying",
    body=RejectRectification,
    handler=lambda ledger: ledger.findings.reject_rectification,
)


routes.command(
    "POST",
    "/v1/findings/{id}/extend-deadline",
    "Extend the rectification deadline, with an approver",
    body=ExtendDeadline,
    handler=lambda ledger: ledger.findings.extend_deadline,
)


routes.command(
    "POST",
    "/v1/findings/{id}/refer",
    "Refer a finding to a competent body for accountability (移送)",
    body=ReferFinding,
    handler=lambda ledger: ledger.findings.refer_finding,
)


routes.command(
    "POST",
    "/v1/findings/{id}/close",
    "Close a finding: rectified after verification, referred after referral, or dismissed",
    body=CloseFinding,
    handler=lambda ledger: ledger.findings.close_finding,
)


routes.command(
    "POST",
    "/v1/findings/{id}/correct",
    "Correct the description or severity of a finding as recorded (the old value stays)",
    body=CorrectFinding,
    handler=lambda ledger: ledger.findings.correct_finding,
)
