"""The loop's forms on a finding's page: If-Match from the page, one command per form
however often it is sent, another person's change first said in words and never
overwritten, refused fields kept with their reasons, and no write without the CSRF field."""

from __future__ import annotations

from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient

from tests.api.test_loop_commands import Loop
from tests.conftest import Issue, log_count
from tests.console.conftest import Browse, Raise, hidden, page_text, submit


async def extensions(client: TestClient[Any, Any], finding: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/history/{finding}")
    assert answer.status == 200
    items = (await answer.json())["items"]
    return [i["data"] for i in items if i["type"] == "Finding.DeadlineExtended"]


def extend(form: dict[str, str], world: Loop, **fields: str) -> dict[str, str]:
    return (
        form
        | {
            "new_deadline": "2024-10-31",
            "approver_person_id": world.inspector,
            "reason": "涉及跨部门执法系统改造",
            "extended_on": "2024-08-20",
            "basis": "",
        }
        | fields
    )


async def test_the_second_of_two_editors_is_told_and_nothing_is_overwritten(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    first = await browse(issue("inspector", unit=loop_world.city, subject="inspector-a"))
    second = await browse(issue("inspector", unit=loop_world.city, subject="inspector-b"))
    action = f"/console/findings/{finding}/steps/extend-deadline"
    _, page_a = await page_text(first, f"/console/findings/{finding}")
    _, page_b = await page_text(second, f"/console/findings/{finding}")
    form_a, form_b = hidden(page_a, action), hidden(page_b, action)
    assert form_a["version"] == form_b["version"] and form_a["key"] != form_b["key"]

    status, target, _ = await submit(first, action, extend(form_a, loop_world))
    assert status == 303 and target.startswith(f"/console/findings/{finding}?done=extend-deadline")
    status, html = await page_text(first, target)
    assert "整改期限已延长。" in html and "原期限 <s>2024-08-31</s>" in html

    later = extend(form_b, loop_world, new_deadline="2025-03-31", reason="第二位督察人员的延期")
    status, _, html = await submit(second, action, later)
    assert status == 409
    assert "另一位用户已先修改了该问题" in html and "您的提交没有写入" in html
    assert "整改期限由 2024-08-31 改为 2024-10-31" in html
    assert "第二位督察人员的延期" in html  # the input kept, to send again deliberately
    assert f'name="version" value="{int(form_b["version"]) + 1}"' in html
    assert [e["new_deadline"] for e in await extensions(client, finding)] == ["2024-10-31"]


async def test_a_form_sent_twice_is_one_command(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    session = await browse(issue("inspector", unit=loop_world.city))
    action = f"/console/findings/{finding}/steps/extend-deadline"
    _, html = await page_text(session, f"/console/findings/{finding}")
    form = extend(hidden(html, action), loop_world)
    assert (await submit(session, action, form))[0] == 303
    assert (await submit(session, action, form))[0] == 303
    assert len(await extensions(client, finding)) == 1


async def test_a_post_without_the_csrf_field_is_refused_and_writes_nothing(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    pool: asyncpg.Pool,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    session = await browse(issue("inspector", unit=loop_world.city))
    action = f"/console/findings/{finding}/steps/extend-deadline"
    _, html = await page_text(session, f"/console/findings/{finding}")
    form = extend(hidden(html, action), loop_world)
    before = await log_count(pool)
    for forged in ({k: v for k, v in form.items() if k != "csrf"}, form | {"csrf": "0" * 40}):
        status, _, text = await submit(session, action, forged)
        assert status == 403 and "CSRF" in text
    async with session.post(
        action, data=form, headers={"Origin": "https://evil.example"}
    ) as answer:
        assert answer.status == 403
    assert await log_count(pool) == before


async def test_refused_fields_keep_the_input_with_reasons_in_chinese(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    session = await browse(issue("inspector", unit=loop_world.city))
    action = f"/console/findings/{finding}/steps/extend-deadline"
    _, html = await page_text(session, f"/console/findings/{finding}")
    form = hidden(html, action)

    early = extend(form, loop_world, new_deadline="2024-06-30", reason="理由：系统改造未完成")
    status, _, html = await submit(session, action, early)
    assert status == 422
    assert "新期限应晚于当前期限（2024-08-31）" in html
    assert "理由：系统改造未完成" in html and 'value="2024-06-30"' in html

    status, _, html = await submit(
        session, action, extend(form, loop_world, new_deadline="2024-13-45")
    )
    assert status == 422 and "日期格式应为 年-月-日" in html

    status, _, html = await submit(session, action, extend(form, loop_world, reason=""))
    assert status == 422 and "此项必填" in html
    assert await extensions(client, finding) == []


async def test_a_step_the_role_may_not_take_is_refused_in_words(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    """The unit's officer posts an inspector's step (the page offers it no such form)."""
    finding = await raise_finding()
    inspector = await browse(issue("inspector", unit=loop_world.city))
    officer = await browse(issue("unit_officer", unit=loop_world.bureau))
    action = f"/console/findings/{finding}/steps/extend-deadline"
    _, html = await page_text(inspector, f"/console/findings/{finding}")
    form = extend(hidden(html, action), loop_world)
    _, officer_page = await page_text(officer, f"/console/findings/{finding}")
    form["csrf"] = hidden(officer_page, f"/console/findings/{finding}/steps/rectification-plan")[
        "csrf"
    ]
    status, _, html = await submit(officer, action, form)
    assert status == 403 and "您的账号不能延长整改期限" in html
    assert await extensions(client, finding) == []


async def test_the_unit_plans_from_the_page(
    client: TestClient[Any, Any],
    loop_world: Loop,
    issue: Issue,
    browse: Browse,
    raise_finding: Raise,
) -> None:
    finding = await raise_finding()
    officer = await browse(issue("unit_officer", unit=loop_world.bureau))
    action = f"/console/findings/{finding}/steps/rectification-plan"
    _, html = await page_text(officer, f"/console/findings/{finding}")
    assert "孙副局长" in html  # offered as the plan's owner
    form = hidden(html, action) | {
        "measures": "逐卷补齐法制审核意见",
        "owner_person_id": loop_world.deputy,
        "planned_on": "2024-06-01",
    }
    status, target, _ = await submit(officer, action, form)
    assert status == 303, _
    _, html = await page_text(officer, target)
    assert "整改方案已记录。" in html and "逐卷补齐法制审核意见" in html
    assert "报告整改进展" in html  # the next step the unit may take
