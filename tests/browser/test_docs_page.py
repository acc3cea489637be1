"""/docs in a real Chromium: Redoc, vendored and served from the package, renders the
served contract (operations, parameters, answers) under a strict content security policy
with no error in the page; without scripts a plain list of the operations remains."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from playwright.async_api import Page

from tests.browser.conftest import screenshot

STATIC = Path(__file__).resolve().parents[2] / "src" / "ledger" / "api" / "static"


async def test_the_docs_page_renders_the_contract_with_redoc(page: Page, live: str) -> None:
    outside: list[str] = []

    def watch(url: str) -> None:
        if not url.startswith((live, "data:", "blob:")):
            outside.append(url)

    page.on("request", lambda r: watch(r.url))
    answer = await page.goto(f"{live}/docs#tag/persons/operation/get_person")
    assert answer is not None and answer.status == 200
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    # Redoc has read /openapi.json and laid out an operation: its header, its answers.
    await page.get_by_text("X-Access-Purpose").first.wait_for(timeout=30_000)
    await page.get_by_text("Response samples").first.wait_for()
    assert outside == [], f"the page loaded from outside: {outside}"
    shot = await screenshot(page, "docs")
    assert shot.stat().st_size > 20_000


async def test_without_scripts_the_docs_page_lists_every_operation(
    browser_without_scripts: Page, live: str
) -> None:
    page = browser_without_scripts
    document = await (await page.request.get(f"{live}/openapi.json")).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    await page.goto(f"{live}/docs")
    assert await page.locator("noscript table tr, table tr").count() >= operations


def test_the_vendored_viewer_is_the_one_its_table_names() -> None:
    table = (STATIC / "VENDORED.md").read_text()
    bundle = (STATIC / "redoc" / "redoc.standalone.js").read_bytes()
    assert hashlib.sha256(bundle).hexdigest() in table
    version = re.search(rb'ReDoc Version: ","([0-9.]+)"', bundle)
    assert b"cdn.redoc.ly" not in bundle  # the patch in the table
    assert version is not None and f"| {version.group(1).decode()} " in table
