"""Evaluation references (考核评价参考) over HTTP, as JSON and as CSV."""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiohttp.test_utils import TestClient

from ledger.api.keys import LEDGER, POOL
from ledger.api.resources.reports.evaluation_csv import COLUMNS
from ledger.api.resources.reports.evaluation_schemas import PersonReference, UnitReference
from ledger.application import Ledger
from ledger.application.commands import (
    AppealSanction,
    AssessUnit,
    Attribute,
    DefineIndicatorSet,
    EndAssignment,
    ExtendDeadline,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    PlanRectification,
    ReportProgress,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.domain.vocab import Category, EndReason, Liability, SanctionKind
from ledger.offline import main as offline_main
from ledger.offline import parse_leaf
from tests.api.test_record_views import conforms, head
from tests.world import CTX, FOUND_ON, World, build_world, raised_finding, started_inspection

Client = TestClient[Any, Any]
YEAR_2024 = "from=2024-01-01&to=2024-12-31"
RECTIFIED_ON = "锡司发〔2024〕41号"  # the document a verification cites


@dataclass
class Story:
    world: World
    late: UUID  # owned by the bureau head: verified after its extended deadline
    on_time: UUID  # owned by the head: verified before its deadline
    open: UUID  # owned by the head: neither verified nor closed, overdue
    extended: UUID  # owned by the deputy: verified within its extension
    case: UUID
    sanction: UUID
    before_modification: int


async def rectify(
    ledger: Ledger,
    finding: UUID,
    owner: UUID,
    verified_on: date | None,
    extend_to: date | None = None,
    approver: UUID | None = None,
) -> None:
    await ledger.findings.plan_rectification(
        CTX,
        finding,
        PlanRectification(
            measures="建立执法全过程记录制度",
            owner_person_id=owner,
            deadline=None,
            planned_on=date(2024, 5, 20),
        ),
    )
    if extend_to is not None:
        assert approver is not None
        await ledger.findings.extend_deadline(
            CTX,
            finding,
            ExtendDeadline(
                new_deadline=extend_to,
                approver_person_id=approver,
                reason="涉及多部门",
                extended_on=date(2024, 6, 20),
            ),
        )
    if verified_on is not None:
        await ledger.findings.report_progress(
            CTX,
            finding,
            ReportProgress(reported_on=verified_on, summary="整改完成", evidence=[], complete=True),
        )
        verification = VerifyRectification(verified_on=verified_on, note=None, basis=RECTIFIED_ON)
        await ledger.findings.verify_rectification(CTX, finding, verification)


async def story(ledger: Ledger) -> Story:
    """The bureau head: principal of an assessed unit, attributed findings, one rectified
    late after an extension, a sanction modified on appeal."""
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    late = await raised_finding(ledger, world, inspection, deadline=date(2024, 8, 31))
    await ledger.findings.attribute(
        CTX, late, Attribute(person_id=world.clerk, liability=Liability.DIRECT, reason="经办")
    )
    await ledger.findings.withdraw_attribution(
        CTX, late, world.clerk, WithdrawAttribution(reason="认定有误")
    )
    await rectify(ledger, late, world.head, date(2024, 10, 20), date(2024, 9, 30), world.inspector)
    on_time = await raised_finding(ledger, world, inspection, Category.MAJOR_DECISION)
    await rectify(ledger, on_time, world.head, date(2024, 7, 5))
    still_open = await raised_finding(
        ledger, world, inspection, Category.LEGAL_PUBLICITY, date(2024, 7, 1)
    )
    await rectify(ledger, still_open, world.head, None)
    extended = await raised_finding(ledger, world, inspection, deadline=date(2024, 6, 30))
    await rectify(
        ledger, extended, world.deputy, date(2024, 9, 1), date(2024, 9, 30), world.inspector
    )
    case = await ledger.cases.open_case(
        CTX,
        OpenCase(
            person_id=world.head,
            finding_ids=[late],
            handling_unit_id=world.discipline,
            opened_on=date(2024, 11, 1),
        ),
    )
    imposed = await ledger.cases.impose_sanction(
        CTX,
        case.id,
        ImposeSanction(kind=SanctionKind.PARTY_DISCIPLINE, decided_on=date(2024, 11, 10)),
    )
    sanction = UUID(imposed.detail["sanction_id"])
    appealed = await ledger.cases.appeal_sanction(
        CTX,
        case.id,
        AppealSanction(sanction_id=sanction, appealed_on=date(2024, 11, 15), reason="申诉"),
    )
    await ledger.cases.modify_sanction(
        CTX,
        case.id,
        sanction,
        ModifySanction(
            kind=SanctionKind.ADMONISHMENT_TALK,
            decided_on=date(2024, 12, 1),
            reason="复核后改为诫勉",
        ),
    )
    for year, total in ((2023, 75), (2024, 91)):
        defined = await ledger.assessments.define_indicator_set(
            CTX,
            DefineIndicatorSet(
                year=year,
                name=f"{year}年法治政府建设考核",
                indicators=[{"code": "A1", "name": "依法行政", "weight": Decimal(100)}],
            ),
        )
        await ledger.assessments.assess_unit(
            CTX,
            AssessUnit(
                indicator_set_id=defined.id,
                unit_id=world.bureau,
                scores={"A1": Decimal(total)},
                grade=None,
                assessed_on=date(year + 1, 1, 15),
            ),
        )
    await ledger.assignments.end_assignment(
        CTX,
        world.head_post,
        EndAssignment(effective_to=date(2025, 3, 1), reason=EndReason.TRANSFERRED),
    )
    return Story(world, late, on_time, still_open, extended, case.id, sanction, appealed.position)


@pytest.fixture
async def told(client: Client) -> Story:
    return await story(client.app[LEDGER])


async def get(client: Client, url: str, **headers: str) -> Any:
    response = await client.get(f"{url}&min_position={await head(client)}", headers=headers)
    assert response.status == 200, await response.text()
    return response


async def reference(client: Client, url: str) -> dict[str, Any]:
    response = await get(client, url)
    body = dict(await response.json())
    assert response.headers["Ledger-Position"] == str(body["position"])
    return body


async def test_the_reference_of_a_principal_over_a_year(client: Client, told: Story) -> None:
    w = told.world
    body = await reference(client, f"/v1/persons/{w.head}/evaluation-reference?{YEAR_2024}")
    conforms(body, "/v1/persons/{id}/evaluation-reference", PersonReference)
    assert body["person"] == {"id": str(w.head), "name": "钱局长"}
    assert body["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert (body["position"], body["as_of"]) == (await head(client), "2024-12-31")
    (role,) = body["roles"]
    assert (role["unit_name"], role["role"], role["principal_title"]) == (
        "无锡市司法局",
        "principal",
        "unit_head",
    )
    assert role["effective_to"] == "2025-03-01"
    principal = {f["id"] for f in body["findings"]["principal"]}
    assert principal == {str(f) for f in (told.late, told.on_time, told.open, told.extended)}
    assert body["findings"]["leadership"] == body["findings"]["direct"] == []
    rectification = body["rectification"]
    assert rectification["counts"] == {
        "total": 3,
        "on_time": 1,
        "on_time_after_extension": 0,
        "late": 1,
        "open": 1,
        "closed_unverified": 0,
        "overdue": 1,
    }
    timing = {i["id"]: (i["timing"], i["days_overdue"]) for i in rectification["items"]}
    assert timing[str(told.late)] == ("late", 0)
    assert timing[str(told.open)] == ("open", (date(2024, 12, 31) - date(2024, 7, 1)).days)
    (case,) = body["accountability"]
    (sanction,) = case["sanctions"]
    assert (sanction["kind"], sanction["original_kind"], sanction["state"]) == (
        "admonishment_talk",
        "party_discipline",
        "modified",
    )
    assert [s["step"] for s in sanction["steps"]] == ["imposed", "appealed", "modified"]
    (assessment,) = body["assessments"]
    assert (assessment["unit_name"], assessment["year"], assessment["total"]) == (
        "无锡市司法局",
        2024,
        91.0,
    )
    assert (assessment["grade"], assessment["assignment_id"]) == ("excellent", str(w.head_post))


async def test_a_longer_period_brings_in_the_earlier_year(client: Client, told: Story) -> None:
    url = f"/v1/persons/{told.world.head}/evaluation-reference?from=2023-06-01&to=2024-12-31"
    body = await reference(client, url)
    assert [(a["year"], a["grade"]) for a in body["assessments"]] == [
        (2024, "excellent"),
        (2023, "pass"),
    ]
    # A period before any of it: the role alone.
    body = await reference(
        client, f"/v1/persons/{told.world.head}/evaluation-reference?from=2021-01-01&to=2021-12-31"
    )
    assert len(body["roles"]) == 1
    assert body["accountability"] == body["assessments"] == []
    assert body["rectification"]["counts"]["total"] == 0


async def test_leadership_liability_and_withdrawn_attributions(client: Client, told: Story) -> None:
    w = told.world
    deputy = await reference(client, f"/v1/persons/{w.deputy}/evaluation-reference?{YEAR_2024}")
    conforms(deputy, "/v1/persons/{id}/evaluation-reference", PersonReference)
    assert {f["id"] for f in deputy["findings"]["leadership"]} == {
        str(told.late),
        str(told.extended),
    }
    (owned,) = deputy["rectification"]["items"]
    assert (owned["id"], owned["timing"]) == (str(told.extended), "on_time_after_extension")
    assert deputy["assessments"] == deputy["accountability"] == []
    clerk = await reference(client, f"/v1/persons/{w.clerk}/evaluation-reference?{YEAR_2024}")
    assert clerk["findings"]["direct"] == []


async def test_known_at_before_the_modification(client: Client, told: Story) -> None:
    recorded_at = await client.app[POOL].fetchval(
        "SELECT recorded_at FROM ledger_seal WHERE position = $1", told.before_modification
    )
    known_at = recorded_at.isoformat().replace("+00:00", "Z")
    url = f"/v1/persons/{told.world.head}/evaluation-reference?{YEAR_2024}&known_at={known_at}"
    body = await reference(client, url)
    conforms(body, "/v1/persons/{id}/evaluation-reference", PersonReference)
    assert body["position"] == told.before_modification
    (sanction,) = body["accountability"][0]["sanctions"]
    assert (sanction["kind"], sanction["state"]) == ("party_discipline", "appealed")
    assert body["assessments"] == []  # not yet assessed then


async def test_the_unit_reference_with_and_without_its_jurisdiction(
    client: Client, told: Story
) -> None:
    w = told.world
    url = f"/v1/units/{w.city}/evaluation-reference?{YEAR_2024}"
    alone = await reference(client, url)
    conforms(alone, "/v1/units/{id}/evaluation-reference", UnitReference)
    assert [p["person_name"] for p in alone["principals"]] == ["杜书记"]
    assert (alone["findings"]["total"], alone["accountability"], alone["assessments"]) == (
        0,
        [],
        [],
    )
    assert alone["rectification"]["rates"] == {
        "on_time": None,
        "on_time_after_extension": None,
        "late": None,
        "open": None,
    }
    whole = await reference(client, url + "&include_subunits=true")
    conforms(whole, "/v1/units/{id}/evaluation-reference", UnitReference)
    assert whole["include_subunits"] is True
    assert whole["units"][0] == {"id": str(w.city), "name": "无锡市委"}
    assert {u["name"] for u in whole["units"][1:]} == {
        "无锡市司法局",
        "市委依法治市办",
        "市纪委监委",
        "市委组织部",
    }
    assert {p["person_name"] for p in whole["principals"]} == {"杜书记", "钱局长", "周督察"}
    findings = whole["findings"]
    assert findings["total"] == 4
    assert findings["by_category"] == {
        "law_enforcement": 2,
        "major_decision": 1,
        "legal_publicity": 1,
    }
    assert sum(findings["by_stage"].values()) == 4
    # On time is by the original deadline: the finding verified within its extension is not.
    assert whole["rectification"]["rates"] == {
        "on_time": 0.25,
        "on_time_after_extension": 0.25,
        "late": 0.25,
        "open": 0.25,
    }
    assert [c["id"] for c in whole["accountability"]] == [str(told.case)]
    assert [(a["unit_name"], a["year"]) for a in whole["assessments"]] == [("无锡市司法局", 2024)]


async def test_the_reference_as_csv(client: Client, told: Story) -> None:
    """What a personnel department files: Chinese headers, labels for codes, the finding's
    description, its documents, sanction reasons and the ledger position."""
    url = f"/v1/persons/{told.world.head}/evaluation-reference?{YEAR_2024}"
    response = await get(client, url, Accept="text/csv")
    assert response.content_type == "text/csv"
    assert response.charset == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.csv"')
    raw = await response.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")[1:]
    assert text.split("\r\n")[0] == ",".join(header for _, header in COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    sections = [r["类别"] for r in rows]
    assert sections.count("任职") == 1
    assert sections.count("问题") == 4
    assert sections.count("整改") == 3
    assert sections.count("问责") == 1
    assert sections.count("考核") == 1
    as_json = await reference(client, url)
    assert response.headers["Ledger-Position"] == str(as_json["position"])
    assert {r["账本位置"] for r in rows} == {str(as_json["position"])}
    (sanction,) = [r for r in rows if r["类别"] == "问责"]
    assert (sanction["处理方式"], sanction["原处理方式"], sanction["处理状态"]) == (
        "诫勉",
        "党纪处分",
        "变更",
    )
    assert sanction["处理过程"].startswith("2024-11-10 已作出 党纪处分；")
    assert sanction["处理事由"] == "申诉中：申诉；变更：复核后改为诫勉"
    (role,) = [r for r in rows if r["类别"] == "任职"]
    assert (role["单位"], role["职务"], role["岗位类别"]) == ("无锡市司法局", "局长", "主要负责人")
    late = next(r for r in rows if r["类别"] == "整改" and r["记录编号"] == str(told.late))
    assert (late["整改时效"], late["现整改期限"], late["是否逾期"]) == (
        "逾期整改",
        "2024-09-30",
        "否",
    )
    assert late["问题描述"] == "行政执法“三项制度”落实不到位，执法记录不全"
    assert (late["问题类别"], late["严重程度"], late["办理阶段"]) == ("行政执法", "严重", "已验收")
    assert late["文号"] == RECTIFIED_ON
    unit = await get(
        client,
        f"/v1/units/{told.world.city}/evaluation-reference?{YEAR_2024}&include_subunits=true",
        Accept="application/json;q=0.5, text/csv",
    )
    assert unit.content_type == "text/csv"
    text = (await unit.read()).decode("utf-8-sig")
    unit_rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["类别"] for r in unit_rows} == {"任职", "问题", "问责", "考核"}
    preferred = await get(client, url, Accept="application/json, text/csv;q=0.5")
    assert preferred.content_type == "application/json"
    # the JSON carries the documents the CSV shows
    (item,) = [i for i in as_json["rectification"]["items"] if i["id"] == str(told.late)]
    assert (item["basis"], item["documents"]) == (None, [RECTIFIED_ON])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2024-12-31", "from"),
        ("from=2024-01-01", "to"),
        ("", "from"),
        ("from=2024-12-31&to=2024-01-01", "from"),
        ("from=2024-13-01&to=2024-12-31", "from"),
        ("from=20240101&to=2024-12-31", "from"),
        ("from=2024-01-01&to=2024-02-30", "to"),
        ("from=1800-01-01&to=2024-12-31", "from"),
        ("from=2024-01-01&to=2024-12-31&known_at=2024-01-01", "known_at"),
        ("from=2024-01-01&to=2024-12-31&min_position=-1", "min_position"),
    ],
)
@pytest.mark.parametrize("kind", ["persons", "units"])
async def test_bad_inputs_name_the_field(client: Client, kind: str, query: str, field: str) -> None:
    # Inputs are checked before the subject is looked up: any id will do.
    response = await client.get(f"/v1/{kind}/{uuid4()}/evaluation-reference?{query}")
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    assert (await response.json())["errors"][0]["field"] == field


@pytest.mark.parametrize("kind", ["persons", "units"])
async def test_unknown_and_bad_ids(client: Client, kind: str) -> None:
    unknown = await client.get(f"/v1/{kind}/{uuid4()}/evaluation-reference?{YEAR_2024}")
    assert unknown.status == 404
    bad = await client.get(f"/v1/{kind}/nope/evaluation-reference?{YEAR_2024}")
    assert bad.status == 422
    assert (await bad.json())["errors"][0]["field"] == "id"


@pytest.mark.parametrize("value", ["yes", "1", "TRUE", ""])
async def test_include_subunits_is_true_or_false(client: Client, value: str) -> None:
    url = f"/v1/units/{uuid4()}/evaluation-reference?{YEAR_2024}&include_subunits={value}"
    response = await client.get(url)
    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "include_subunits"


async def test_period_of_a_single_day(client: Client, told: Story) -> None:
    day = FOUND_ON.isoformat()
    body = await reference(
        client, f"/v1/units/{told.world.bureau}/evaluation-reference?from={day}&to={day}"
    )
    assert body["findings"]["total"] == 4
    assert body["as_of"] == day
    assert body["rectification"]["counts"]["overdue"] == 0


async def test_proofs_let_the_reference_be_verified_offline(
    client: Client, told: Story, tmp_path: Path
) -> None:
    """Every event the reference states comes with its inclusion proof; the record the
    answer carries is what `ledger-verify record` checks, with no access to the service."""
    w = told.world
    url = f"/v1/persons/{w.head}/evaluation-reference?{YEAR_2024}&proofs=true"
    body = await reference(client, url)
    conforms(body, "/v1/persons/{id}/evaluation-reference", PersonReference)
    record = body["proofs"]
    assert record["format"] == "ledger-proof-v1" and record["unproved"] == []
    assert record["tree_size"] >= body["position"]  # a checkpoint covering it was signed
    leaves = [parse_leaf(base64.b64decode(e["leaf"])) for e in record["events"]]
    streams = {UUID(leaf["stream_id"]) for leaf in leaves}
    assert {w.head, w.head_post, told.late, told.on_time, told.open, told.case} <= streams
    assert w.deputy_post not in streams  # nothing the reference does not state
    topics = [
        leaf["topic"].rsplit(":", 1)[1] for leaf in leaves if leaf["stream_id"] == str(told.case)
    ]
    assert topics == [
        "AccountabilityCase.Opened",
        "AccountabilityCase.SanctionImposed",
        "AccountabilityCase.Appealed",
        "AccountabilityCase.SanctionModified",
    ]
    assert [e["position"] for e in record["events"]] == sorted(
        e["position"] for e in record["events"]
    )

    key = (await (await client.get("/v1/ledger/public-key")).text()).strip()
    (tmp_path / "key").write_text(key)
    (tmp_path / "record.json").write_text(json.dumps(record, ensure_ascii=False))
    verify = ["record", "--key", str(tmp_path / "key"), str(tmp_path / "record.json")]
    assert offline_main(verify) == 0
    record["events"][0]["leaf"] = record["events"][1]["leaf"]  # a statement swapped
    (tmp_path / "record.json").write_text(json.dumps(record, ensure_ascii=False))
    assert offline_main(verify) == 1

    unit = await reference(
        client, f"/v1/units/{w.bureau}/evaluation-reference?{YEAR_2024}&proofs=true"
    )
    conforms(unit, "/v1/units/{id}/evaluation-reference", UnitReference)
    unit_streams = {
        UUID(parse_leaf(base64.b64decode(e["leaf"]))["stream_id"]) for e in unit["proofs"]["events"]
    }
    assert {w.bureau, w.head_post, told.late, told.extended, told.case} <= unit_streams
    plain = await reference(client, f"/v1/persons/{w.head}/evaluation-reference?{YEAR_2024}")
    assert "proofs" not in plain


@pytest.mark.parametrize(
    ("query", "accept"),
    [("proofs=yes", "application/json"), ("proofs=true", "text/csv")],
)
async def test_proofs_is_true_or_false_and_comes_with_json(
    client: Client, query: str, accept: str
) -> None:
    url = f"/v1/persons/{uuid4()}/evaluation-reference?{YEAR_2024}&{query}"
    response = await client.get(url, headers={"Accept": accept})
    assert response.status == 422, await response.text()
    assert (await response.json())["errors"][0]["field"] == "proofs"
