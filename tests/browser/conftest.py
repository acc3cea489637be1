"""A real Chromium (the system's, launched by its path: a browser download does not work
here) driven by Playwright, against the real app on a real port.

Missing Chromium or CJK fonts fail the test with the one line that says how to install
them; a browser test is never skipped.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest
from playwright.async_api import Browser, Page, async_playwright

from ledger.infra.settings import Settings
from tests import served
from tests.conftest import with_database
from tests.live import LiveServer
from tests.served import Demo

INSTALL = "apt-get install chromium fonts-noto-cjk (Debian; .ci/run does it when run as root)"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"  # for a person to look at


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(f"no Chromium on this machine: {INSTALL}", pytrace=False)
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    if not fonts.stdout.strip():
        pytest.fail(f"no Chinese font: every character would be a box: {INSTALL}", pytrace=False)
    return found


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--lang=zh-CN"]
        )
        yield launched
        await launched.close()


@pytest.fixture
def live(settings: Settings) -> Iterator[str]:
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page the size of the smallest screen the console is made for, in Chinese; it
    fails the test on any error the page reports but the status of a page it was sent to
    (a journey opens a refused page on purpose: the page itself says why)."""
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    opened = await context.new_page()
    errors: list[tuple[str, str]] = []
    documents: set[str] = set()
    opened.on("pageerror", lambda error: errors.append((str(error), "")))
    opened.on(
        "console",
        lambda message: (
            errors.append((message.text, message.location.get("url", "")))
            if message.type == "error"
            else None
        ),
    )
    opened.on("framenavigated", lambda frame: documents.add(frame.url))
    yield opened
    await context.close()
    reported = [
        text
        for text, url in errors
        if not (text.startswith("Failed to load resource") and url in documents)
    ]
    assert reported == [], f"the page reported errors: {reported}"


@pytest.fixture
async def browser_without_scripts(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(java_script_enabled=False, locale="zh-CN")
    yield await context.new_page()
    await context.close()


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session")
async def demo(
    server_url: str, template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Demo]:
    """`ledger demo` into a database of its own, then `ledger serve` on it: shared by the
    journeys of a session (they only add to it: a journey's writes are new records)."""
    name = f"ledger_demo_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    url = with_database(server_url, name)
    data_dir = tmp_path_factory.mktemp("demo")
    tokens, units = await asyncio.to_thread(served.load, url, data_dir)
    process, address, output = await asyncio.to_thread(served.serve, url, data_dir)
    yield served.Demo(address, tokens, units, output)
    await asyncio.to_thread(served.stop, process)
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def sign_in(page: Page, demo: Demo, role: str, then: str = "/console/") -> None:
    """Sign in at the console's sign-in page with the demo's token of ``role``."""
    await page.goto(f"{demo.url}/console/login?next={quote(then, safe='')}")
    await page.get_by_label("访问令牌").fill(demo.tokens[role])
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{demo.url}{then}*")
