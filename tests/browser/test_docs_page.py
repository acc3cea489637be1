"""The service's own pages in a real Chromium: /docs lists every operation of the served
contract, under the security headers, with no error in the page."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.conftest import screenshot


async def test_the_docs_page_lists_every_operation(page: Page, live: str) -> None:
    document = await (await page.request.get(f"{live}/openapi.json")).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    answer = await page.goto(f"{live}/docs")
    assert answer is not None and answer.status == 200
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    rows = page.locator("table tr td:first-child code")
    assert await rows.count() == operations
    assert "/v1/persons/{id}/evaluation-reference" in await page.locator("table").inner_text()
    shot = await screenshot(page, "docs")
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
