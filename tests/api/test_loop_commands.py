"""The loop's commands over HTTP: every endpoint's happy path, its answer and its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from ledger.application import Ledger
from ledger.domain.assessment import Assessment
from ledger.domain.finding import Finding
from ledger.domain.vocab import Grade, Liability
from tests.api.test_bad_inputs import post
from tests.conftest import log_count

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
FOUND_ON = "2024-05-10"


@dataclass(frozen=True)
class Loop:
    """The world of tests/world.py, built over HTTP, with a started inspection."""

    city: str
    bureau: str  # 市司法局, inspected
    office: str  # 市委依法治市办, the inspection body
    discipline: str  # 市纪委监委
    gone: str  # a dissolved unit
    secretary: str  # persons
    head: str
    deputy: str  # leader, portfolio law_enforcement
    clerk: str  # staff under the deputy
    inspector: str  # heads the office, no post in the bureau
    inspection: str  # started 2024-05-06, targets the bureau

    def ids(self) -> dict[str, str]:
        return dict(vars(self))


async def build_loop(client: TestClient[Any, Any], headers: dict[str, str]) -> Loop:
    async def unit(name: str, kind: str, parent: str | None) -> str:
        body = {"name": name, "kind": kind, "level": "municipal", "parent_id": parent}
        return str((await post(client, "/v1/units", body, headers))["id"])

    async def person(name: str) -> str:
        return str((await post(client, "/v1/persons", {"name": name}, headers))["id"])

    async def assign(unit_id: str, person_id: str, role: str, title: str, **extra: Any) -> str:
        body = {
            "unit_id": unit_id,
            "person_id": person_id,
            "role": role,
            "title": title,
            "effective_from": "2021-01-01",
            **extra,
        }
        return str((await post(client, "/v1/assignments", body, headers))["id"])

    city = await unit("无锡市委", "party_committee", None)
    bureau = await unit("无锡市司法局", "department", city)
    office = await unit("市委依法治市办", "inspection_body", city)
    discipline = await unit("市纪委监委", "discipline_body", city)
    gone = await unit("已撤销的办公室", "other", city)
    await post(client, f"/v1/units/{gone}/dissolve", {"reason": "机构改革"}, headers)
    secretary, head, deputy, clerk, inspector = [
        await person(n) for n in ("杜书记", "钱局长", "孙副局长", "李科员", "周督察")
    ]
    await assign(city, secretary, "principal", "市委书记", principal_title="party_secretary")
    head_post = await assign(bureau, head, "principal", "局长", principal_title="unit_head")
    deputy_post = await assign(
        bureau,
        deputy,
        "leader",
        "副局长",
        portfolio=["law_enforcement"],
        reports_to=head_post,
    )
    await assign(bureau, clerk, "staff", "科员", reports_to=deputy_post)
    await assign(office, inspector, "principal", "主任", principal_title="unit_head")
    planned = await post(client, "/v1/inspections", plan_body(office, bureau, inspector), headers)
    inspection = str(planned["id"])
    path = f"/v1/inspections/{inspection}/start"
    await post(client, path, {"started_on": "2024-05-06"}, headers)
    return Loop(
        city,
        bureau,
        office,
        discipline,
        gone,
        secretary,
        head,
        deputy,
        clerk,
        inspector,
        inspection,
    )


def plan_body(office: str, bureau: str, inspector: str) -> dict[str, Any]:
    return {
        "title": "2024年度法治政府建设督察",
        "year": 2024,
        "organizer_unit_id": office,
        "target_unit_ids": [bureau],
        "team": [inspector],
        "topics": ["law_enforcement", "major_decision"],
        "starts_on": "2024-05-06",
        "ends_on": "2024-05-20",
        "basis": "锡委法办〔2024〕3号",
    }


def finding_body(loop: Loop, **changes: Any) -> dict[str, Any]:
    body = {
        "unit_id": loop.bureau,
        "inspection_id": loop.inspection,
        "category": "law_enforcement",
        "severity": "high",
        "description": "行政执法“三项制度”落实不到位，执法记录不全",
        "found_on": FOUND_ON,
        "deadline": "2024-08-31",
    }
    return {k: v for k, v in (body | changes).items() if v is not None}


@pytest.fixture
async def loop(client: TestClient[Any, Any], headers: dict[str, str]) -> Loop:
    return await build_loop(client, headers)


async def topics(pool: asyncpg.Pool, stream_id: str) -> list[str]:
    """The short event types of a stream, in order."""
    rows = await pool.fetch(
        "SELECT topic FROM ledger_events WHERE stream_id = $1 ORDER BY position", UUID(stream_id)
    )
    return [row["topic"].rpartition(".")[2] for row in rows]


async def test_an_inspection_is_planned_started_evidenced_fed_back_and_closed(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    response = await client.post(
        "/v1/inspections", json=plan_body(loop.office, loop.bureau, loop.inspector), headers=headers
    )
    assert response.status == 201, await response.text()
    assert response.headers["ETag"] == '"1"'
    planned = await response.json()
    assert set(planned) == {"id", "version", "position"}
    path = f"/v1/inspections/{planned['id']}"
    steps = [
        ("start", {"started_on": "2024-05-06"}),
        (
            "evidence",
            {
                "method": "document_review",
                "summary": "查阅2023年执法案卷30卷",
                "document": "督察材料-2024-017",
                "sha256": SHA,
                "unit_id": loop.bureau,
                "collected_on": "2024-05-08",
            },
        ),
        ("evidence", {"method": "interview", "summary": "个别谈话", "collected_on": "2024-05-09"}),
        ("feedback", {"fed_back_on": "2024-05-20", "summary": "反馈问题3个"}),
        ("close", {"closed_on": "2024-05-21", "reason": "督察结束"}),
    ]
    for version, (step, body) in enumerate(steps, start=2):
        answer = await post(
            client, f"{path}/{step}", body, headers | {"If-Match": f'"{version - 1}"'}
        )
        assert (answer["id"], answer["version"]) == (planned["id"], version)
    assert await topics(pool, planned["id"]) == [
        "Planned",
        "Started",
        "EvidenceRecorded",
        "EvidenceRecorded",
        "ResultsFedBack",
        "Closed",
    ]


async def test_a_finding_goes_round_the_loop_and_closes_rectified(
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    ledger: Ledger,
    headers: dict[str, str],
    loop: Loop,
) -> None:
    response = await client.post("/v1/findings", json=finding_body(loop), headers=headers)
    assert response.status == 201, await response.text()
    raised = await response.json()
    finding = raised["id"]
    assert raised["version"] == 3  # raised, then the principal and the portfolio leader
    path = f"/v1/findings/{finding}"
    attribution = {"person_id": loop.clerk, "liability": "direct", "reason": "经办人"}
    await post(client, f"{path}/attributions", attribution, headers)
    withdrawn = {"reason": "认定有误"}
    await post(client, f"{path}/attributions/{loop.clerk}/withdraw", withdrawn, headers)
    await post(
        client,
        f"{path}/rectification-plan",
        {
            "measures": "补全执法记录，开展专项培训",
            "owner_person_id": loop.deputy,
            "deadline": "2024-08-15",
            "planned_on": "2024-05-20",
        },
        headers,
    )
    report = {
        "reported_on": "2024-06-30",
        "summary": "已完成培训",
        "evidence": [{"ref": "司法局〔2024〕12号", "sha256": SHA}, {"ref": "培训签到表"}],
        "complete": True,
    }
    await post(client, f"{path}/progress", report, headers)
    await post(
        client, f"{path}/reject", {"reason": "记录仍不全", "rejected_on": "2024-07-02"}, headers
    )
    partly = {"reported_on": "2024-07-10", "summary": "已补全一半"}
    assert (await post(client, f"{path}/progress", partly, headers))["version"] == 9
    done = {"reported_on": "2024-07-20", "summary": "记录已补全", "complete": True}
    await post(client, f"{path}/progress", done, headers)
    verified = await post(
        client, f"{path}/verify", {"verified_on": "2024-07-25", "note": "抽查无误"}, headers
    )
    closed = await post(
        client,
        f"{path}/close",
        {"outcome": "rectified", "closed_on": "2024-07-26"},
        headers | {"If-Match": f'"{verified["version"]}"'},
    )
    assert closed["version"] == verified["version"] + 1 == 12
    assert await topics(pool, finding) == [
        "Raised",
        "Attributed",
        "Attributed",
        "Attributed",
        "AttributionWithdrawn",
        "RectificationPlanned",
        "ProgressReported",
        "RectificationRejected",
        "ProgressReported",
        "ProgressReported",
        "RectificationVerified",
        "Closed",
    ]
    held = await ledger.store.get(Finding, UUID(finding))
    assert {str(p): a.liability for p, a in held.attributions.items()} == {
        loop.head: Liability.PRINCIPAL,
        loop.deputy: Liability.LEADERSHIP,
    }
    assert held.dated["reported_on"] == date(2024, 7, 20)


async def test_a_referred_finding_leads_to_a_case_sanctions_and_an_appeal(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    finding = (await post(client, "/v1/findings", finding_body(loop), headers))["id"]
    path = f"/v1/findings/{finding}"
    extension = {
        "new_deadline": "2024-10-31",
        "reason": "涉及多部门",
        "approver_person_id": loop.inspector,
        "extended_on": "2024-08-20",
    }
    await post(client, f"{path}/extend-deadline", extension, headers)
    referral = {"to_unit_id": loop.discipline, "reason": "失职", "referred_on": "2024-08-25"}
    await post(client, f"{path}/refer", referral, headers)

    response = await client.post(
        "/v1/accountability-cases",
        json={
            "person_id": loop.deputy,
            "finding_ids": [finding],
            "handling_unit_id": loop.discipline,
            "opened_on": "2024-09-01",
            "basis": "锡纪〔2024〕8号",
        },
        headers=headers,
    )
    assert response.status == 201, await response.text()
    case = (await response.json())["id"]
    cases = f"/v1/accountability-cases/{case}"
    imposed = await post(
        client,
        f"{cases}/sanctions",
        {"kind": "party_discipline", "decided_on": "2024-09-20"},
        headers,
    )
    assert set(imposed) == {"id", "version", "position", "sanction_id"}
    assert (imposed["id"], imposed["version"]) == (case, 2)
    sanction = imposed["sanction_id"]
    appeal = {"sanction_id": sanction, "appealed_on": "2024-09-25", "reason": "申诉"}
    await post(client, f"{cases}/appeal", appeal, headers)
    modified = {"kind": "admonishment_talk", "decided_on": "2024-10-10", "reason": "复核后改为诫勉"}
    await post(client, f"{cases}/sanctions/{sanction}/modify", modified, headers)

    second = await post(
        client,
        f"{cases}/sanctions",
        {"kind": "written_self_criticism", "decided_on": "2024-09-20"},
        headers,
    )
    other = f"{cases}/sanctions/{second['sanction_id']}"
    again = {"sanction_id": second["sanction_id"], "appealed_on": "2024-09-26", "reason": "申诉"}
    await post(client, f"{cases}/appeal", again, headers)
    await post(client, f"{other}/uphold", {"decided_on": "2024-10-11"}, headers)
    await post(client, f"{other}/revoke", {"decided_on": "2024-10-12", "reason": "撤销"}, headers)
    await post(client, f"{cases}/close", {"closed_on": "2024-10-15"}, headers)
    await post(client, f"{path}/close", {"outcome": "referred", "closed_on": "2024-10-16"}, headers)

    assert await topics(pool, case) == [
        "Opened",
        "SanctionImposed",
        "Appealed",
        "SanctionModified",
        "SanctionImposed",
        "Appealed",
        "SanctionUpheld",
        "SanctionRevoked",
        "Closed",
    ]
    assert (await topics(pool, finding))[-3:] == ["DeadlineExtended", "Referred", "Closed"]


async def test_a_clue_delivered_twice_is_one_clue_and_triage_raises_its_finding(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    clue = {
        "source": "hotline_12345",
        "external_id": "12345-2024-000871",
        "summary": "群众反映执法人员未出示证件",
        "received_at": "2024-04-02T09:30:00+08:00",
        "unit_id": loop.bureau,
    }
    first = await client.post("/v1/clues", json=clue, headers=headers)
    assert first.status == 201, await first.text()
    received = await first.json()
    before = await log_count(pool)
    # The same clue again (its time written in another offset is the same instant).
    same = clue | {"received_at": "2024-04-02T01:30:00Z"}
    again = await client.post("/v1/clues", json=same, headers=headers)
    assert again.status == 200, await again.text()
    assert await again.json() == received | {"already_received": True}
    assert "Idempotent-Replayed" not in again.headers
    # Other content under the same key: both versions come back, nothing is written.
    changed = await client.post(
        "/v1/clues", json=clue | {"summary": "重复推送", "unit_id": None}, headers=headers
    )
    assert changed.status == 409, await changed.text()
    assert changed.content_type == "application/problem+json"
    problem = await changed.json()
    assert problem["id"] == received["id"]
    assert problem["stored"] == {
        "summary": clue["summary"],
        "received_at": "2024-04-02T09:30:00+08:00",
        "unit_id": loop.bureau,
        "basis": None,
    }
    assert problem["delivered"] == problem["stored"] | {"summary": "重复推送", "unit_id": None}
    assert [e["field"] for e in problem["errors"]] == ["summary", "unit_id"]
    assert await log_count(pool) == before
    # A replay of the first delivery by its idempotency key answers as the first did.
    keyed = headers | {"Idempotency-Key": "clue-871"}
    other = clue | {"external_id": "12345-2024-000872"}
    created = await client.post("/v1/clues", json=other, headers=keyed)
    replayed = await client.post("/v1/clues", json=other, headers=keyed)
    assert (created.status, replayed.status) == (201, 201)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert await topics(pool, received["id"]) == ["Received"]

    response = await client.post(
        f"/v1/clues/{received['id']}/triage",
        json={
            "outcome": "finding",
            "reason": "经核实属实",
            "finding": {
                "unit_id": loop.bureau,
                "category": "law_enforcement",
                "severity": "medium",
                "description": "执法人员未出示执法证件",
                "found_on": FOUND_ON,
                "deadline": "2024-07-01",
            },
        },
        headers=headers,
    )
    assert response.status == 201, await response.text()
    raised = await response.json()
    assert raised["clue_id"] == received["id"] != raised["id"]
    assert response.headers["ETag"] == f'"{raised["version"]}"'
    assert await topics(pool, received["id"]) == ["Received", "Triaged"]
    assert (await topics(pool, raised["id"]))[0] == "Raised"

    other = await post(
        client, "/v1/clues", clue | {"source": "petition", "external_id": "XF-88"}, headers
    )
    assert other["id"] != received["id"]
    dismissed = await client.post(
        f"/v1/clues/{other['id']}/triage",
        json={"outcome": "dismissed", "reason": "不属于督察范围"},
        headers=headers,
    )
    assert dismissed.status == 200, await dismissed.text()
    assert (await dismissed.json())["id"] == other["id"]

    # A lead on something already found is linked to that finding; nothing is raised.
    third = await post(
        client,
        "/v1/clues",
        clue | {"source": "litigation", "external_id": "（2024）苏02行初1号"},
        headers,
    )
    before = await log_count(pool)
    linked = await client.post(
        f"/v1/clues/{third['id']}/triage",
        json={"outcome": "finding", "finding_id": raised["id"], "reason": "与已发现问题相同"},
        headers=headers,
    )
    assert linked.status == 200, await linked.text()
    assert await linked.json() == {
        "id": third["id"],
        "version": 2,
        "position": before + 1,
        "finding_id": raised["id"],
    }
    assert await topics(pool, third["id"]) == ["Received", "Triaged"]


async def test_a_finding_may_be_raised_from_a_clue_directly(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    clue = {
        "source": "litigation",
        "external_id": "2024苏0213行初45号",
        "summary": "行政诉讼败诉",
        "received_at": "2024-03-01T08:00:00Z",
    }
    received = await post(client, "/v1/clues", clue, headers)
    body = finding_body(loop, inspection_id=None, clue_id=received["id"])
    raised = await client.post("/v1/findings", json=body, headers=headers)
    assert raised.status == 201, await raised.text()
    assert await topics(pool, received["id"]) == ["Received", "Triaged"]
    finding = (await raised.json())["id"]
    dismissal = {"outcome": "dismissed", "reason": "已另案处理", "closed_on": "2024-05-12"}
    await post(client, f"/v1/findings/{finding}/close", dismissal, headers)
    assert (await topics(pool, finding))[-1] == "Closed"


async def test_a_bulletin_circulates_an_inspections_findings(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    finding = (await post(client, "/v1/findings", finding_body(loop), headers))["id"]
    response = await client.post(
        "/v1/bulletins",
        json={
            "kind": "special_report",
            "title": "关于市司法局督察情况的专报",
            "inspection_id": loop.inspection,
            "finding_ids": [finding],
            "recipient_unit_ids": [loop.city, loop.discipline],
            "issued_on": "2024-05-25",
            "summary": "发现问题1个",
        },
        headers=headers,
    )
    assert response.status == 201, await response.text()
    issued = await response.json()
    assert issued["version"] == 1
    assert await topics(pool, issued["id"]) == ["Issued"]


async def test_an_indicator_set_an_assessment_and_a_reassessment(
    client: TestClient[Any, Any], ledger: Ledger, headers: dict[str, str], loop: Loop
) -> None:
    response = await client.post(
        "/v1/assessments/indicator-sets",
        json={
            "year": 2024,
            "name": "2024年法治政府建设考核",
            "indicators": [
                {"code": "A1", "name": "依法决策", "weight": 59.5},
                {"code": "A2", "name": "严格执法", "weight": 40.5},
            ],
        },
        headers=headers,
    )
    assert response.status == 201, await response.text()
    indicator_set = (await response.json())["id"]
    body = {
        "indicator_set_id": indicator_set,
        "unit_id": loop.bureau,
        "scores": {"A1": 90, "A2": 80},
        "assessed_on": "2025-01-15",
    }
    first = await client.post("/v1/assessments", json=body, headers=headers)
    assert first.status == 201, await first.text()
    assessed = await first.json()
    again = await client.post(
        "/v1/assessments",
        json=body | {"scores": {"A1": 90, "A2": 70.5}, "reason": "复核扣分", "grade": "pass"},
        headers=headers,
    )
    assert again.status == 200, await again.text()
    reassessed = await again.json()
    assert (reassessed["id"], reassessed["version"]) == (assessed["id"], 2)
    assessment = await ledger.store.get(Assessment, UUID(assessed["id"]))
    assert assessment.scores == {"A1": Decimal(90), "A2": Decimal("70.5")}
    assert (assessment.total, assessment.grade) == (Decimal("82.10"), Grade.PASS)


async def test_a_loop_command_is_idempotent_by_key(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    finding = (await post(client, "/v1/findings", finding_body(loop), headers))["id"]
    keyed = headers | {"Idempotency-Key": "plan-1"}
    path = f"/v1/findings/{finding}/rectification-plan"
    body = {"measures": "专项整改", "planned_on": "2024-05-20"}
    first = await post(client, path, body, keyed)
    before = await log_count(pool)
    repeat = await client.post(path, json=body, headers=keyed)
    assert repeat.status == 200
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert await repeat.json() == first
    assert await log_count(pool) == before


async def test_a_finding_is_corrected_not_overwritten(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], loop: Loop
) -> None:
    finding = (await post(client, "/v1/findings", finding_body(loop), headers))["id"]
    path = f"/v1/findings/{finding}/correct"
    body = {"field": "severity", "new": "critical", "reason": "复核后定为特别严重"}
    corrected = await post(client, path, body, headers | {"If-Match": '"3"'})
    assert corrected["version"] == 4  # Raised and two attributions, then the correction
    shown = await client.get(f"/v1/findings/{finding}?min_position={corrected['position']}")
    assert (await shown.json())["severity"] == "critical"
    assert (await topics(pool, finding))[-1] == "Corrected"
    stale = await client.post(
        path, json=body | {"new": "low"}, headers=headers | {"If-Match": '"3"'}
    )
    assert stale.status == 412
