"""Evaluation references in the console: the period (last calendar year by default), the
page, its print, and the downloads through the API with the purpose."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote
from uuid import UUID

from ledger.infra.settings import Settings
from tests.conftest import Issue
from tests.console.conftest import Client, SignIn
from tests.console.facts import a_leader, api, assert_no_inline_code

PURPOSE = "干部考察"
PERIOD = "from=2024-01-01&to=2024-12-31"


async def _signed_personnel(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> str:
    city = world["jurisdictions"]["city"]
    leader = await a_leader(client, issue, city)
    await sign_in("personnel", unit=UUID(city))
    return str(leader["person_id"])


async def test_a_persons_reference_asks_the_purpose_and_defaults_to_last_year(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue, settings: Settings
) -> None:
    person = await _signed_personnel(world, sign_in, client, issue)
    asked = await client.get(f"/console/persons/{person}/evaluation")
    assert "请说明查阅目的" in await asked.text()
    year = settings.today().year - 1
    html = await (
        await client.get(f"/console/persons/{person}/evaluation?purpose={PURPOSE}")
    ).text()
    assert f"{year}-01-01 至 {year}-12-31" in html
    assert_no_inline_code(html)


async def test_a_persons_reference_shows_the_apis_answer_with_its_downloads(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    person = await _signed_personnel(world, sign_in, client, issue)
    reference = await api(
        client,
        issue,
        f"/v1/persons/{person}/evaluation-reference?{PERIOD}",
        **{"X-Access-Purpose": "test"},
    )
    html = await (
        await client.get(f"/console/persons/{person}/evaluation?{PERIOD}&purpose={PURPOSE}")
    ).text()
    assert reference["person"]["name"] in html
    for finding in reference["findings"]["principal"]:
        assert finding["found_on"] in html
    for role in reference["roles"]:
        assert role["title"] in html
    query = f"{PERIOD}&purpose={quote(PURPOSE)}".replace("&", "&amp;")
    for link in ("evaluation.json", "evaluation.csv", "evaluation/print"):
        assert f"/console/persons/{person}/{link}?{query}" in html


async def test_the_downloads_are_the_apis_files_and_carry_the_purpose(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    person = await _signed_personnel(world, sign_in, client, issue)
    query = f"{PERIOD}&purpose={quote(PURPOSE)}"
    proofs = await client.get(f"/console/persons/{person}/evaluation.json?{query}")
    assert proofs.status == 200
    assert proofs.headers["Content-Type"].startswith("application/json")
    assert proofs.headers["Content-Disposition"] == (
        f'attachment; filename="evaluation-reference-person-{person}-2024-01-01-2024-12-31'
        '-proofs.json"'
    )
    body = json.loads(await proofs.read())
    assert body["proofs"]["format"] == "ledger-proof-v1" and body["proofs"]["events"]
    table = await client.get(f"/console/persons/{person}/evaluation.csv?{query}")
    assert table.status == 200 and table.headers["Content-Type"].startswith("text/csv")
    assert table.headers["Content-Disposition"].startswith('attachment; filename="evaluation')
    log = await api(client, issue, f"/v1/access-log?person_id={person}&limit=500", role="auditor")
    downloads = [e for e in log["items"] if e["action"] == "person_reference"]
    assert any("proofs=true" in e["path"] and e["purpose"] == PURPOSE for e in downloads)
    unasked = await client.get(
        f"/console/persons/{person}/evaluation.csv?{PERIOD}", allow_redirects=False
    )
    assert unasked.status == 303
    assert unasked.headers["Location"] == f"/console/persons/{person}/evaluation?{PERIOD}"


async def test_the_print_is_an_a4_page_with_a_place_to_sign_and_seal(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    person = await _signed_personnel(world, sign_in, client, issue)
    answer = await client.get(
        f"/console/persons/{person}/evaluation/print?{PERIOD}&purpose={PURPOSE}"
    )
    assert answer.status == 200
    html = await answer.text()
    assert '<script src="/static/console/print.js" defer></script>' in html
    assert "台账位置" in html and "2024-01-01 至 2024-12-31" in html
    assert "（签字）" in html and "（盖章）" in html
    assert_no_inline_code(html)
    css = await (await client.get("/static/console/print.css")).text()
    assert "size: A4" in css and "@media print" in css
    script = await (await client.get("/static/console/print.js")).text()
    assert "window.print()" in script


async def test_a_units_reference_needs_no_purpose_and_bad_dates_are_named(
    world: dict[str, Any], sign_in: SignIn, client: Client, issue: Issue
) -> None:
    city = world["jurisdictions"]["city"]
    await sign_in("personnel", unit=UUID(city))
    answer = await client.get(f"/console/units/{city}/evaluation?{PERIOD}&include_subunits=true")
    assert answer.status == 200
    html = await answer.text()
    reference = await api(
        client, issue, f"/v1/units/{city}/evaluation-reference?{PERIOD}&include_subunits=true"
    )
    assert f"共 {reference['findings']['total']} 个" in html and "含全部下级单位" in html
    table = await client.get(f"/console/units/{city}/evaluation.csv?{PERIOD}")
    assert table.status == 200 and table.headers["Content-Type"].startswith("text/csv")
    bad = await client.get(f"/console/units/{city}/evaluation?from=2024-01-01&to=someday")
    assert bad.status == 422 and "<code>to</code>" in await bad.text()
    await sign_in("inspector", unit=UUID(city))
    refused = await client.get(f"/console/units/{city}/evaluation?{PERIOD}")
    assert refused.status == 403 and "无权进行此操作" in await refused.text()
