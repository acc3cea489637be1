"""Bad input to the loop's commands: a problem+json 4xx naming the field, and nothing written."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from tests.api.test_bad_inputs import UNKNOWN, Ref, assert_problem, post, resolve
from tests.api.test_loop_commands import build_loop, finding_body, plan_body
from tests.conftest import log_count


@pytest.fixture
async def ids(client: TestClient[Any, Any], headers: dict[str, str]) -> dict[str, str]:
    """The loop's world, plus: a planned inspection; a raised finding (version 3,
    attributed to the head and the deputy); a clue triaged into a finding, and one not
    triaged (open_clue); a case against
    the deputy on the finding with one imposed sanction; an indicator set (A1 60, A2 40)
    with the bureau assessed against it."""
    loop = await build_loop(client, headers)
    found = loop.ids()

    async def created(path: str, body: dict[str, Any]) -> str:
        return str((await post(client, path, body, headers))["id"])

    found["planned"] = await created(
        "/v1/inspections", plan_body(loop.office, loop.bureau, loop.inspector)
    )
    found["finding"] = await created("/v1/findings", finding_body(loop))
    clue = {
        "source": "petition",
        "external_id": "XF-2024-1",
        "summary": "信访反映",
        "received_at": "2024-04-02T09:30:00+08:00",
    }
    found["clue"] = await created("/v1/clues", clue)
    triage = {
        "outcome": "finding",
        "finding": {k: v for k, v in finding_body(loop).items() if k != "inspection_id"},
    }
    await post(client, f"/v1/clues/{found['clue']}/triage", triage, headers)
    found["open_clue"] = await created("/v1/clues", clue | {"external_id": "XF-2024-2"})
    case = {
        "person_id": loop.deputy,
        "finding_ids": [found["finding"]],
        "handling_unit_id": loop.discipline,
        "opened_on": "2024-09-01",
    }
    found["case"] = await created("/v1/accountability-cases", case)
    sanction = {"kind": "party_discipline", "decided_on": "2024-09-20"}
    imposed = await post(
        client, f"/v1/accountability-cases/{found['case']}/sanctions", sanction, headers
    )
    found["sanction"] = imposed["sanction_id"]
    indicators = [
        {"code": "A1", "name": "依法决策", "weight": 60},
        {"code": "A2", "name": "严格执法", "weight": 40},
    ]
    indicator_set = {"year": 2024, "name": "考核", "indicators": indicators}
    found["indicator_set"] = await created("/v1/assessments/indicator-sets", indicator_set)
    await post(client, "/v1/assessments", assess_body().resolve(found), headers)
    return found | {"unknown": UNKNOWN}


@dataclass(frozen=True)
class Body:
    """A request body whose ``Ref`` values are ids of the fixture's world."""

    fields: dict[str, Any]

    def resolve(self, ids: dict[str, str]) -> dict[str, Any]:
        resolved: dict[str, Any] = resolve(self.fields, ids)
        return resolved


def body(base: dict[str, Any], changes: dict[str, Any]) -> Body:
    """``base`` with ``changes``; a change to None leaves the field out."""
    return Body({k: v for k, v in (base | changes).items() if v is not None})


def plan(**changes: Any) -> Body:
    base = plan_body("", "", "") | {
        "organizer_unit_id": Ref("office"),
        "target_unit_ids": [Ref("bureau")],
        "team": [Ref("inspector")],
    }
    return body(base, changes)


def raise_body(**changes: Any) -> Body:
    base = {
        "unit_id": Ref("bureau"),
        "inspection_id": Ref("inspection"),
        "category": "law_enforcement",
        "severity": "high",
        "description": "执法记录不全",
        "found_on": "2024-05-10",
        "deadline": "2024-08-31",
    }
    return body(base, changes)


def attribute_body(**changes: Any) -> Body:
    base = {"person_id": Ref("clerk"), "liability": "direct", "reason": "经办人"}
    return body(base, changes)


def case_body(**changes: Any) -> Body:
    base = {
        "person_id": Ref("deputy"),
        "finding_ids": [Ref("finding")],
        "handling_unit_id": Ref("discipline"),
    }
    return body(base, changes)


def clue_body(**changes: Any) -> Body:
    base = {
        "source": "hotline_12345",
        "external_id": "12345-1",
        "summary": "热线反映",
        "received_at": "2024-04-02T09:30:00+08:00",
    }
    return body(base, changes)


def triage_body(**changes: Any) -> Body:
    finding = {
        "unit_id": Ref("bureau"),
        "category": "law_enforcement",
        "severity": "low",
        "description": "线索属实",
        "found_on": "2024-05-10",
        "deadline": "2024-08-31",
    }
    return body({"outcome": "finding", "finding": finding}, changes)


def bulletin_body(**changes: Any) -> Body:
    base = {
        "kind": "brief",
        "title": "督察简报",
        "inspection_id": Ref("inspection"),
        "finding_ids": [Ref("finding")],
        "recipient_unit_ids": [Ref("city")],
        "issued_on": "2024-05-25",
    }
    return body(base, changes)


def indicator_set_body(*weights: Any, **changes: Any) -> Body:
    indicators = [
        {"code": f"A{n}", "name": f"指标{n}", "weight": w} for n, w in enumerate(weights, 1)
    ]
    return body({"year": 2024, "name": "考核", "indicators": indicators}, changes)


def assess_body(**changes: Any) -> Body:
    base = {
        "indicator_set_id": Ref("indicator_set"),
        "unit_id": Ref("bureau"),
        "scores": {"A1": 90, "A2": 80},
        "assessed_on": "2025-01-15",
    }
    return body(base, changes)


@dataclass(frozen=True)
class Case:
    """One refused request; ``stage`` is the stage a 409 illegal transition names."""

    path: str
    body: Body
    status: int = 422
    field: str | None = None
    rule: str | None = None
    stage: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


FINDING = "/v1/findings/{finding}"
CASE = "/v1/accountability-cases/{case}"
NOW = "2024-06-01"
REASON = {"reason": "理由"}


def illegal(path: str, fields: dict[str, Any], stage: str, field: str | None = None) -> Case:
    return Case(path, Body(fields), 409, field, "illegal_transition", stage)


CASES: dict[str, Case] = {
    # POST /v1/inspections and its steps
    "plan-ends-before-starts": Case(
        "/v1/inspections", plan(ends_on="2024-05-01"), field="ends_on", rule="invalid_input"
    ),
    "plan-starts-outside-year": Case(
        "/v1/inspections", plan(year=2023), field="starts_on", rule="invalid_input"
    ),
    "plan-unknown-organizer": Case(
        "/v1/inspections", plan(organizer_unit_id=UNKNOWN), 404, "organizer_unit_id", "not_found"
    ),
    "plan-unknown-target": Case(
        "/v1/inspections", plan(target_unit_ids=[UNKNOWN]), 404, "target_unit_ids.0", "not_found"
    ),
    "plan-unknown-team-member": Case(
        "/v1/inspections",
        plan(team=[Ref("head"), UNKNOWN]),
        404,
        "team.1",
        "not_found",
    ),
    "plan-dissolved-target": Case(
        "/v1/inspections",
        plan(target_unit_ids=[Ref("gone")]),
        409,
        "target_unit_ids.0",
        "unit_dissolved",
    ),
    "plan-no-target": Case(
        "/v1/inspections", plan(target_unit_ids=[]), field="target_unit_ids", rule="too_short"
    ),
    "plan-51-targets": Case(
        "/v1/inspections",
        plan(target_unit_ids=[UNKNOWN] * 51),
        field="target_unit_ids",
        rule="too_long",
    ),
    "plan-no-team": Case("/v1/inspections", plan(team=None), field="team", rule="missing"),
    "plan-year-as-string": Case(
        "/v1/inspections", plan(year="2024"), field="year", rule="int_type"
    ),
    "plan-unknown-topic": Case(
        "/v1/inspections", plan(topics=["taxes"]), field="topics.0", rule="enum"
    ),
    "plan-unknown-field": Case(
        "/v1/inspections", plan(budget=100), field="budget", rule="extra_forbidden"
    ),
    "start-started": illegal("/v1/inspections/{inspection}/start", {"started_on": NOW}, "started"),
    "start-unknown": Case(
        "/v1/inspections/{unknown}/start", Body({"started_on": NOW}), 404, "id", "not_found"
    ),
    "start-malformed-id": Case(
        "/v1/inspections/abc/start", Body({"started_on": NOW}), field="id", rule="uuid"
    ),
    "evidence-before-start": illegal(
        "/v1/inspections/{planned}/evidence",
        {"method": "interview", "summary": "谈话", "collected_on": NOW},
        "planned",
    ),
    "evidence-before-started-on": Case(
        "/v1/inspections/{inspection}/evidence",
        Body({"method": "interview", "summary": "谈话", "collected_on": "2024-05-01"}),
        field="collected_on",
        rule="invalid_input",
    ),
    "evidence-uppercase-sha256": Case(
        "/v1/inspections/{inspection}/evidence",
        Body(
            {"method": "site_visit", "summary": "实地查看", "collected_on": NOW, "sha256": "A" * 64}
        ),
        field="sha256",
        rule="string_pattern_mismatch",
    ),
    "evidence-unknown-method": Case(
        "/v1/inspections/{inspection}/evidence",
        Body({"method": "wiretap", "summary": "x", "collected_on": NOW}),
        field="method",
        rule="enum",
    ),
    "evidence-unit-not-inspected": Case(
        "/v1/inspections/{inspection}/evidence",
        Body({"method": "interview", "summary": "x", "collected_on": NOW, "unit_id": Ref("city")}),
        field="unit_id",
        rule="invalid_input",
    ),
    "close-inspection-before-feedback": illegal(
        "/v1/inspections/{inspection}/close", {"closed_on": NOW}, "started"
    ),
    # POST /v1/findings
    "finding-from-inspection-and-clue": Case(
        "/v1/findings", raise_body(clue_id=Ref("clue")), field="inspection_id", rule="invalid_input"
    ),
    "finding-from-neither": Case(
        "/v1/findings", raise_body(inspection_id=None), field="inspection_id", rule="invalid_input"
    ),
    "finding-deadline-on-found-on": Case(
        "/v1/findings", raise_body(deadline="2024-05-10"), field="deadline", rule="invalid_input"
    ),
    "finding-deadline-before-found-on": Case(
        "/v1/findings", raise_body(deadline="2024-01-01"), field="deadline", rule="invalid_input"
    ),
    "finding-unknown-unit": Case(
        "/v1/findings", raise_body(unit_id=UNKNOWN), 404, "unit_id", "not_found"
    ),
    "finding-unknown-inspection": Case(
        "/v1/findings", raise_body(inspection_id=UNKNOWN), 404, "inspection_id", "not_found"
    ),
    "finding-unknown-clue": Case(
        "/v1/findings",
        raise_body(inspection_id=None, clue_id=UNKNOWN),
        404,
        "clue_id",
        "not_found",
    ),
    "finding-unit-not-inspected": Case(
        "/v1/findings", raise_body(unit_id=Ref("city")), field="unit_id", rule="invalid_input"
    ),
    "finding-of-planned-inspection": illegal(
        "/v1/findings",
        raise_body(inspection_id=Ref("planned")).fields,
        "planned",
        "inspection_id",
    ),
    "finding-with-no-principal-then": Case(
        "/v1/findings",
        raise_body(inspection_id=None, clue_id=Ref("open_clue"), found_on="2020-06-01"),
        409,
        "found_on",
        "invariant_violation",
    ),
    "finding-outside-the-inspection": Case(
        "/v1/findings", raise_body(found_on="2024-05-21"), field="found_on", rule="invalid_input"
    ),
    "finding-unknown-category": Case(
        "/v1/findings", raise_body(category="taxes"), field="category", rule="enum"
    ),
    "finding-unknown-severity": Case(
        "/v1/findings", raise_body(severity="grave"), field="severity", rule="enum"
    ),
    "finding-found-on-as-number": Case(
        "/v1/findings", raise_body(found_on=20240510), field="found_on", rule="date_type"
    ),
    "finding-description-too-long": Case(
        "/v1/findings",
        raise_body(description="问" * 2001),
        field="description",
        rule="string_too_long",
    ),
    "finding-unknown-field": Case(
        "/v1/findings", raise_body(stage="closed"), field="stage", rule="extra_forbidden"
    ),
    # attributions
    "attribute-no-post-in-unit": Case(
        FINDING + "/attributions",
        attribute_body(person_id=Ref("inspector")),
        409,
        "person_id",
        "not_attributable",
    ),
    "attribute-post-in-another-unit": Case(
        FINDING + "/attributions",
        attribute_body(person_id=Ref("secretary")),
        409,
        "person_id",
        "not_attributable",
    ),
    "attribute-liability-beyond-role": Case(
        FINDING + "/attributions",
        attribute_body(liability="principal"),
        409,
        "liability",
        "not_attributable",
    ),
    "attribute-twice": Case(
        FINDING + "/attributions",
        attribute_body(person_id=Ref("deputy")),
        409,
        "person_id",
        "invariant_violation",
    ),
    "attribute-unknown-person": Case(
        FINDING + "/attributions", attribute_body(person_id=UNKNOWN), 404, "person_id", "not_found"
    ),
    "attribute-unknown-finding": Case(
        "/v1/findings/{unknown}/attributions", attribute_body(), 404, "id", "not_found"
    ),
    "attribute-missing-reason": Case(
        FINDING + "/attributions", attribute_body(reason=None), field="reason", rule="missing"
    ),
    "attribute-unknown-liability": Case(
        FINDING + "/attributions", attribute_body(liability="moral"), field="liability", rule="enum"
    ),
    "withdraw-principal": Case(
        FINDING + "/attributions/{head}/withdraw",
        Body(REASON),
        409,
        "person_id",
        "invariant_violation",
    ),
    "withdraw-not-attributed": Case(
        FINDING + "/attributions/{clerk}/withdraw",
        Body(REASON),
        409,
        "person_id",
        "invariant_violation",
    ),
    "withdraw-malformed-person": Case(
        FINDING + "/attributions/x/withdraw", Body(REASON), field="person_id", rule="uuid"
    ),
    # the loop
    "verify-raised": illegal(FINDING + "/verify", {"verified_on": NOW}, "raised"),
    "reject-raised": illegal(FINDING + "/reject", REASON, "raised"),
    "progress-raised": illegal(
        FINDING + "/progress", {"reported_on": NOW, "summary": "进展"}, "raised"
    ),
    "close-rectified-before-verification": illegal(
        FINDING + "/close", {"outcome": "rectified"}, "raised", "outcome"
    ),
    "close-referred-without-referral": illegal(
        FINDING + "/close", {"outcome": "referred"}, "raised", "outcome"
    ),
    "close-dismissed-without-reason": Case(
        FINDING + "/close", Body({"outcome": "dismissed"}), field="reason", rule="invalid_input"
    ),
    "close-unknown-outcome": Case(
        FINDING + "/close", Body({"outcome": "forgotten"}), field="outcome", rule="enum"
    ),
    "correct-the-category": Case(
        FINDING + "/correct",
        Body({"field": "category", "new": "other", "reason": "错"}),
        field="field",
        rule="enum",
    ),
    "correct-severity-not-a-severity": Case(
        FINDING + "/correct",
        Body({"field": "severity", "new": "huge", "reason": "错"}),
        field="new",
        rule="enum",
    ),
    "correct-description-empty": Case(
        FINDING + "/correct",
        Body({"field": "description", "new": "  ", "reason": "错"}),
        field="new",
        rule="string_too_short",
    ),
    "correct-without-reason": Case(
        FINDING + "/correct", Body({"field": "severity", "new": "low"}), field="reason"
    ),
    "correct-to-the-same-value": Case(
        FINDING + "/correct",
        Body({"field": "severity", "new": "high", "reason": "复核"}),
        field="new",
        rule="invalid_input",
    ),
    "plan-beyond-the-deadline": Case(
        FINDING + "/rectification-plan",
        Body({"measures": "整改", "deadline": "2024-09-30", "planned_on": NOW}),
        field="deadline",
        rule="invalid_input",
    ),
    "plan-before-found-on": Case(
        FINDING + "/rectification-plan",
        Body({"measures": "整改", "planned_on": "2024-05-01"}),
        field="planned_on",
        rule="invalid_input",
    ),
    "plan-owner-without-post": Case(
        FINDING + "/rectification-plan",
        Body({"measures": "整改", "owner_person_id": Ref("inspector"), "planned_on": NOW}),
        409,
        "owner_person_id",
        "no_authority",
    ),
    "plan-unknown-owner": Case(
        FINDING + "/rectification-plan",
        Body({"measures": "整改", "owner_person_id": UNKNOWN, "planned_on": NOW}),
        404,
        "owner_person_id",
        "not_found",
    ),
    "plan-missing-measures": Case(
        FINDING + "/rectification-plan", Body({}), field="measures", rule="missing"
    ),
    "progress-bad-evidence-hash": Case(
        FINDING + "/progress",
        Body({"reported_on": NOW, "summary": "x", "evidence": [{"ref": "r", "sha256": "abc"}]}),
        field="evidence.0.sha256",
        rule="string_pattern_mismatch",
    ),
    "progress-51-evidence": Case(
        FINDING + "/progress",
        Body({"reported_on": NOW, "summary": "x", "evidence": [{"ref": "r"}] * 51}),
        field="evidence",
        rule="too_long",
    ),
    "progress-evidence-unknown-field": Case(
        FINDING + "/progress",
        Body({"reported_on": NOW, "summary": "x", "evidence": [{"ref": "r", "url": "u"}]}),
        field="evidence.0.url",
        rule="extra_forbidden",
    ),
    "progress-complete-as-string": Case(
        FINDING + "/progress",
        Body({"reported_on": NOW, "summary": "x", "complete": "yes"}),
        field="complete",
        rule="bool_type",
    ),
    "extend-to-the-current-deadline": Case(
        FINDING + "/extend-deadline",
        Body({"new_deadline": "2024-08-31", "approver_person_id": Ref("inspector")} | REASON),
        field="new_deadline",
        rule="invalid_input",
    ),
    "extend-to-an-earlier-deadline": Case(
        FINDING + "/extend-deadline",
        Body({"new_deadline": "2024-07-31", "approver_person_id": Ref("inspector")} | REASON),
        field="new_deadline",
        rule="invalid_input",
    ),
    "extend-unknown-approver": Case(
        FINDING + "/extend-deadline",
        Body({"new_deadline": "2024-10-31", "approver_person_id": UNKNOWN} | REASON),
        404,
        "approver_person_id",
        "not_found",
    ),
    "extend-missing-reason": Case(
        FINDING + "/extend-deadline",
        Body({"new_deadline": "2024-10-31", "approver_person_id": Ref("inspector")}),
        field="reason",
        rule="missing",
    ),
    "refer-unknown-unit": Case(
        FINDING + "/refer", Body({"to_unit_id": UNKNOWN} | REASON), 404, "to_unit_id", "not_found"
    ),
    "refer-dissolved-unit": Case(
        FINDING + "/refer",
        Body({"to_unit_id": Ref("gone")} | REASON),
        409,
        "to_unit_id",
        "unit_dissolved",
    ),
    "refer-unknown-finding": Case(
        "/v1/findings/{unknown}/refer",
        Body({"to_unit_id": Ref("discipline")} | REASON),
        404,
        "id",
        "not_found",
    ),
    "verify-malformed-finding-id": Case(
        "/v1/findings/nope/verify", Body({"verified_on": NOW}), field="id", rule="uuid"
    ),
    # accountability cases
    "case-unknown-person": Case(
        "/v1/accountability-cases", case_body(person_id=UNKNOWN), 404, "person_id", "not_found"
    ),
    "case-unknown-finding": Case(
        "/v1/accountability-cases",
        case_body(finding_ids=[UNKNOWN]),
        404,
        "finding_ids.0",
        "not_found",
    ),
    "case-finding-not-attributed": Case(
        "/v1/accountability-cases",
        case_body(person_id=Ref("clerk")),
        409,
        "finding_ids.0",
        "invariant_violation",
    ),
    "case-no-findings": Case(
        "/v1/accountability-cases",
        case_body(finding_ids=[]),
        field="finding_ids",
        rule="too_short",
    ),
    "case-unknown-handling-unit": Case(
        "/v1/accountability-cases",
        case_body(handling_unit_id=UNKNOWN),
        404,
        "handling_unit_id",
        "not_found",
    ),
    "sanction-unknown-kind": Case(
        CASE + "/sanctions",
        Body({"kind": "fine", "decided_on": NOW}),
        field="kind",
        rule="enum",
    ),
    "sanction-before-opened": Case(
        CASE + "/sanctions",
        Body({"kind": "admonishment_talk", "decided_on": "2024-08-01"}),
        field="decided_on",
        rule="invalid_input",
    ),
    "sanction-unknown-case": Case(
        "/v1/accountability-cases/{unknown}/sanctions",
        Body({"kind": "admonishment_talk", "decided_on": "2024-10-01"}),
        404,
        "id",
        "not_found",
    ),
    "appeal-unknown-sanction": Case(
        CASE + "/appeal",
        Body({"sanction_id": UNKNOWN, "appealed_on": "2024-10-01"} | REASON),
        404,
        "sanction_id",
        "not_found",
    ),
    "appeal-before-decision": Case(
        CASE + "/appeal",
        Body({"sanction_id": Ref("sanction"), "appealed_on": "2024-09-10"} | REASON),
        field="appealed_on",
        rule="invalid_input",
    ),
    "uphold-unappealed": illegal(
        CASE + "/sanctions/{sanction}/uphold", {"decided_on": "2024-10-01"}, "imposed"
    ),
    "uphold-unknown-sanction": Case(
        CASE + "/sanctions/{unknown}/uphold",
        Body({"decided_on": "2024-10-01"}),
        404,
        "sanction_id",
        "not_found",
    ),
    "modify-to-the-same-kind": Case(
        CASE + "/sanctions/{sanction}/modify",
        Body({"kind": "party_discipline", "decided_on": "2024-10-01"} | REASON),
        field="kind",
        rule="invalid_input",
    ),
    "revoke-missing-reason": Case(
        CASE + "/sanctions/{sanction}/revoke",
        Body({"decided_on": "2024-10-01"}),
        field="reason",
        rule="missing",
    ),
    "revoke-malformed-sanction-id": Case(
        CASE + "/sanctions/x/revoke",
        Body({"decided_on": "2024-10-01"} | REASON),
        field="sid",
        rule="uuid",
    ),
    "close-case-before-opened": Case(
        CASE + "/close", Body({"closed_on": "2024-01-01"}), field="closed_on", rule="invalid_input"
    ),
    # clues
    "clue-naive-received-at": Case(
        "/v1/clues",
        clue_body(received_at="2024-04-02T09:30:00"),
        field="received_at",
        rule="timezone_aware",
    ),
    "clue-received-at-a-date": Case(
        "/v1/clues",
        clue_body(received_at="2024-04-02"),
        field="received_at",
        rule="datetime_parsing",
    ),
    "clue-received-in-year-9999": Case(
        "/v1/clues",
        clue_body(received_at="9999-12-31T23:59:59-12:00"),
        field="received_at",
        rule="value_error",
    ),
    "clue-unknown-source": Case(
        "/v1/clues", clue_body(source="rumour"), field="source", rule="enum"
    ),
    "clue-external-id-129-chars": Case(
        "/v1/clues", clue_body(external_id="x" * 129), field="external_id", rule="string_too_long"
    ),
    "clue-external-id-with-space": Case(
        "/v1/clues",
        clue_body(external_id="12345 1"),
        field="external_id",
        rule="string_pattern_mismatch",
    ),
    "clue-external-id-nul": Case(
        "/v1/clues",
        clue_body(external_id="12345\x001"),
        field="external_id",
        rule="string_pattern_mismatch",
    ),
    "clue-unknown-unit": Case("/v1/clues", clue_body(unit_id=UNKNOWN), 404, "unit_id", "not_found"),
    "clue-origin-not-source": Case(
        "/v1/clues", clue_body(origin="petition"), field="origin", rule="extra_forbidden"
    ),
    "triage-twice": illegal("/v1/clues/{clue}/triage", triage_body().fields, "triaged:finding"),
    "dismiss-triaged": illegal(
        "/v1/clues/{clue}/triage", {"outcome": "dismissed"} | REASON, "triaged:finding"
    ),
    "dismiss-without-reason": Case(
        "/v1/clues/{clue}/triage", Body({"outcome": "dismissed"}), field="reason", rule="missing"
    ),
    "dismiss-with-a-finding": Case(
        "/v1/clues/{clue}/triage",
        triage_body(outcome="dismissed", reason="重复"),
        field="finding",
        rule="extra_forbidden",
    ),
    "triage-finding-without-finding": Case(
        "/v1/clues/{clue}/triage", Body({"outcome": "finding"}), field="finding", rule="one_of"
    ),
    "triage-finding-and-finding-id": Case(
        "/v1/clues/{clue}/triage",
        triage_body(finding_id=Ref("finding")),
        field="finding",
        rule="one_of",
    ),
    "triage-onto-unknown-finding": Case(
        "/v1/clues/{clue}/triage",
        Body({"outcome": "finding", "finding_id": UNKNOWN}),
        404,
        "finding_id",
        "not_found",
    ),
    "triage-finding-bad-category": Case(
        "/v1/clues/{clue}/triage",
        Body(
            {"outcome": "finding", "finding": triage_body().fields["finding"] | {"category": "x"}}
        ),
        field="finding.category",
        rule="enum",
    ),
    "triage-unknown-outcome": Case(
        "/v1/clues/{clue}/triage", Body({"outcome": "ignored"}), field="outcome", rule="enum"
    ),
    "triage-unknown-clue": Case(
        "/v1/clues/{unknown}/triage", triage_body(), 404, "id", "not_found"
    ),
    "dismiss-unknown-clue": Case(
        "/v1/clues/{unknown}/triage",
        Body({"outcome": "dismissed"} | REASON),
        404,
        "id",
        "not_found",
    ),
    # bulletins
    "bulletin-no-recipient": Case(
        "/v1/bulletins",
        bulletin_body(recipient_unit_ids=[]),
        field="recipient_unit_ids",
        rule="too_short",
    ),
    "bulletin-unknown-inspection": Case(
        "/v1/bulletins", bulletin_body(inspection_id=UNKNOWN), 404, "inspection_id", "not_found"
    ),
    "bulletin-unknown-finding": Case(
        "/v1/bulletins", bulletin_body(finding_ids=[UNKNOWN]), 404, "finding_ids.0", "not_found"
    ),
    "bulletin-unknown-recipient": Case(
        "/v1/bulletins",
        bulletin_body(recipient_unit_ids=[UNKNOWN]),
        404,
        "recipient_unit_ids.0",
        "not_found",
    ),
    "bulletin-of-planned-inspection": illegal(
        "/v1/bulletins",
        bulletin_body(inspection_id=Ref("planned"), finding_ids=[]).fields,
        "planned",
        "inspection_id",
    ),
    "bulletin-unknown-kind": Case(
        "/v1/bulletins", bulletin_body(kind="memo"), field="kind", rule="enum"
    ),
    # assessments
    "weights-sum-to-90": Case(
        "/v1/assessments/indicator-sets",
        indicator_set_body(50, 40),
        field="indicators",
        rule="invalid_input",
    ),
    "weight-zero": Case(
        "/v1/assessments/indicator-sets",
        indicator_set_body(100, 0),
        field="indicators.1.weight",
        rule="greater_than",
    ),
    "weight-as-string": Case(
        "/v1/assessments/indicator-sets",
        indicator_set_body("60", 40),
        field="indicators.0.weight",
        rule="float_type",
    ),
    "no-indicators": Case(
        "/v1/assessments/indicator-sets",
        indicator_set_body(),
        field="indicators",
        rule="too_short",
    ),
    "duplicate-indicator-codes": Case(
        "/v1/assessments/indicator-sets",
        body(
            {"year": 2024, "name": "考核"},
            {"indicators": [{"code": "A", "name": "甲", "weight": 50}] * 2},
        ),
        field="indicators",
        rule="invalid_input",
    ),
    "scores-missing-an-indicator": Case(
        "/v1/assessments", assess_body(scores={"A1": 90}), field="scores", rule="invalid_input"
    ),
    "scores-unknown-indicator": Case(
        "/v1/assessments",
        assess_body(scores={"A1": 90, "A2": 80, "A3": 70}),
        field="scores",
        rule="invalid_input",
    ),
    "score-over-100": Case(
        "/v1/assessments",
        assess_body(scores={"A1": 101, "A2": 80}),
        field="scores.A1",
        rule="less_than_equal",
    ),
    "score-nan": Case(
        "/v1/assessments",
        assess_body(scores={"A1": float("nan"), "A2": 80}),
        field="scores.A1",
        rule="finite_number",
    ),
    "reassessment-without-reason": Case(
        "/v1/assessments",
        assess_body(scores={"A1": 70, "A2": 80}),
        field="reason",
        rule="invalid_input",
    ),
    "assessment-unknown-grade": Case(
        "/v1/assessments", assess_body(grade="superb"), field="grade", rule="enum"
    ),
    "assessment-unknown-set": Case(
        "/v1/assessments",
        assess_body(indicator_set_id=UNKNOWN),
        404,
        "indicator_set_id",
        "not_found",
    ),
    # headers
    "if-match-not-a-version": Case(
        FINDING + "/verify",
        Body({"verified_on": NOW}),
        field="If-Match",
        rule="etag",
        headers={"If-Match": "v3"},
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_bad_loop_command_is_refused_and_writes_nothing(
    case: Case,
    client: TestClient[Any, Any],
    pool: asyncpg.Pool,
    headers: dict[str, str],
    ids: dict[str, str],
) -> None:
    before = await log_count(pool)
    response = await client.post(
        case.path.format(**ids), json=case.body.resolve(ids), headers=headers | case.headers
    )
    problem = await assert_problem(response, case.status, case.field, case.rule)
    if case.stage is not None:
        assert problem["stage"] == case.stage
        assert isinstance(problem["allowed"], list)
    assert await log_count(pool) == before


async def test_illegal_transition_names_the_stage_and_the_steps_allowed(
    client: TestClient[Any, Any], headers: dict[str, str], ids: dict[str, str]
) -> None:
    response = await client.post(
        f"/v1/findings/{ids['finding']}/verify", json={"verified_on": NOW}, headers=headers
    )
    problem = await assert_problem(response, 409, rule="illegal_transition")
    assert problem["stage"] == "raised"
    assert problem["allowed"] == [
        "rectification-plan",
        "extend-deadline",
        "refer",
        "close:dismissed",
    ]


async def test_a_stale_if_match_on_a_finding_step_is_412(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], ids: dict[str, str]
) -> None:
    path = f"/v1/findings/{ids['finding']}/rectification-plan"
    body = {"measures": "整改", "planned_on": NOW}
    before = await log_count(pool)
    refused = await client.post(path, json=body, headers=headers | {"If-Match": '"1"'})
    problem = await assert_problem(refused, 412)
    assert problem["current_version"] == 3
    assert refused.headers["ETag"] == '"3"'
    assert await log_count(pool) == before
    accepted = await client.post(path, json=body, headers=headers | {"If-Match": '"3"'})
    assert accepted.status == 200, await accepted.text()
    assert accepted.headers["ETag"] == '"4"'


async def test_a_stale_if_match_on_a_triage_into_a_finding_is_412(
    client: TestClient[Any, Any], pool: asyncpg.Pool, headers: dict[str, str], ids: dict[str, str]
) -> None:
    clue = await post(client, "/v1/clues", clue_body().resolve(ids), headers)
    path = f"/v1/clues/{clue['id']}/triage"
    before = await log_count(pool)
    refused = await client.post(
        path, json=triage_body().resolve(ids), headers=headers | {"If-Match": '"2"'}
    )
    problem = await assert_problem(refused, 412)
    assert problem["current_version"] == 1
    assert await log_count(pool) == before
    accepted = await client.post(
        path, json=triage_body().resolve(ids), headers=headers | {"If-Match": '"1"'}
    )
    assert accepted.status == 201, await accepted.text()
    assert (await accepted.json())["clue_id"] == clue["id"]
