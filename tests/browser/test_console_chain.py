"""Journeys in the console against a real `ledger serve` with the demo: an inspector finds
a unit by name and reads its chain across a change of term; a unit officer sees its own
unit and is told, in words, that another is not for it."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.served import Demo

GOVERNMENT = "无锡市人民政府"


def api(demo: Demo, path: str, role: str = "admin") -> Any:
    ask = urllib.request.Request(
        demo.url + path, headers={"Authorization": f"Bearer {demo.tokens[role]}"}
    )
    with urllib.request.urlopen(ask, timeout=10) as answer:
        return json.load(answer)


def walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for node in nodes:
        found += [node, *walk(node["reports"])]
    return found


def chain_on(demo: Demo, unit_id: str, day: str) -> tuple[str, list[str]]:
    """The principal and the leaders covering law enforcement, as the API says."""
    nodes = walk(api(demo, f"/v1/units/{unit_id}/chain?valid_at={day}")["chain"])
    principal = next(n["person_name"] for n in nodes if n["role"] == "principal")
    covering = [
        n["person_name"]
        for n in nodes
        if n["role"] == "leader" and "law_enforcement" in n["portfolio"]
    ]
    return principal, covering


async def test_an_inspector_finds_a_government_and_reads_its_chain_across_a_term(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo, "inspector")
    await page.get_by_role("searchbox", name="搜索").first.fill(GOVERNMENT)
    await page.get_by_role("button", name="搜索").first.click()
    await page.get_by_role("link", name=GOVERNMENT, exact=True).click()
    await expect(page.locator("h1")).to_contain_text(GOVERNMENT)
    unit_id = page.url.split("/units/")[1].split("?")[0]

    await page.get_by_label("责任链条截至").fill("2021-06-01")
    await page.get_by_role("button", name="查看", exact=True).click()
    principal, covering = chain_on(demo, unit_id, "2021-06-01")
    tree = page.locator("section.chain")
    await expect(tree.locator(".node").first).to_contain_text(principal)
    await expect(tree.locator(".node").first).to_contain_text("主要负责人")
    assert covering, "the demo has a leader for law enforcement in 2021"
    enforcement = tree.locator(".node", has=page.locator('.chip[data-code="law_enforcement"]'))
    await expect(enforcement.first).to_contain_text(covering[0])
    await expect(enforcement.first.locator('.chip[data-code="law_enforcement"]')).to_have_text(
        "行政执法"
    )

    await page.get_by_label("责任链条截至").fill("2022-06-01")
    await page.get_by_role("button", name="查看", exact=True).click()
    successor, _ = chain_on(demo, unit_id, "2022-06-01")
    assert successor != principal, "the demo changes the government's head in 2022"
    await expect(tree.locator(".node").first).to_contain_text(successor)
    await expect(tree).not_to_contain_text(principal)
    assert "valid_at=2022-06-01" in page.url  # the page is a URL a colleague can open
    changes = page.locator("aside.changes")
    await expect(changes).to_contain_text("离任")
    await expect(changes).to_contain_text(principal)
    await expect(changes).to_contain_text(successor)
    await screenshot(page, "unit-chain")


async def test_a_unit_officer_sees_its_own_unit_and_is_refused_another_in_words(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo, "unit_officer")
    bureau = demo.units["bureau"]
    own = page.get_by_role("link", name="本单位")
    await own.click()
    await expect(page.locator("h1")).to_contain_text("无锡市司法局")
    assert page.url.endswith(f"/console/units/{bureau}")
    city = demo.units["city"]
    answer = await page.goto(f"{demo.url}/console/units/{city}")
    assert answer is not None and answer.status in (403, 404)
    await expect(page.get_by_role("alert")).to_contain_text("管辖范围")
    assert "Traceback" not in await page.content()
    await screenshot(page, "refused")
