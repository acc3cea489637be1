"""Journeys in the console against a real `ledger serve` with the demo: a personnel officer
opens a leader's dossier (the purpose asked, then found in the access log) and downloads
the evaluation reference, which the offline verifier accepts; the dashboard shows the
API's counts; an audit trail shows each event checked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

from playwright.async_api import Page, expect

from ledger import offline
from ledger.api.console.formats import percent
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_console_chain import api
from tests.served import Demo

PURPOSE = "干部考察"
DETAIL = "2025年度班子考察"


async def a_leader(demo: Demo) -> dict[str, str]:
    """The principal who answers for the demo's open finding, as the API says (once the
    read models have caught up with the demo)."""
    path = "/v1/reports/open-loop?" + urlencode({"unit_id": demo.units["city"]})
    for _ in range(100):
        report = api(demo, path)
        if report["open"]:
            break
        await asyncio.sleep(0.3)
    finding = api(demo, f"/v1/findings/{report['open'][0]['id']}")
    return next(r for r in finding["responsible_then"] if r["liability"] == "principal")


async def test_a_personnel_officer_opens_a_dossier_and_downloads_the_reference(
    page: Page, demo: Demo, tmp_path: Path
) -> None:
    leader = await a_leader(demo)
    name, person = leader["person_name"], leader["person_id"]
    await sign_in(page, demo, "personnel")
    await page.get_by_role("searchbox", name="搜索").first.fill(name)
    await page.get_by_role("button", name="搜索").first.click()
    await page.get_by_role("link", name=name, exact=True).first.click()

    await expect(page.locator("h1")).to_have_text("请说明查阅目的")
    await page.get_by_label("查阅目的", exact=True).select_option(PURPOSE)
    await page.get_by_label("补充说明").fill(DETAIL)
    await page.get_by_role("button", name="继续查阅").click()
    await expect(page.locator("h1")).to_contain_text(name)
    stated = f"{PURPOSE}：{DETAIL}"
    await expect(page.locator(".stated")).to_contain_text(stated)
    assert f"/console/persons/{person}?purpose=" in page.url  # a link a colleague can open
    await expect(page.locator("svg#posts")).to_be_visible()
    await expect(page.get_by_text("主体责任（1）")).to_be_visible()
    await screenshot(page, "dossier", full_page=True)

    log = api(demo, "/v1/access-log?" + urlencode({"person_id": person, "limit": 500}))
    read = [e for e in log["items"] if e["subject"] == "demo-personnel"]
    assert {"get_person", "person_assignments", "person_reference"} <= {
        e["action"] for e in read if e["purpose"] == stated
    }

    await page.get_by_role("link", name="考核评价参考").click()
    await expect(page.locator("h1")).to_contain_text("考核评价参考")
    await page.get_by_role("link", name="2024年").click()
    await expect(page.locator("h1")).to_contain_text("2024-01-01 至 2024-12-31")
    await screenshot(page, "evaluation", full_page=True)
    async with page.expect_download() as started:
        await page.get_by_role("link", name="下载 JSON（含证明）").click()
    download = await started.value
    assert download.suggested_filename.endswith("-proofs.json")
    saved = tmp_path / "reference.json"
    await download.save_as(saved)
    reference = json.loads(saved.read_text())
    assert reference["person"]["id"] == person and reference["period"]["from"] == "2024-01-01"

    # What the verify page tells an auditor to do, done here.
    (tmp_path / "ref-proof.json").write_text(json.dumps(reference["proofs"]))
    key = tmp_path / "key.txt"
    key.write_text(await (await page.request.get(f"{demo.url}/v1/ledger/public-key")).text())
    assert offline.main(["record", "--key", str(key), str(tmp_path / "ref-proof.json")]) == 0
    downloads = api(demo, "/v1/access-log?" + urlencode({"person_id": person, "limit": 500}))
    assert any(
        e["action"] == "person_reference" and "proofs=true" in e["path"] and e["purpose"] == stated
        for e in downloads["items"]
    )


async def test_the_dashboard_shows_the_counts_of_the_open_loop_report(
    page: Page, demo: Demo
) -> None:
    city = demo.units["city"]
    await a_leader(demo)  # the read models have the demo
    report = api(demo, "/v1/reports/open-loop?" + urlencode({"unit_id": city}), role="inspector")
    await sign_in(page, demo, "inspector")
    await page.get_by_role("link", name="闭环看板").first.click()
    await expect(page.locator("h1")).to_contain_text(report["unit"]["name"])
    totals = report["totals"]
    for name in ("total", "rectified_on_time", "rectified_after_extension", "rectified_late"):
        await expect(page.locator(f'[data-count="{name}"] b')).to_have_text(str(totals[name]))
    for name in ("open", "overdue"):
        await expect(page.locator(f'[data-count="{name}"] b')).to_have_text(str(totals[name]))
    await expect(page.locator('[data-count="closed_rate"] b')).to_have_text(
        percent(totals["closed_rate"])
    )
    bars = page.locator("svg#by-unit g.bar")
    await expect(bars).to_have_count(min(len(report["by_unit"]), 20))
    worst = report["open"][0]
    await expect(page.locator("#open table tbody tr").first).to_contain_text(
        f"{worst['days_overdue']} 天"
    )
    await screenshot(page, "dashboard", full_page=True)


async def test_an_audit_trail_shows_every_event_checked_by_the_console(
    page: Page, demo: Demo
) -> None:
    person = (await a_leader(demo))["person_id"]
    await sign_in(page, demo, "auditor", then=f"/console/records/person/{person}")
    await expect(page.locator("h1")).to_have_text("请说明查阅目的")
    await page.get_by_label("查阅目的", exact=True).select_option("审计检查")
    await page.get_by_role("button", name="继续查阅").click()
    await expect(page.locator("h1")).to_contain_text("人员的审计记录")
    trail = api(demo, f"/v1/history/{person}")
    await expect(page.locator("table.trail tbody tr")).to_have_count(len(trail["items"]))
    await expect(page.locator('tr[data-check="failed"]')).to_have_count(0)
    assert await page.locator('tr[data-check="verified"]').count() > 0
    await expect(page.locator("#checkpoint")).to_contain_text("ledger")
    await expect(page.locator(".summary")).to_contain_text("检查点签名有效")
    await screenshot(page, "trail", full_page=True)
