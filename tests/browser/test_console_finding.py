"""Journeys at the inspector's desk against a real `ledger serve` with the demo: an inspector
opens a finding from an inspection and reads its story; triages a clue into a finding."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.served import Demo

EXTENDED = "老旧小区改造专项资金分配方案"  # the demo's finding whose deadline was extended


async def test_an_inspector_opens_a_finding_and_reads_its_timeline(page: Page, demo: Demo) -> None:
    await sign_in(page, demo, "inspector", then="/console/desk")
    inspection = page.locator("a[href^='/console/inspections/']").first
    for _ in range(20):  # the read models may still be catching up with the demo
        if await inspection.count():
            break
        await page.wait_for_timeout(250)
        await page.reload()
    await inspection.click()
    await expect(page.locator("h1")).to_contain_text("督察")
    await page.get_by_role("link", name=EXTENDED).click()
    await expect(page.locator("h1")).to_contain_text(EXTENDED)
    story = page.locator("ol.timeline")
    for step in ("发现问题", "制定整改方案", "延长整改期限", "验收：整改到位", "办结（销号）"):
        await expect(story).to_contain_text(step)
    await expect(page.locator(".deadline")).to_contain_text("原期限")
    await expect(page.locator("table.then-now")).to_contain_text("主体责任")
    await expect(page.get_by_role("link", name="记录与核验")).to_be_visible()
    await screenshot(page, "finding")


async def test_an_inspector_triages_a_clue_from_the_desk(page: Page, demo: Demo) -> None:
    await sign_in(page, demo, "inspector", then="/console/desk")
    clue = page.locator("li.clue").first
    summary = (await clue.locator(".clue-head b").inner_text()).strip()
    form = clue.locator("details").filter(has_text="立为问题")
    await form.locator("summary").click()
    await form.get_by_label("问题类别").select_option("major_decision")
    await form.get_by_label("严重程度").select_option("medium")
    deadline = (date.today() + timedelta(days=90)).isoformat()
    await form.get_by_label("整改期限").fill(deadline)
    await form.get_by_label("依据文号").fill("锡委法办〔2026〕7号")
    await screenshot(page, "desk")
    await form.get_by_role("button", name="立为问题").click()
    await expect(page.locator(".done")).to_contain_text("线索已立为问题。")
    await expect(page.locator("h1")).to_contain_text(summary)
    await expect(page.locator("ol.timeline")).to_contain_text("发现问题")
    await page.goto(f"{demo.url}/console/desk")
    await expect(page.locator("section.clues")).not_to_contain_text(summary)
