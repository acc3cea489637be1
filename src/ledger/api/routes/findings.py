"""Findings (问题): raise, attribute, and the loop to rectified, referred or dismissed."""

from __future__ import annotations

from aiohttp import web

from ledger.api import schemas_loop as schemas
from ledger.api.http import command_answer, context, path_uuid, read_body
from ledger.api.keys import LEDGER
from ledger.api.routing import route

TAG = "findings"


@route(
    "POST",
    "/v1/findings",
    "Raise a finding from an inspection or a clue; the chain on found_on answers for it",
    tag=TAG,
    body=schemas.RaiseFinding,
    status=201,
)
async def raise_finding(request: web.Request) -> web.Response:
    body = await read_body(request, schemas.RaiseFinding)
    result = await request.app[LEDGER].raise_finding(
        context(request, body),
        unit_id=body.unit_id,
        inspection_id=body.inspection_id,
        clue_id=body.clue_id,
        category=body.category,
        severity=body.severity,
        description=body.description,
        found_on=body.found_on,
        deadline=body.deadline,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result, 201)


@route(
    "POST",
    "/v1/findings/{id}/attributions",
    "Attribute a finding to a person who held a post in the unit on found_on",
    tag=TAG,
    body=schemas.Attribute,
)
async def attribute_finding(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.Attribute)
    result = await request.app[LEDGER].attribute(
        context(request, body),
        finding_id,
        person_id=body.person_id,
        liability=body.liability,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/attributions/{person_id}/withdraw",
    "Withdraw an attribution (never the principal liability)",
    tag=TAG,
    body=schemas.WithdrawAttribution,
)
async def withdraw_attribution(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    person_id = path_uuid(request, "person_id")
    body = await read_body(request, schemas.WithdrawAttribution)
    result = await request.app[LEDGER].withdraw_attribution(
        context(request, body),
        finding_id,
        person_id=person_id,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/rectification-plan",
    "Plan the rectification (整改), or plan it anew",
    tag=TAG,
    body=schemas.PlanRectification,
)
async def plan_rectification(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.PlanRectification)
    result = await request.app[LEDGER].plan_rectification(
        context(request, body),
        finding_id,
        measures=body.measures,
        owner_person_id=body.owner_person_id,
        deadline=body.deadline,
        planned_on=body.planned_on,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/progress",
    "Report rectification progress; complete=true asks for verification",
    tag=TAG,
    body=schemas.ReportProgress,
)
async def report_progress(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.ReportProgress)
    result = await request.app[LEDGER].report_progress(
        context(request, body),
        finding_id,
        reported_on=body.reported_on,
        summary=body.summary,
        evidence=[item.model_dump() for item in body.evidence],
        complete=body.complete,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/verify",
    "Verify that the rectification is complete (整改到位)",
    tag=TAG,
    body=schemas.VerifyRectification,
)
async def verify_rectification(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.VerifyRectification)
    result = await request.app[LEDGER].verify_rectification(
        context(request, body),
        finding_id,
        verified_on=body.verified_on,
        note=body.note,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/reject",
    "Reject a rectification reported complete: back to rectifying",
    tag=TAG,
    body=schemas.RejectRectification,
)
async def reject_rectification(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.RejectRectification)
    result = await request.app[LEDGER].reject_rectification(
        context(request, body),
        finding_id,
        reason=body.reason,
        rejected_on=body.rejected_on,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/extend-deadline",
    "Extend the rectification deadline, with an approver",
    tag=TAG,
    body=schemas.ExtendDeadline,
)
async def extend_deadline(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.ExtendDeadline)
    result = await request.app[LEDGER].extend_deadline(
        context(request, body),
        finding_id,
        new_deadline=body.new_deadline,
        approver_person_id=body.approver_person_id,
        reason=body.reason,
        extended_on=body.extended_on,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/refer",
    "Refer a finding to a competent body for accountability (移送)",
    tag=TAG,
    body=schemas.ReferFinding,
)
async def refer_finding(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.ReferFinding)
    result = await request.app[LEDGER].refer_finding(
        context(request, body),
        finding_id,
        to_unit_id=body.to_unit_id,
        reason=body.reason,
        referred_on=body.referred_on,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/close",
    "Close a finding: rectified after verification, referred after referral, or dismissed",
    tag=TAG,
    body=schemas.CloseFinding,
)
async def close_finding(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.CloseFinding)
    result = await request.app[LEDGER].close_finding(
        context(request, body),
        finding_id,
        outcome=body.outcome,
        reason=body.reason,
        closed_on=body.closed_on,
        basis=body.basis,
    )
    return command_answer(request, result)


@route(
    "POST",
    "/v1/findings/{id}/correct",
    "Correct the description or severity of a finding as recorded (the old value stays)",
    tag=TAG,
    body=schemas.CorrectFinding,
)
async def correct_finding(request: web.Request) -> web.Response:
    finding_id = path_uuid(request)
    body = await read_body(request, schemas.CorrectFinding)
    result = await request.app[LEDGER].correct_finding(
        context(request, body),
        finding_id,
        field_name=body.field,
        new=body.new,
        reason=body.reason,
        basis=body.basis,
    )
    return command_answer(request, result)
