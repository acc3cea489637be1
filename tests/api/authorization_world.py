"""Two jurisdictions for the authorization matrix, and one real request per operation.

Each side is ``tests.world``'s city with a spare unit, a started inspection, a finding, a
clue, an accountability case with a sanction, a bulletin and an assessment of its bureau.
``REQUESTS`` builds the request of every operation from one side's ids: sent with ours'
ids it is inside the caller's jurisdiction, with theirs' outside. Command bodies are
valid and coherent, so that an allowed role gets past authorization and mostly succeeds
(a step the loop's stage no longer allows answers 409, still past authorization).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from ledger.application import Ledger
from ledger.application.commands import (
    AssessUnit,
    CorrectPerson,
    DefineIndicatorSet,
    ImposeSanction,
    IssueBulletin,
    OpenCase,
    ReceiveClue,
    RegisterUnit,
)
from ledger.domain.vocab import (
    BulletinKind,
    ClueSource,
    SanctionKind,
    UnitKind,
    UnitLevel,
)
from ledger.infra import webhooks
from tests.world import CTX, World, build_world, raised_finding, started_inspection


@dataclass
class Side:
    w: World
    spare: UUID  # a unit under the city, moved and dissolved by the matrix
    inspection: UUID
    finding: UUID
    clue: UUID
    clue_key: str
    person_no: str  # the head's identity number (looked up by find_person)
    case: UUID
    sanction: UUID
    bulletin: UUID
    indicator_set: UUID  # shared by both sides: indicator sets have no jurisdiction
    position: int  # of the finding's first event
    webhook: UUID  # the city's subscription, with one delivery (of position 1)

    def ids(self) -> set[str]:
        """Every id of the side's own resources (its units, persons, posts, records)."""
        w = self.w
        found = {w.city, w.bureau, w.office, w.discipline, w.personnel, self.spare}
        found |= {w.secretary, w.head, w.deputy, w.clerk, w.inspector}
        found |= {w.head_post, w.deputy_post, w.clerk_post}
        found |= {self.inspection, self.finding, self.clue, self.case, self.bulletin}
        found |= {self.webhook}
        return {str(i) for i in found}


async def build_side(ledger: Ledger, indicator_set: UUID) -> Side:
    w = await build_world(ledger)
    spare = await ledger.units.register_unit(
        CTX,
        RegisterUnit(
            name="备用单位", kind=UnitKind.OTHER, level=UnitLevel.COUNTY, parent_id=w.city
        ),
    )
    number = f"3202{uuid4().int % 10**14:014d}"
    await ledger.persons.correct_person(
        CTX, w.head, CorrectPerson(person_no=number, reason="补录身份证号")
    )
    inspection = await started_inspection(ledger, w)
    finding = await raised_finding(ledger, w, inspection)
    key = f"xf-{uuid4().hex[:8]}"
    clue = await ledger.clues.receive_clue(
        CTX,
        ReceiveClue(
            source=ClueSource.PETITION,
            external_id=key,
            summary="群众来信反映执法不规范",
            received_at=datetime(2024, 5, 1, tzinfo=UTC),
            unit_id=w.bureau,
        ),
    )
    case = await ledger.cases.open_case(
        CTX,
        OpenCase(
            person_id=w.head,
            finding_ids=[finding],
            handling_unit_id=w.discipline,
            opened_on=date(2024, 6, 1),
        ),
    )
    sanction = await ledger.cases.impose_sanction(
        CTX,
        case.id,
        ImposeSanction(kind=SanctionKind.ADMONISHMENT_TALK, decided_on=date(2024, 6, 5)),
    )
    bulletin = await ledger.bulletins.issue_bulletin(
        CTX,
        IssueBulletin(
            kind=BulletinKind.BRIEF,
            title="督察情况通报",
            inspection_id=inspection,
            finding_ids=[finding],
            recipient_unit_ids=[w.bureau],
            issued_on=date(2024, 6, 1),
        ),
    )
    await ledger.assessments.assess_unit(
        CTX,
        AssessUnit(
            indicator_set_id=indicator_set,
            unit_id=w.bureau,
            scores={"a": 90},
            assessed_on=date(2024, 12, 1),
        ),
    )
    first = await ledger.events.read_stream(finding)
    pool = ledger.events.db
    hook = webhooks.Subscription(
        *(uuid4(), "https://receiver.example/hook", None, None, w.city, "tester", "admin"),
        *("active", None, 0, datetime.now(UTC), datetime.now(UTC)),
    )
    await webhooks.create(pool, hook, "whsec_" + "A" * 44)
    await webhooks.pend(pool, hook.id, [1])
    return Side(
        w,
        spare.id,
        inspection,
        finding,
        clue.id,
        key,
        number,
        case.id,
        UUID(sanction.detail["sanction_id"]),
        bulletin.id,
        indicator_set,
        first[0].position,
        hook.id,
    )


async def build_sides(ledger: Ledger) -> tuple[Side, Side]:
    indicator_set = await ledger.assessments.define_indicator_set(
        CTX,
        DefineIndicatorSet(
            year=2024,
            name="法治政府建设考核",
            indicators=[{"code": "a", "name": "甲", "weight": 100}],
        ),
    )
    return await build_side(ledger, indicator_set.id), await build_side(ledger, indicator_set.id)


# Each operation's request, where "@name" stands for the side's id of that name (in
# ``Side`` or its ``World``) and "@fresh" for a new one: the ids of its path ("@x" alone
# is the {id}), its query parameters and, for a command, its body.
def each(ops: str, ids: str | dict[str, str]) -> dict[str, str | dict[str, str]]:
    return {op: ids for op in ops.split()}


IDS: dict[str, str | dict[str, str]] = {
    **each("rename_unit move_unit dissolve_unit", "@spare"),
    "correct_person": "@clerk",
    **each("end_assignment change_line", "@clerk_post"),
    "change_portfolio": "@deputy_post",
    "correct_assignment": "@head_post",
    **each("start_inspection record_evidence feed_back_results close_inspection", "@inspection"),
    **each("attribute_finding plan_rectification report_progress correct_finding", "@finding"),
    **each("verify_rectification reject_rectification close_finding", "@finding"),
    **each("extend_deadline refer_finding", "@finding"),
    "withdraw_attribution": {"id": "@finding", "person_id": "@deputy"},
    "triage_clue": "@clue",
    **each("impose_sanction appeal_sanction close_case", "@case"),
    **each("uphold_sanction modify_sanction revoke_sanction", {"id": "@case", "sid": "@sanction"}),
    "get_unit": "@city",
    "get_chain": "@bureau",
    "get_person": "@head",
    "get_assignment": "@head_post",
    **each("chain_changes unit_persons", "@bureau"),
    "person_assignments": "@head",
    "get_inspection": "@inspection",
    "get_finding": "@finding",
    "get_clue": "@clue",
    "get_bulletin": "@bulletin",
    "get_indicator_set": "@indicator_set",
    "unit_assessments": "@bureau",
    "get_case": "@case",
    "person_reference": "@head",
    "unit_reference": "@bureau",
    "history": "@head",
    **each("get_webhook pause_webhook resume_webhook rotate_webhook_secret", "@webhook"),
    **each("list_deliveries replay_webhook delete_webhook", "@webhook"),
    "replay_delivery": {"id": "@webhook", "position": "1"},
}
PERIOD = {"from": "2024-01-01", "to": "2024-12-31"}
QUERIES: dict[str, dict[str, Any]] = {
    "get_chain": {"valid_at": "2024-05-10"},
    "chain_changes": {"from": "2020-01-01", "to": "2024-12-31"},
    "unit_persons": {"valid_at": "2024-05-10"},
    "open_loop_report": {"unit_id": "@city"},
    "find_clue": {"source": "petition", "external_id": "@clue_key"},
    "person_reference": PERIOD,
    "unit_reference": PERIOD,
    "list_events": {"limit": 500},
    "inclusion": {"position": "@position"},
    "consistency": {"from": 1},
    "list_access_log": {"limit": 500},
    "list_persons": {"name": "局长"},
    "search": {"q": "司法局"},
}
WHY = {"reason": "笔误"}
PARENT = {"parent_id": "@city"}
BODIES: dict[str, dict[str, Any]] = {
    "find_person": {"person_no": "@person_no"},
    "register_unit": {"name": "锡山区", "kind": "government", "level": "county"}
    | {"parent_id": "@city"},
    "rename_unit": {"name": "备用单位（更名）"},
    "move_unit": {"parent_id": "@bureau"},
    "dissolve_unit": {"effective_on": "2024-12-31"},
    "register_person": {"name": "赵敏"},
    "correct_person": {"name": "李科员（更正）"} | WHY,
    "assign": {"unit_id": "@bureau", "person_id": "@inspector", "role": "staff", "title": "科员"}
    | {"reports_to": "@deputy_post", "effective_from": "2024-06-01"},
    "end_assignment": {"effective_to": "2024-12-01", "reason": "transferred"},
    "change_portfolio": {"portfolio": ["law_enforcement", "other"], "effective_on": "2024-06-01"},
    "correct_assignment": {"field": "title", "new": "局长（正职）"} | WHY,
    "change_line": {"reports_to": "@head_post", "effective_on": "2024-06-01"},
    "plan_inspection": {"title": "专项督察", "year": 2024, "organizer_unit_id": "@office"}
    | {"target_unit_ids": ["@bureau"], "team": ["@inspector"], "topics": ["other"]}
    | {"starts_on": "2024-09-02", "ends_on": "2024-09-30"},
    "start_inspection": {"started_on": "2024-05-06"},
    "record_evidence": {"method": "interview", "summary": "约谈", "collected_on": "2024-05-08"},
    "feed_back_results": {"fed_back_on": "2024-05-21", "summary": "反馈意见"},
    "close_inspection": {"closed_on": "2024-05-31"},
    "raise_finding": {"unit_id": "@bureau", "inspection_id": "@inspection", "severity": "low"}
    | {"category": "law_enforcement", "description": "执法文书不规范"}
    | {"found_on": "2024-05-12", "deadline": "2024-09-30"},
    "attribute_finding": {"person_id": "@clerk", "liability": "direct", "reason": "经办"},
    "withdraw_attribution": {"reason": "分管范围认定有误"},
    "plan_rectification": {"measures": "完善执法记录", "planned_on": "2024-05-20"},
    "report_progress": {"reported_on": "2024-06-01", "summary": "已整改", "complete": True},
    "verify_rectification": {"verified_on": "2024-06-10"},
    "reject_rectification": {"reason": "整改不到位", "rejected_on": "2024-06-11"},
    "extend_deadline": {"new_deadline": "2024-10-31", "reason": "情况复杂"}
    | {"approver_person_id": "@secretary", "extended_on": "2024-06-12"},
    "refer_finding": {"to_unit_id": "@discipline", "reason": "移送", "referred_on": "2024-06-13"},
    "close_finding": {"outcome": "rectified", "closed_on": "2024-06-14"},
    "correct_finding": {"field": "severity", "new": "medium"} | WHY,
    "receive_clue": {"source": "hotline_12345", "external_id": "@fresh", "summary": "市民反映"}
    | {"received_at": "2024-05-02T09:00:00+08:00", "unit_id": "@bureau"},
    "receive_clues": {
        "clues": [
            {"source": "petition", "external_id": "@fresh", "summary": "来信反映", "basis": None}
            | {"received_at": "2024-05-02T09:00:00+08:00", "unit_id": "@bureau"}
        ]
    },
    "triage_clue": {"outcome": "dismissed", "reason": "查无实据"},
    "create_webhook": {"url": "https://receiver.example/hook", "unit_id": "@city"},
    "replay_webhook": {"after": 0},
    **{op: {} for op in ("pause_webhook", "resume_webhook", "rotate_webhook_secret")},
    "replay_delivery": {},
    "issue_bulletin": {"kind": "brief", "title": "第二期通报", "inspection_id": "@inspection"}
    | {"finding_ids": ["@finding"], "recipient_unit_ids": ["@bureau"], "issued_on": "2024-06-20"},
    "define_indicator_set": {"year": 2025, "name": "考核"}
    | {"indicators": [{"code": "a", "name": "甲", "weight": 100}]},
    "assess_unit": {"indicator_set_id": "@indicator_set", "unit_id": "@bureau"}
    | {"scores": {"a": 80}, "assessed_on": "2024-12-20", "reason": "复核"},
    "open_case": {"person_id": "@head", "finding_ids": ["@finding"], "opened_on": "2024-06-02"}
    | {"handling_unit_id": "@discipline"},
    "impose_sanction": {"kind": "circulated_criticism", "decided_on": "2024-06-06"},
    "appeal_sanction": {"sanction_id": "@sanction", "appealed_on": "2024-06-07", "reason": "申诉"},
    "uphold_sanction": {"decided_on": "2024-06-08"},
    "modify_sanction": {
        "kind": "written_self_criticism",
        "decided_on": "2024-06-08",
        "reason": "改",
    },
    "revoke_sanction": {"decided_on": "2024-06-09", "reason": "撤销"},
    "close_case": {"closed_on": "2024-06-30"},
    # a JSON Lines file: each item of "lines" is sent as one line
    "import_history": {
        "lines": [
            {"kind": "unit", "key": "@fresh"}
            | {"create": {"name": "导入区", "kind": "government", "level": "county"} | PARENT}
        ]
    },
}
Request = tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]


def request(op: str, side: Side) -> Request:
    """The path ids, query and body (None: a read) of ``op``, with ``side``'s ids."""

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:]
            if name == "fresh":
                return uuid4().hex
            return getattr(side, name) if hasattr(side, name) else getattr(side.w, name)
        return value

    ids = IDS.get(op, {})
    return (
        fill({"id": ids} if isinstance(ids, str) else ids),
        fill(QUERIES.get(op, {})),
        fill(BODIES.get(op)),
    )


# Lists: the field of an item that names what it is, and the ids of a side it must hold.
LISTS: dict[str, tuple[str, Callable[[Side], set[UUID]]]] = {
    "list_webhooks": ("id", lambda s: {s.webhook}),
    "list_units": ("id", lambda s: {s.w.city}),
    "list_persons": ("id", lambda s: {s.w.head, s.w.deputy}),
    "search": ("id", lambda s: {s.w.bureau}),
    "list_inspections": ("id", lambda s: {s.inspection}),
    "search_findings": ("id", lambda s: {s.finding}),
    "list_cases": ("id", lambda s: {s.case}),
    "list_bulletins": ("id", lambda s: {s.bulletin}),
    "list_events": ("stream_id", lambda s: {s.w.city, s.w.head, s.finding, s.case, s.clue}),
    "list_access_log": ("person_id", lambda s: {s.w.head}),
}
# Operations whose request names no jurisdiction (persons not yet assigned, indicator
# sets, the whole log's proofs and checkpoints, the live feed, the vocabularies): no
# "outside" case.
UNSCOPED = frozenset(
    {"register_person", "define_indicator_set", "get_indicator_set", "stream_events"}
    | {"checkpoint", "checkpoints", "consistency", "list_vocabularies"}
)
