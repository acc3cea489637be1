"""The finding views over HTTP: a finding's status, the search, the open-loop report."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from ledger.api.openapi import build_openapi
from ledger.api.resources.findings.schemas import FindingPage, FindingView
from ledger.api.resources.reports.open_loop import OpenLoopReport

Client = TestClient[Any, Any]
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class World:
    city: str
    bureau: str
    discipline: str
    head: str
    head_post: str
    deputy: str
    finding: str  # law_enforcement, deadline 2024-08-31, open
    referred: str  # major_decision, extended, referred and closed
    position: int
    inspection: str

    def ids(self) -> dict[str, str]:
        return {k: str(v) for k, v in vars(self).items()} | {"unknown": UNKNOWN}


async def post(
    client: Client, path: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status in (200, 201), await response.text()
    return dict(await response.json())


@pytest.fixture
async def world(client: Client, headers: dict[str, str]) -> World:
    """A city with a bureau (head, and a deputy for law enforcement) inspected in May 2024,
    and two findings against the bureau."""

    async def make(path: str, **body: Any) -> str:
        return str((await post(client, path, body, headers))["id"])

    async def unit(name: str, kind: str, parent: str | None = None) -> str:
        return await make("/v1/units", name=name, kind=kind, level="municipal", parent_id=parent)

    city = await unit("无锡市人民政府", "government")
    bureau = await unit("无锡市司法局", "department", city)
    office = await unit("市委依法治市办", "inspection_body", city)
    discipline = await unit("市纪委监委", "discipline_body", city)
    mayor, head, deputy, inspector = [
        await make("/v1/persons", name=n) for n in ("周市长", "钱局长", "孙副局长", "周督察")
    ]
    common = {"effective_from": "2021-01-01"}
    await make(
        "/v1/assignments",
        unit_id=city,
        person_id=mayor,
        role="principal",
        principal_title="government_head",
        title="市长",
        **common,
    )
    await make(
        "/v1/assignments",
        unit_id=office,
        person_id=inspector,
        role="principal",
        principal_title="unit_head",
        title="主任",
        **common,
    )
    head_post = await make(
        "/v1/assignments",
        unit_id=bureau,
        person_id=head,
        role="principal",
        principal_title="unit_head",
        title="局长",
        **common,
    )
    await make(
        "/v1/assignments",
        unit_id=bureau,
        person_id=deputy,
        role="leader",
        title="副局长",
        portfolio=["law_enforcement"],
        reports_to=head_post,
        **common,
    )
    inspection = await make(
        "/v1/inspections",
        title="2024年度法治政府建设督察",
        year=2024,
        organizer_unit_id=office,
        target_unit_ids=[bureau],
        team=[inspector],
        topics=["law_enforcement", "major_decision"],
        starts_on="2024-05-06",
        ends_on="2024-05-20",
    )
    await post(client, f"/v1/inspections/{inspection}/start", {"started_on": "2024-05-06"}, headers)

    async def finding(category: str, deadline: str) -> str:
        return await make(
            "/v1/findings",
            unit_id=bureau,
            inspection_id=inspection,
            category=category,
            severity="high",
            description="行政执法“三项制度”落实不到位",
            found_on="2024-05-10",
            deadline=deadline,
        )

    open_finding = await finding("law_enforcement", "2024-08-31")
    referred = await finding("major_decision", "2024-06-30")
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "extend-deadline",
            {
                "new_deadline": "2024-07-31",
                "reason": "涉及多部门",
                "approver_person_id": inspector,
                "extended_on": "2024-06-01",
            },
        ),
        ("refer", {"to_unit_id": discipline, "reason": "失职", "referred_on": "2024-07-01"}),
        ("close", {"outcome": "referred", "closed_on": "2024-08-01"}),
    ]
    for step, body in steps:
        last = await post(client, f"/v1/findings/{referred}/{step}", body, headers)
    return World(
        city,
        bureau,
        discipline,
        head,
        head_post,
        deputy,
        open_finding,
        referred,
        last["position"],
        inspection,
    )


async def answer(client: Client, url: str, model: type[BaseModel], path: str) -> dict[str, Any]:
    """A 200 answer, held to its response model and to the published OpenAPI schema."""
    response = await client.get(url)
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    model.model_validate(body)
    document = build_openapi()
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    validator = Draft202012Validator({**schema["schema"], "components": document["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [e.message for e in errors[:5]]
    return body


async def test_a_findings_status_then_and_now(
    client: Client, world: World, headers: dict[str, str]
) -> None:
    url = f"/v1/findings/{world.finding}?valid_at=2024-09-30&min_position={world.position}"
    response = await client.get(url)
    body = await answer(client, url, FindingView, "/v1/findings/{id}")
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert (body["stage"], body["days_overdue"], body["overdue"]) == ("raised", 30, True)
    assert body["source"]["kind"] == "inspection" and body["unit_name"] == "无锡市司法局"
    assert [(a["person_name"], a["liability"]) for a in body["responsible_then"]] == [
        ("钱局长", "principal"),
        ("孙副局长", "leadership"),
    ]
    assert [r["holder"]["person_id"] for r in body["responsible_now"]] == [world.head, world.deputy]

    # the head leaves on 2024-07-01 and a successor takes the post
    await post(
        client,
        f"/v1/assignments/{world.head_post}/end",
        {"effective_to": "2024-07-01", "reason": "transferred"},
        headers,
    )
    successor = (await post(client, "/v1/persons", {"name": "吴局长"}, headers))["id"]
    appointed = await post(
        client,
        "/v1/assignments",
        {
            "unit_id": world.bureau,
            "person_id": successor,
            "role": "principal",
            "principal_title": "unit_head",
            "title": "局长",
            "effective_from": "2024-07-01",
        },
        headers,
    )
    url = f"/v1/findings/{world.finding}?valid_at=2024-09-30&min_position={appointed['position']}"
    body = await answer(client, url, FindingView, "/v1/findings/{id}")
    head_now = body["responsible_now"][0]
    assert head_now["for_person_id"] == world.head
    assert head_now["holder"]["person_name"] == "吴局长"
    assert body["responsible_then"][0]["person_id"] == world.head
    june = await answer(
        client,
        f"/v1/findings/{world.finding}?valid_at=2024-06-30",
        FindingView,
        "/v1/findings/{id}",
    )
    assert june["responsible_now"][0]["holder"]["person_id"] == world.head
    assert (june["days_overdue"], june["overdue"]) == (0, False)


async def test_a_referred_finding_and_known_at(client: Client, world: World) -> None:
    url = f"/v1/findings/{world.referred}?min_position={world.position}"
    body = await answer(client, url, FindingView, "/v1/findings/{id}")
    assert (body["stage"], body["outcome"], body["referred_to"]) == (
        "closed",
        "referred",
        world.discipline,
    )
    assert [d["deadline"] for d in body["deadlines"]] == ["2024-06-30", "2024-07-31"]
    assert (body["original_deadline"], body["deadline"]) == ("2024-06-30", "2024-07-31")
    assert [a["person_name"] for a in body["responsible_then"]] == ["钱局长"]
    later = await answer(
        client, url + "&known_at=2199-01-01T00:00:00Z", FindingView, "/v1/findings/{id}"
    )
    assert later["known_at"] == "2199-01-01T00:00:00+00:00" and later["stage"] == "closed"
    before = await client.get(f"/v1/findings/{world.referred}?known_at=2000-01-01T00:00:00Z")
    problem = await assert_problem(before, 404)
    assert "known at" in problem["detail"]


async def test_search_pages_and_filters(client: Client, world: World) -> None:
    base = f"/v1/findings?min_position={world.position}&valid_at=2024-09-30"

    async def ids(query: str) -> list[str]:
        body = await answer(client, base + query, FindingPage, "/v1/findings")
        return [item["id"] for item in body["items"]]

    both = {world.finding, world.referred}
    assert set(await ids("")) == both
    assert await ids(f"&unit_id={world.city}") == []
    assert set(await ids(f"&unit_id={world.city}&include_subunits=true")) == both
    assert await ids("&status=open") == [world.finding]
    assert await ids("&status=closed&category=major_decision") == [world.referred]
    assert await ids("&overdue=true") == [world.finding]
    assert await ids("&overdue=false") == [world.referred]
    assert await ids("&year=2023") == []
    first = await answer(client, base + "&limit=1", FindingPage, "/v1/findings")
    assert first["next_cursor"] is not None
    rest = await answer(
        client, base + f"&limit=1&cursor={first['next_cursor']}", FindingPage, "/v1/findings"
    )
    assert rest["next_cursor"] is None
    assert {first["items"][0]["id"], rest["items"][0]["id"]} == both
    assert first["items"][0]["days_overdue"] in (0, 30)


async def test_open_loop_report(client: Client, world: World) -> None:
    url = f"/v1/reports/open-loop?unit_id={world.city}&valid_at=2024-09-30"
    body = await answer(
        client, url + f"&min_position={world.position}", OpenLoopReport, "/v1/reports/open-loop"
    )
    assert body["unit"] == {"id": world.city, "name": "无锡市人民政府"}
    assert [f["id"] for f in body["open"]] == [world.finding]
    totals = body["totals"]
    assert (totals["total"], totals["open"], totals["overdue"], totals["referred"]) == (2, 1, 1, 1)
    assert (totals["closed"], totals["closed_rate"], totals["on_time_rate"]) == (1, 0.5, None)
    assert [(u["unit_name"], u["total"]) for u in body["by_unit"]] == [("无锡市司法局", 2)]
    assert {c["category"] for c in body["by_category"]} == {"law_enforcement", "major_decision"}
    # Before the city was recorded, the ledger knew no such jurisdiction.
    before = await client.get(url + "&known_at=2000-01-01T00:00:00Z")
    assert before.status == 404
    assert "known at 2000-01-01" in (await before.json())["detail"]


async def assert_problem(
    response: ClientResponse, status: int, field: str | None = None, rule: str | None = None
) -> dict[str, Any]:
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = json.loads(text)
    named = [(e["field"], e["rule"]) for e in body.get("errors", [])]
    if field is not None:
        assert field in [f for f, _ in named], body
    if rule is not None:
        assert (field, rule) in named, body
    return body


def cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


BAD: dict[str, tuple[str, dict[str, str], int, str | None, str | None]] = {
    "malformed-id": ("/v1/findings/x", {}, 422, "id", "uuid"),
    "unknown-id": ("/v1/findings/{unknown}", {}, 404, None, None),
    "valid-at-feb-30": (
        "/v1/findings/{finding}",
        {"valid_at": "2024-02-30"},
        422,
        "valid_at",
        "date",
    ),
    "known-at-no-offset": (
        "/v1/findings/{finding}",
        {"known_at": "2024-06-01T00:00:00"},
        422,
        "known_at",
        "datetime",
    ),
    "min-position-negative": (
        "/v1/findings/{finding}",
        {"min_position": "-1"},
        422,
        "min_position",
        "range",
    ),
    "unit-id-not-uuid": ("/v1/findings", {"unit_id": "x"}, 422, "unit_id", "uuid"),
    "subunits-yes": (
        "/v1/findings",
        {"unit_id": "{city}", "include_subunits": "yes"},
        422,
        "include_subunits",
        "boolean",
    ),
    "subunits-without-unit": (
        "/v1/findings",
        {"include_subunits": "true"},
        422,
        "include_subunits",
        "requires",
    ),
    "status-unknown": ("/v1/findings", {"status": "pending"}, 422, "status", "enum"),
    "status-empty": ("/v1/findings", {"status": ""}, 422, "status", "enum"),
    "category-unknown": ("/v1/findings", {"category": "tax"}, 422, "category", "enum"),
    "overdue-one": ("/v1/findings", {"overdue": "1"}, 422, "overdue", "boolean"),
    "year-word": ("/v1/findings", {"year": "2024x"}, 422, "year", "integer"),
    "year-1800": ("/v1/findings", {"year": "1800"}, 422, "year", "range"),
    "search-valid-at": ("/v1/findings", {"valid_at": "soon"}, 422, "valid_at", "date"),
    "limit-zero": ("/v1/findings", {"limit": "0"}, 422, "limit", "range"),
    "cursor-not-base64": ("/v1/findings", {"cursor": "!!!"}, 422, "cursor", "cursor"),
    "cursor-not-a-date": (
        "/v1/findings",
        {"cursor": cursor(["x", UNKNOWN])},
        422,
        "cursor",
        "cursor",
    ),
    "cursor-numbers": ("/v1/findings", {"cursor": cursor([1, 2])}, 422, "cursor", "cursor"),
    "cursor-short": ("/v1/findings", {"cursor": cursor(["2024-01-01"])}, 422, "cursor", "cursor"),
    "report-without-unit": ("/v1/reports/open-loop", {}, 422, "unit_id", "required"),
    "report-unit-not-uuid": ("/v1/reports/open-loop", {"unit_id": "1"}, 422, "unit_id", "uuid"),
    "report-unknown-unit": ("/v1/reports/open-loop", {"unit_id": "{unknown}"}, 404, None, None),
    "report-known-at-naive": (
        "/v1/reports/open-loop",
        {"unit_id": "{city}", "known_at": "2024-06-01T00:00:00"},
        422,
        "known_at",
        "datetime",
    ),
    "search-known-at": ("/v1/findings", {"known_at": "yesterday"}, 422, "known_at", "datetime"),
    "report-limit": (
        "/v1/reports/open-loop",
        {"unit_id": "{city}", "limit": "0"},
        422,
        "limit",
        "range",
    ),
    "report-cursor": (
        "/v1/reports/open-loop",
        {"unit_id": "{city}", "cursor": cursor([10**7, "2024-01-01", "2024-01-01", "x"])},
        422,
        "cursor",
        "cursor",
    ),
    "report-valid-at": (
        "/v1/reports/open-loop",
        {"unit_id": "{city}", "valid_at": "2024-13-01"},
        422,
        "valid_at",
        "date",
    ),
}


@pytest.mark.parametrize(
    ("path", "params", "status", "field", "rule"), BAD.values(), ids=BAD.keys()
)
async def test_bad_query_is_refused(
    client: Client,
    world: World,
    path: str,
    params: dict[str, str],
    status: int,
    field: str | None,
    rule: str | None,
) -> None:
    ids = world.ids()
    query = {k: v.format(**ids) for k, v in params.items()}
    response = await client.get(path.format(**ids), params=query)
    await assert_problem(response, status, field, rule)


async def test_the_open_findings_of_the_report_come_in_pages(client: Client, world: World) -> None:
    """Counts cover the whole jurisdiction; the open findings page by the report's order."""
    ids = [world.finding]
    for day in ("2024-05-11", "2024-05-12", "2024-05-13"):
        created = await client.post(
            "/v1/findings",
            json={
                "unit_id": world.bureau,
                "inspection_id": world.inspection,
                "category": "legal_publicity",
                "severity": "low",
                "description": f"普法责任清单未公开（{day}）",
                "found_on": day,
                "deadline": "2024-09-01",
            },
        )
        assert created.status == 201, await created.text()
        ids.append((await created.json())["id"])
    head = (await created.json())["position"]
    url = f"/v1/reports/open-loop?unit_id={world.city}&valid_at=2024-09-30&min_position={head}"
    whole = await answer(client, url + "&limit=500", OpenLoopReport, "/v1/reports/open-loop")
    assert whole["open_next_cursor"] is None and len(whole["open"]) == 4
    seen: list[str] = []
    cursor = None
    while True:
        page_url = url + "&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = await answer(client, page_url, OpenLoopReport, "/v1/reports/open-loop")
        assert page["totals"] == whole["totals"]
        seen += [f["id"] for f in page["open"]]
        cursor = page["open_next_cursor"]
        if cursor is None:
            break
    assert seen == [f["id"] for f in whole["open"]]
    assert set(seen) == set(ids)
