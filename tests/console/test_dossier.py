"""A person's dossier: the purpose asked first and written in the access log, the posts
over time, findings by liability, cases and assessments; who has looked, for the roles
that may see it; bad input and refusals in words."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from tests.conftest import Issue
from tests.console.conftest import Client, SignIn
from tests.console.facts import a_leader, api, assert_no_inline_code

PURPOSE = "干部考察：2025年度班子考察"


async def test_the_dossier_asks_for_a_purpose_first_and_keeps_it_in_the_url(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    leader = await a_leader(client, issue, city)
    await sign_in("personnel", unit=UUID(city))
    path = f"/console/persons/{leader['person_id']}"
    form = await client.get(path)
    assert form.status == 200
    html = await form.text()
    assert "请说明查阅目的" in html and leader["person_name"] not in html
    for common in ("干部考察", "纪律审查", "督察核实"):
        assert f'<option value="{common}"' in html
    chosen = await client.get(
        f"{path}?reason=干部考察&detail=2025年度班子考察", allow_redirects=False
    )
    assert chosen.status == 303
    assert chosen.headers["Location"] == f"{path}?purpose={quote(PURPOSE)}"
    empty = await client.get(f"{path}?reason=&detail=")
    assert empty.status == 422 and "请选择或填写查阅目的" in await empty.text()


async def test_the_dossier_shows_posts_findings_and_assessments_and_logs_the_purpose(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    leader = await a_leader(client, issue, city)
    person = leader["person_id"]
    await sign_in("personnel", unit=UUID(city))
    answer = await client.get(f"/console/persons/{person}?purpose={quote(PURPOSE)}")
    assert answer.status == 200
    html = await answer.text()
    posts = await api(client, issue, f"/v1/persons/{person}/assignments")
    assert leader["person_name"] in html and PURPOSE in html
    for post in posts["items"]:
        assert post["title"] in html and post["effective_from"] in html
    assert '<svg class="chart" id="posts"' in html
    for heading in ("主体责任", "领导责任", "直接责任", "问责与处理", "任主要负责人期间单位考核"):
        assert heading in html
    assert "谁查阅过此档案" not in html  # personnel may not read the access log
    assert_no_inline_code(html)
    log = await api(client, issue, f"/v1/access-log?person_id={person}&limit=500", role="auditor")
    mine = [e for e in log["items"] if e["subject"] == "console-personnel"]
    assert {e["action"] for e in mine} >= {"get_person", "person_assignments", "person_reference"}
    assert all(e["purpose"] == PURPOSE and e["client"].endswith("(console)") for e in mine)


async def test_an_auditor_sees_who_has_looked_at_the_dossier(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    person = (await a_leader(client, issue, city))["person_id"]
    await sign_in("personnel", unit=UUID(city))
    await client.get(f"/console/persons/{person}?purpose={quote(PURPOSE)}")
    await sign_in("auditor", unit=UUID(city))
    html = await (await client.get(f"/console/persons/{person}?purpose=审计检查")).text()
    assert "谁查阅过此档案" in html
    assert "console-personnel" in html and PURPOSE in html and "查看考核评价参考" in html


async def test_bad_dates_and_refusals_are_pages_in_words(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    person = (await a_leader(client, issue, city))["person_id"]
    await sign_in("personnel", unit=UUID(city))
    bad = await client.get(f"/console/persons/{person}?purpose=x&from=2024-02-30")
    assert bad.status == 422
    assert "<code>from</code>" in await bad.text()
    await sign_in("unit_officer", unit=UUID(world["jurisdictions"]["bureau"]))
    refused = await client.get(f"/console/persons/{person}?purpose=x")
    assert refused.status == 403 and "无权进行此操作" in await refused.text()
    await sign_in("inspector", unit=UUID(city))
    partial = await client.get(f"/console/persons/{person}?purpose=督察核实")
    assert partial.status == 200
    assert "您的角色不能查看考核评价参考" in await partial.text()
