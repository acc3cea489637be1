"""The inspector's desk: the clues waiting for triage, triage from the page (into a finding,
or dismissed with a reason), the inspections, and a unit's officer refused in words."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from tests.api.test_bad_inputs import post
from tests.api.test_loop_commands import Loop
from tests.conftest import Issue
from tests.console.conftest import Browse, Raise, hidden, page_text, submit

Project = Callable[[], Awaitable[int]]


async def received_clue(client: TestClient[Any, Any], world: Loop, project: Project) -> str:
    body = {
        "source": "hotline_12345",
        "external_id": "JS12345-2024-0601-000123",
        "summary": "市民反映司法局行政处罚未告知陈述申辩权利",
        "received_at": "2024-06-01T09:30:00+08:00",
        "unit_id": world.bureau,
    }
    clue = str((await post(client, "/v1/clues", body, {}))["id"])
    await project()
    return clue


async def clue_status(
    client: TestClient[Any, Any], clue: str, at: str | None = None
) -> dict[str, Any]:
    answer = await client.get(f"/v1/clues/{clue}" + (f"?min_position={at}" if at else ""))
    assert answer.status == 200
    return dict(await answer.json())


def raise_form(form: dict[str, str], world: Loop, **fields: str) -> dict[str, str]:
    return (
        form
        | {
            "unit_id": world.bureau,
            "category": "law_enforcement",
            "severity": "medium",
            "description": "行政处罚未告知当事人陈述申辩权利",
            "found_on": "2024-06-10",
            "deadline": "2024-09-30",
            "basis": "锡委法办〔2024〕31号",
        }
        | fields
    )


async def test_an_inspector_triages_a_clue_into_a_finding(
    client: TestClient[Any, Any], loop_world: Loop, issue: Issue, browse: Browse, project: Project
) -> None:
    clue = await received_clue(client, loop_world, project)
    session = await browse(issue("inspector", unit=loop_world.city))
    status, html = await page_text(session, "/console/desk")
    assert status == 200
    assert "市民反映司法局行政处罚未告知陈述申辩权利" in html and "12345热线" in html
    assert "2024年度法治政府建设督察" in html  # the inspections in the jurisdiction
    forms = html.split('name="outcome" value="')
    assert len(forms) == 3  # 立为问题 and 不予立项
    form = hidden(html, f"/console/clues/{clue}/triage")
    assert form["outcome"] == "finding" and form["version"] == "1"

    status, target, _ = await submit(
        session, f"/console/clues/{clue}/triage", raise_form(form, loop_world)
    )
    assert status == 303 and target.startswith("/console/findings/"), _
    finding = target.split("/")[3].split("?")[0]
    at = target.rsplit("at=", 1)[1]
    answer = await client.get(f"/v1/findings/{finding}?min_position={at}")
    raised = await answer.json()
    assert raised["source"] == {"kind": "clue", "id": clue}
    assert raised["description"] == "行政处罚未告知当事人陈述申辩权利"
    assert (await clue_status(client, clue, at))["finding_id"] == finding
    _, html = await page_text(session, target)
    assert "线索已立为问题。" in html and "行政处罚未告知当事人陈述申辩权利" in html
    _, html = await page_text(session, "/console/desk")
    assert "没有待分办的线索。" in html


async def test_refused_triage_keeps_the_input_and_a_dismissal_needs_a_reason(
    client: TestClient[Any, Any], loop_world: Loop, issue: Issue, browse: Browse, project: Project
) -> None:
    clue = await received_clue(client, loop_world, project)
    session = await browse(issue("inspector", unit=loop_world.city))
    _, html = await page_text(session, "/console/desk")
    action = f"/console/clues/{clue}/triage"
    form = hidden(html, action)
    late = raise_form(form, loop_world, deadline="2024-06-01", description="整改期限早于发现日期")
    status, _, html = await submit(session, action, late)
    assert status == 422
    assert "应晚于发现日期（2024-06-10）" in html and "整改期限早于发现日期" in html

    dismiss = form | {"outcome": "dismissed", "reason": ""}
    status, _, html = await submit(session, action, dismiss)
    assert status == 422 and "请说明理由" in html
    assert (await clue_status(client, clue))["outcome"] is None

    status, target, _ = await submit(session, action, dismiss | {"reason": "经核实系重复反映"})
    assert status == 303 and target.startswith("/console/desk?done=dismissed")
    _, html = await page_text(session, target)
    assert "线索已作不予立项处理。" in html
    at = target.rsplit("at=", 1)[1]
    assert (await clue_status(client, clue, at))["outcome"] == "dismissed"


async def test_a_unit_officer_cannot_triage(
    client: TestClient[Any, Any], loop_world: Loop, issue: Issue, browse: Browse, project: Project
) -> None:
    clue = await received_clue(client, loop_world, project)
    officer = await browse(issue("unit_officer", unit=loop_world.bureau))
    status, html = await page_text(officer, "/console/desk")
    assert status == 200
    assert "您的角色不能查看和分办线索" in html and "本单位待整改的问题" in html
    inspector = await browse(issue("inspector", unit=loop_world.city))
    _, inspector_page = await page_text(inspector, "/console/desk")
    form = raise_form(hidden(inspector_page, f"/console/clues/{clue}/triage"), loop_world)
    form["csrf"] = hidden(html, "/console/logout")["csrf"]
    status, _, html = await submit(officer, f"/console/clues/{clue}/triage", form)
    assert status == 403 and "您的账号不能分办线索" in html
    assert (await clue_status(client, clue))["outcome"] is None


async def test_an_inspection_page_lists_its_findings_with_their_stages(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    session = await browse(issue("inspector", unit=loop_world.city))
    status, html = await page_text(session, f"/console/inspections/{loop_world.inspection}")
    assert status == 200
    assert "2024年度法治政府建设督察" in html and "市委依法治市办" in html
    assert f'href="/console/findings/{finding}"' in html
    assert "待整改" in html and "逾期" in html
    status, html = await page_text(
        session, "/console/inspections/00000000-0000-4000-8000-000000000000"
    )
    assert status == 404 and "未找到" in html
