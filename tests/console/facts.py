"""What the demo holds, asked of the API the pages stand on, so a page's test compares the
page with the API's own answer."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Issue, bearer
from tests.console.conftest import Client


async def api(client: Client, issue: Issue, path: str, role: str = "admin", **headers: str) -> Any:
    answer = await client.get(path, headers=bearer(issue(role)) | headers)
    assert answer.status == 200, await answer.text()
    return await answer.json()


async def a_leader(client: Client, issue: Issue, city: str) -> dict[str, Any]:
    """The principal who answers for the demo's open finding (a district's head)."""
    report = await api(client, issue, f"/v1/reports/open-loop?unit_id={city}")
    finding = await api(client, issue, f"/v1/findings/{report['open'][0]['id']}")
    return next(r for r in finding["responsible_then"] if r["liability"] == "principal")


def counted(html: str, name: str) -> str:
    """The figure a page shows under ``data-count="name"``."""
    found = re.search(rf'data-count="{name}"><b>([^<]*)</b>', html)
    assert found, f"no figure {name}"
    return found.group(1)


def assert_no_inline_code(html: str) -> None:
    """Nothing the content security policy would block: no style attribute, no inline
    script (a script only by src)."""
    assert " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
