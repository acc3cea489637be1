"""GET /v1/search finds findings and inspections by their document numbers (文号): the
one they were raised or planned on and those of their later steps, within the
jurisdiction; the finding's and the inspection's answers list the same documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from aiohttp.test_utils import TestClient

from ledger.application import Ledger
from ledger.application.commands import (
    FeedBackResults,
    PlanInspection,
    PlanRectification,
    RaiseFinding,
    StartInspection,
)
from ledger.domain.vocab import Category, Severity
from tests.conftest import Issue, bearer
from tests.world import CTX, FOUND_ON, World, build_world

Client = TestClient[Any, Any]

PLAN_DOC = "锡法督〔2023〕5号"
FEEDBACK_DOC = "锡法督〔2024〕11号"
RAISED_DOC = "锡法督〔2024〕12号"
RECTIFY_DOC = "锡司发〔2024〕41号"


@dataclass
class Documented:
    world: World
    inspection: UUID
    finding: UUID
    token: dict[str, str]  # an inspector of the finding's city
    elsewhere: dict[str, str]  # an inspector of another city


@pytest.fixture
async def documented(ledger: Ledger, project: Any, issue: Issue) -> Documented:
    world, other = await build_world(ledger), await build_world(ledger)
    planned = await ledger.inspections.plan_inspection(
        CTX,
        PlanInspection(
            title="2024年度法治政府建设督察",
            year=2024,
            organizer_unit_id=world.office,
            target_unit_ids=[world.bureau],
            team=[world.inspector],
            topics=[Category.LAW_ENFORCEMENT],
            starts_on=date(2024, 5, 6),
            ends_on=date(2024, 5, 20),
            basis=PLAN_DOC,
        ),
    )
    await ledger.inspections.start_inspection(
        CTX, planned.id, StartInspection(started_on=date(2024, 5, 6))
    )
    await ledger.inspections.feed_back(
        CTX,
        planned.id,
        FeedBackResults(fed_back_on=date(2024, 5, 20), summary="反馈意见", basis=FEEDBACK_DOC),
    )
    raised = await ledger.findings.raise_finding(
        CTX,
        RaiseFinding(
            unit_id=world.bureau,
            inspection_id=planned.id,
            clue_id=None,
            category=Category.LAW_ENFORCEMENT,
            severity=Severity.HIGH,
            description="行政执法案卷缺法制审核意见",
            found_on=FOUND_ON,
            deadline=date(2024, 8, 31),
            basis=RAISED_DOC,
        ),
    )
    await ledger.findings.plan_rectification(
        CTX,
        raised.id,
        PlanRectification(
            measures="逐卷补正",
            owner_person_id=world.head,
            deadline=None,
            planned_on=date(2024, 5, 20),
            basis=RECTIFY_DOC,
        ),
    )
    await project()
    token = bearer(issue("inspector", unit=world.city, subject="inspector-documents"))
    elsewhere = bearer(issue("inspector", unit=other.city, subject="inspector-elsewhere"))
    return Documented(world, planned.id, raised.id, token, elsewhere)


async def _hits(client: Client, query: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/v1/search", params={"q": query}, headers=headers)
    assert response.status == 200, await response.text()
    items: list[dict[str, Any]] = (await response.json())["items"]
    return items


async def test_an_inspection_is_found_by_its_document_numbers(
    client: Client, documented: Documented
) -> None:
    d = documented
    for document in (PLAN_DOC, FEEDBACK_DOC):
        hits = await _hits(client, document, d.token)
        assert [(h["kind"], h["id"], h["snippet"]) for h in hits] == [
            ("inspection", str(d.inspection), document)
        ]
        assert hits[0]["label"] == "2024年度法治政府建设督察"
    assert await _hits(client, PLAN_DOC, d.elsewhere) == []
    body = await (await client.get(f"/v1/inspections/{d.inspection}")).json()
    assert body["documents"] == [PLAN_DOC, FEEDBACK_DOC]


async def test_a_finding_is_found_by_the_documents_of_its_loop(
    client: Client, documented: Documented
) -> None:
    d = documented
    for document in (RAISED_DOC, RECTIFY_DOC):
        hits = await _hits(client, document, d.token)
        assert [(h["kind"], h["id"], h["snippet"]) for h in hits] == [
            ("finding", str(d.finding), document)
        ]
        assert hits[0]["label"] == "行政执法案卷缺法制审核意见"
    assert await _hits(client, RAISED_DOC, d.elsewhere) == []
    # a part of a number finds every document holding it, wildcards taken as text
    shared = await _hits(client, "锡法督〔2024〕", d.token)
    assert {(h["kind"], h["snippet"]) for h in shared} == {
        ("inspection", FEEDBACK_DOC),
        ("finding", RAISED_DOC),
    }
    assert await _hits(client, "锡法督%5号", d.token) == []
    body = await (await client.get(f"/v1/findings/{d.finding}")).json()
    assert (body["basis"], body["documents"]) == (RAISED_DOC, [RAISED_DOC, RECTIFY_DOC])
