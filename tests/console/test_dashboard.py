"""The open-loop dashboard: the API's counts, charts drawn on the server, the open
findings overdue first, its CSV, and refusals in words."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.api.console.formats import percent
from tests.conftest import Issue
from tests.console.conftest import Client, SignIn
from tests.console.facts import api, assert_no_inline_code, counted

FIGURES = ("total", "rectified_on_time", "rectified_after_extension", "rectified_late")


async def test_the_dashboard_shows_the_apis_counts_for_the_callers_own_unit(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    report = await api(client, issue, f"/v1/reports/open-loop?unit_id={city}")
    await sign_in("inspector", unit=UUID(city))
    answer = await client.get("/console/dashboard")
    assert answer.status == 200
    html = await answer.text()
    assert report["unit"]["name"] in html
    totals = report["totals"]
    for name in (*FIGURES, "open", "overdue"):
        assert counted(html, name) == str(totals[name])
    assert counted(html, "closed_rate") == percent(totals["closed_rate"])
    assert counted(html, "on_time_rate") == percent(totals["on_time_rate"])
    assert html.count('<svg class="chart"') == 2
    assert f'data-total="{report["by_unit"][0]["total"]}"' in html
    assert "各类别问题整改情况" in html
    worst = report["open"][0]
    assert worst["description"][:20] in html and f"{worst['days_overdue']} 天" in html
    assert f"/console/dashboard.csv?unit_id={city}" in html
    assert_no_inline_code(html)


async def test_a_whole_ledger_caller_sees_the_first_root_unit(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    roots = await api(client, issue, "/v1/units?limit=1")
    await sign_in("admin")
    html = await (await client.get("/console/dashboard")).text()
    assert f"闭环看板：{roots['items'][0]['name']}" in html


async def test_a_unit_without_findings_says_so(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    bureau = world["jurisdictions"]["bureau"]
    report = await api(client, issue, f"/v1/reports/open-loop?unit_id={bureau}")
    await sign_in("inspector", unit=UUID(world["jurisdictions"]["city"]))
    html = await (await client.get(f"/console/dashboard?unit_id={bureau}")).text()
    assert counted(html, "total") == str(report["totals"]["total"])
    if report["totals"]["total"] == 0:
        assert "没有问题记录" in html and "<svg" not in html
    if not report["open"]:
        assert "没有未办结的问题" in html


async def test_bad_input_and_a_refusal_are_pages_in_words(
    world: dict[str, Any], sign_in: SignIn, client: Client
) -> None:
    city = world["jurisdictions"]["city"]
    await sign_in("inspector", unit=UUID(city))
    bad_day = await client.get(f"/console/dashboard?unit_id={city}&valid_at=2024-13-01")
    assert bad_day.status == 422
    assert "valid_at" in await bad_day.text()
    bad_unit = await client.get("/console/dashboard?unit_id=not-a-unit")
    assert bad_unit.status in (400, 422)
    assert "unit_id" in await bad_unit.text()
    await sign_in("personnel", unit=UUID(city))
    refused = await client.get("/console/dashboard")
    assert refused.status == 403
    text = await refused.text()
    assert "无权进行此操作" in text and "Traceback" not in text


async def test_the_csv_is_the_apis_answer_handed_over_as_a_file(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    direct = await client.get(
        f"/v1/reports/open-loop?unit_id={city}",
        headers={
            "Authorization": f"Bearer {issue('inspector', unit=UUID(city))}",
            "Accept": "text/csv",
        },
    )
    await sign_in("inspector", unit=UUID(city))
    answer = await client.get(f"/console/dashboard.csv?unit_id={city}")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == direct.headers["Content-Type"]
    assert answer.headers["Content-Disposition"].startswith("attachment")
    if "Content-Disposition" in direct.headers:
        assert answer.headers["Content-Disposition"] == direct.headers["Content-Disposition"]
