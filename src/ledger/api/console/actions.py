"""A step of a finding's loop taken from its page: the form posted, the command sent to the
API with ``If-Match`` (the version the form was drawn from) and the form's
``Idempotency-Key``, then Post/Redirect/Get back to the finding.

A refusal re-renders the finding as it stands now: another person's change first (412) is
said in words with what changed, and nothing is overwritten; a field refused (422) keeps
what was typed, with the reason beside the field.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ledger.api.console import upstream
from ledger.api.console.findings import finding_context
from ledger.api.console.forms import body_of, field_errors, fresh_key, posted
from ledger.api.console.render import STATUS_WORDS, problem_page, render, zh
from ledger.api.console.session import Session, SignInNeeded, check_form, current, login_url
from ledger.api.console.steps import STEPS, Step
from ledger.api.console.upstream import UpstreamError


async def take_step(request: web.Request) -> web.StreamResponse:
    try:
        session = await current(request)
    except SignInNeeded as needed:
        raise web.HTTPSeeOther(login_url(request, needed.reason)) from None
    form = posted(await request.post())
    check_form(request, session, form)
    finding_id, step = request.match_info["id"], STEPS.get(request.match_info["step"])
    if step is None:
        raise web.HTTPNotFound(text="没有这一办理环节。")
    version = form.get("version", "")
    try:
        if not version.isdigit():
            raise UpstreamError(
                428, "Precondition required", "表单缺少记录版本，请刷新页面后重新填写。"
            )
        answer = await upstream.call(
            request,
            "POST",
            f"/v1/findings/{finding_id}/{step.name}",
            session.token,
            body=body_of(step.fields, form),
            headers={"If-Match": f'"{version}"', "Idempotency-Key": form.get("key") or fresh_key()},
        )
    except UpstreamError as refused:
        return await _refused(request, session, finding_id, step, form, refused)
    position = answer.json().get("position", "")
    raise web.HTTPSeeOther(f"/console/findings/{finding_id}?done={step.name}&at={position}")


async def _refused(
    request: web.Request,
    session: Session,
    finding_id: str,
    step: Step,
    form: dict[str, str],
    refused: UpstreamError,
) -> web.StreamResponse:
    if refused.status == 401:
        raise web.HTTPSeeOther(login_url(request, refused.detail))
    try:
        context = await finding_context(request, session, finding_id)
    except UpstreamError as unreadable:
        return problem_page(request, session, unreadable if refused.status < 500 else refused)
    finding = context["finding"]
    still_offered = any(s.name == step.name for s in context["steps"])
    keep = {"inputs": form, "open_step": step.name} if still_offered else {}
    status = refused.status
    if status == 412:
        lines = _changed(context, form, step)
        context |= keep | {"problem": {"heading": "另一位用户已先修改了该问题", "lines": lines}}
        status = 409
    elif status == 422 or (status == 409 and _names_fields(refused, step)):
        context |= keep | {"errors": field_errors(refused, step.fields)}
        context["errors"].setdefault("", "请按提示修改后重新提交。")
        status = 422
    elif status == 409:
        stage = zh(finding["stage"], "finding_stage")
        lines = [
            f"该问题现处于“{stage}”环节，不能{step.title}。可能已有他人先办理了这一步，请核对下面的最新情况。"
        ]
        context |= {"problem": {"heading": "当前环节不能办理此事项", "lines": lines}}
    elif status == 403:
        lines = [
            f"您的账号不能{step.title}：所属角色或管辖范围不包括这项操作。",
            "如确有工作需要，请联系系统管理员调整授权。",
        ]
        context |= {"problem": {"heading": STATUS_WORDS[403], "lines": lines}}
    else:
        words = refused.detail if status == 428 else "请稍后重试。"
        context |= {"problem": {"heading": STATUS_WORDS.get(status, "出错了"), "lines": [words]}}
    base = {"session": session, "q": "", "path": request.path}
    return render(request, "finding.html", base | context, status=status)


def _names_fields(refused: UpstreamError, step: Step) -> bool:
    names = {f.name for f in step.fields}
    return any(str(e.get("field", "")).split(".", 1)[0] in names for e in refused.errors)


def _changed(context: dict[str, Any], form: dict[str, str], step: Step) -> list[str]:
    """What another person changed since the form was drawn: the events after its version
    (who, what, when) when the audit trail is readable, and the stage and the deadline."""
    finding = context["finding"]
    seen = int(form.get("version", "0") or 0)
    lines = [
        f"您的“{step.title}”是在第 {seen} 版记录上填写的；提交前，该问题已被更新为第"
        f" {finding['version']} 版。您的提交没有写入，现有记录也没有被覆盖。"
    ]
    newer = [e for e in context["timeline"] if e.version is not None and e.version > seen]
    for entry in newer:
        actor = f"（经办：{entry.actor}）" if entry.actor else ""
        lines.append(f"期间的变化：{entry.day} {entry.title}{actor}")
    if form.get("seen_stage") and form["seen_stage"] != finding["stage"]:
        was, now = (
            zh(form["seen_stage"], "finding_stage"),
            zh(finding["stage"], "finding_stage"),
        )
        lines.append(f"期间的变化：环节由“{was}”变为“{now}”。")
    if form.get("seen_deadline") and form["seen_deadline"] != finding["deadline"]:
        lines.append(f"期间的变化：整改期限由 {form['seen_deadline']} 改为 {finding['deadline']}。")
    lines.append("请核对下面的最新情况，确需办理的，再提交一次。")
    return lines
