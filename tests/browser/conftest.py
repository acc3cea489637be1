"""A real Chromium (the system's, launched by its path: a browser download does not work
here) driven by Playwright, against the real app on a real port.

Missing Chromium or CJK fonts fail the test with the one line that says how to install
them; a browser test is never skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from ledger.infra.settings import Settings
from tests.live import LiveServer

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
            executable_path=chromium_path(), args=["--no-sandbox"]
        )
        yield launched
        await launched.close()


@pytest.fixture
def live(settings: Settings) -> Iterator[str]:
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page the size of the smallest screen the console is made for, in Chinese."""
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    yield opened
    await context.close()
    assert errors == [], f"the page reported errors: {errors}"


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
