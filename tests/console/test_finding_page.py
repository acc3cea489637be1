"""A finding's page: its story step by step with each document (文号), responsible then and
now, and what the page says to a reader who may not see the audit trail."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.api.test_bad_inputs import post
from tests.api.test_loop_commands import Loop
from tests.conftest import Issue
from tests.console.conftest import Browse, Raise, page_text

STEPS = {
    "rectification-plan": {
        "measures": "逐卷补齐法制审核意见，建立执法全过程记录台账",
        "owner_person_id": None,
        "planned_on": "2024-06-01",
        "basis": "锡司发〔2024〕11号",
    },
    "extend-deadline": {
        "new_deadline": "2024-10-31",
        "reason": "涉及跨部门执法系统改造",
        "approver_person_id": None,
        "extended_on": "2024-08-20",
        "basis": "锡委法办函〔2024〕22号",
    },
    "progress": {
        "reported_on": "2024-10-15",
        "summary": "执法记录系统已上线，案卷全部补正",
        "evidence": [{"ref": "锡司发〔2024〕33号"}],
        "complete": True,
        "basis": "锡司报〔2024〕33号",
    },
    "verify": {
        "verified_on": "2024-10-25",
        "note": "抽查10卷，均合规",
        "basis": "锡委法办〔2024〕44号",
    },
    "close": {"outcome": "rectified", "closed_on": "2024-10-28", "basis": "锡委法办〔2024〕45号"},
}


async def walked_loop(
    client: TestClient[Any, Any], world: Loop, raise_finding: Raise
) -> tuple[str, int]:
    """A finding through every step of the loop to closed, each on its own document; and
    the position of the last step."""
    finding = await raise_finding(basis="锡委法办〔2024〕9号")
    position = 0
    for step, body in STEPS.items():
        if "owner_person_id" in body:
            body = body | {"owner_person_id": world.deputy}
        if "approver_person_id" in body:
            body = body | {"approver_person_id": world.inspector}
        position = (await post(client, f"/v1/findings/{finding}/{step}", body, {}))["position"]
    return finding, position


async def test_the_timeline_shows_each_step_with_its_document(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding, position = await walked_loop(client, loop_world, raise_finding)
    session = await browse(issue("admin"))
    status, html = await page_text(session, f"/console/findings/{finding}?at={position}")
    assert status == 200, html
    for title in (
        "发现问题",
        "制定整改方案",
        "延长整改期限",
        "报告整改完成，申请验收",
        "验收：整改到位",
        "办结（销号）",
    ):
        assert title in html
    for document in (
        "锡委法办〔2024〕9号",
        "锡司发〔2024〕11号",
        "锡委法办函〔2024〕22号",
        "锡司报〔2024〕33号",
        "锡委法办〔2024〕44号",
        "锡委法办〔2024〕45号",
    ):
        assert document in html
    # The chain that answered for it, the extension's approver, the original deadline kept.
    assert "按责任链条认定（主体责任）" in html and "钱局长" in html and "孙副局长" in html
    assert "批准人" in html and "周督察" in html
    assert "原期限 <s>2024-08-31</s>" in html and "2024-10-31" in html
    assert "经办：tester" in html
    assert f'href="/console/records/finding/{finding}"' in html
    assert f'href="/console/units/{loop_world.bureau}"' in html
    assert "该问题已办结，没有待办环节。" in html


async def test_overdue_days_and_responsible_now(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    session = await browse(issue("inspector", unit=loop_world.city))
    status, html = await page_text(session, f"/console/findings/{finding}")
    assert status == 200, html
    assert "已逾期" in html and "天" in html
    assert "该岗位现任" in html and "（仍在任）" in html
    # The inspector reads the audit trail: each step with who took it.
    assert "您的角色不能查阅审计记录" not in html
    assert "发现问题" in html and "2024-05-10" in html
    # The inspector's steps on a raised finding; not the unit's plan.
    assert "延长整改期限" in html and "移送问责" in html and "办结（销号）" in html
    assert "制定整改方案" not in html
    # The unit's officer may not read the trail: the page says so, and shows the dates.
    officer = await browse(issue("unit_officer", unit=loop_world.bureau))
    status, html = await page_text(officer, f"/console/findings/{finding}")
    assert status == 200, html
    assert "您的角色不能查阅审计记录" in html
    assert "发现问题" in html and "2024-05-10" in html
    assert "制定整改方案" in html and "延长整改期限" not in html


async def test_unknown_and_malformed_ids_are_said_in_words(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    session = await browse(issue("inspector", unit=loop_world.city))
    status, html = await page_text(
        session, "/console/findings/00000000-0000-4000-8000-000000000000"
    )
    assert status == 404 and "未找到" in html
    status, html = await page_text(session, "/console/findings/not-a-finding")
    assert status == 422 and "填写有误" in html


async def test_outside_the_jurisdiction_is_refused_in_words(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    session = await browse(issue("inspector", unit=loop_world.discipline))
    status, html = await page_text(session, f"/console/findings/{finding}")
    assert status in (403, 404)
    assert "不在您的管辖范围" in html or "无权" in html
