"""GET /v1/reports/open-loop with Accept: text/csv: every open finding of the
jurisdiction (not a page), overdue first, under Chinese headers with codes by their
labels and the documents (文号); an export the access log records."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from uuid import UUID

from aiohttp.test_utils import TestClient

from ledger.api.keys import LEDGER, POOL
from ledger.api.openapi import build_openapi
from ledger.application.commands import CloseFinding, RaiseFinding
from ledger.domain.vocab import Category, Outcome, Severity
from tests.api.test_record_views import head
from tests.world import CTX, FOUND_ON, build_world, raised_finding, started_inspection

Client = TestClient[Any, Any]
HEADERS = (
    "单位,问题描述,问题类别,严重程度,办理阶段,发现日期,原整改期限,现整改期限,逾期天数,文号,问题编号"
)
MANY = 52  # more than a page of the JSON answer (50)


async def test_every_open_finding_most_overdue_first(client: Client) -> None:
    ledger = client.app[LEDGER]
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    worst = await ledger.findings.raise_finding(
        CTX,
        RaiseFinding(
            unit_id=world.bureau,
            inspection_id=inspection,
            clue_id=None,
            category=Category.MAJOR_DECISION,
            severity=Severity.CRITICAL,
            description="重大行政决策未经合法性审查",
            found_on=FOUND_ON,
            deadline=date(2024, 6, 30),
            basis="锡法督〔2024〕11号",
        ),
    )
    later = [
        await raised_finding(ledger, world, inspection, deadline=date(2024, 9, 1))
        for _ in range(MANY)
    ]
    closed = await raised_finding(ledger, world, inspection, deadline=date(2024, 6, 1))
    await ledger.findings.close_finding(
        CTX, closed, CloseFinding(outcome=Outcome.DISMISSED, reason="不予认定", closed_on=FOUND_ON)
    )
    url = f"/v1/reports/open-loop?unit_id={world.city}&valid_at=2024-09-30"
    url += f"&min_position={await head(client)}"

    response = await client.get(url, headers={"Accept": "text/csv"})
    assert response.status == 200, await response.text()
    assert (response.content_type, response.charset) == ("text/csv", "utf-8")
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="open-loop-{world.city}-2024-09-30.csv"'
    raw = await response.read()
    assert raw.startswith(b"\xef\xbb\xbf" + HEADERS.encode() + b"\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + MANY  # all of them, the closed one not
    first = rows[0]
    assert first == {
        "单位": "无锡市司法局",
        "问题描述": "重大行政决策未经合法性审查",
        "问题类别": "重大行政决策",
        "严重程度": "特别严重",
        "办理阶段": "待整改",
        "发现日期": "2024-05-10",
        "原整改期限": "2024-06-30",
        "现整改期限": "2024-06-30",
        "逾期天数": "92",
        "文号": "锡法督〔2024〕11号",
        "问题编号": str(worst.id),
    }
    assert {r["逾期天数"] for r in rows[1:]} == {"29"}
    assert {UUID(r["问题编号"]) for r in rows[1:]} == set(later)
    assert {r["文号"] for r in rows[1:]} == {""}

    as_json = await (await client.get(url)).json()
    assert len(as_json["open"]) == 50  # the JSON pages; the CSV does not
    assert response.headers["Ledger-Position"] == str(as_json["position"])
    exported = await client.app[POOL].fetch(
        "SELECT target_kind, target_id, outcome FROM access_log WHERE action = 'open_loop_report'"
    )
    assert [tuple(r) for r in exported] == [("unit", world.city, 200)]


async def test_a_page_is_not_asked_of_the_csv(client: Client) -> None:
    world = await build_world(client.app[LEDGER])
    for query in ("limit=10", "cursor=abc"):
        response = await client.get(
            f"/v1/reports/open-loop?unit_id={world.city}&{query}", headers={"Accept": "text/csv"}
        )
        assert response.status == 422, await response.text()
        assert response.content_type == "application/problem+json"
        assert (await response.json())["errors"][0]["field"] == query.split("=")[0]


def test_the_contract_says_csv() -> None:
    answer = build_openapi()["paths"]["/v1/reports/open-loop"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {"application/json", "text/csv"}
