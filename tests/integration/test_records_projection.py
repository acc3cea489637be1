"""The records read model (records_v1), driven through the command service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from ledger.application import Ledger
from ledger.application.commands import (
    AppealSanction,
    AssessUnit,
    CloseCase,
    CloseFinding,
    CloseInspection,
    DefineIndicatorSet,
    FeedBackResults,
    FindingFromClue,
    ImposeSanction,
    IssueBulletin,
    ModifySanction,
    OpenCase,
    ReceiveClue,
    RecordEvidence,
    ReferFinding,
    RevokeSanction,
    TriageClue,
    UpholdSanction,
)
from ledger.domain.vocab import (
    BulletinKind,
    Category,
    ClueSource,
    EvidenceMethod,
    Outcome,
    SanctionKind,
    Severity,
    TriageOutcome,
)
from ledger.infra.codec import make_mapper
from ledger.projections import records
from ledger.projections.records import bulletins as records_bulletins
from ledger.projections.records import queries as records_query
from ledger.projections.registry import PROJECTIONS, TABLES
from ledger.projections.runner import rebuild
from tests.world import CTX, FOUND_ON, World, build_world, raised_finding, started_inspection

Project = Callable[[], Awaitable[int]]


@dataclass
class Loop:
    world: World
    inspection: UUID
    finding: UUID
    case: UUID
    modified: UUID  # a sanction modified on appeal
    revoked: UUID  # a sanction upheld, then revoked
    before_modification: int  # the position just before the modification
    clue: UUID
    dismissed_clue: UUID
    bulletin: UUID
    indicator_set: UUID
    assessment: UUID
    first_assessment: int  # its position


async def loop(ledger: Ledger) -> Loop:
    """Every event type of the records read model, at least once."""
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    await ledger.inspections.record_evidence(
        CTX,
        inspection,
        RecordEvidence(
            method=EvidenceMethod.DOCUMENT_REVIEW,
            summary="抽查行政处罚案卷30卷",
            document="督察材料〔2024〕7号",
            sha256="ab" * 32,
            unit_id=world.bureau,
            collected_on=date(2024, 5, 8),
        ),
    )
    finding = await raised_finding(ledger, world, inspection)
    await ledger.inspections.feed_back(
        CTX, inspection, FeedBackResults(fed_back_on=date(2024, 5, 20), summary="反馈3个问题")
    )
    await ledger.inspections.close_inspection(
        CTX, inspection, CloseInspection(closed_on=date(2024, 6, 1))
    )
    case = await ledger.cases.open_case(
        CTX,
        OpenCase(
            person_id=world.deputy,
            finding_ids=[finding],
            handling_unit_id=world.discipline,
            opened_on=date(2024, 9, 1),
        ),
    )
    first = await ledger.cases.impose_sanction(
        CTX,
        case.id,
        ImposeSanction(kind=SanctionKind.PARTY_DISCIPLINE, decided_on=date(2024, 9, 20)),
    )
    modified = UUID(first.detail["sanction_id"])
    await ledger.cases.appeal_sanction(
        CTX,
        case.id,
        AppealSanction(sanction_id=modified, appealed_on=date(2024, 9, 25), reason="申诉"),
    )
    second = await ledger.cases.impose_sanction(
        CTX,
        case.id,
        ImposeSanction(kind=SanctionKind.WRITTEN_SELF_CRITICISM, decided_on=date(2024, 9, 21)),
    )
    revoked = UUID(second.detail["sanction_id"])
    await ledger.cases.appeal_sanction(
        CTX,
        case.id,
        AppealSanction(sanction_id=revoked, appealed_on=date(2024, 9, 26), reason="申诉"),
    )
    upheld = await ledger.cases.uphold_sanction(
        CTX, case.id, revoked, UpholdSanction(decided_on=date(2024, 10, 5))
    )
    await ledger.cases.modify_sanction(
        CTX,
        case.id,
        modified,
        ModifySanction(
            kind=SanctionKind.ADMONISHMENT_TALK,
            decided_on=date(2024, 10, 10),
            reason="复核后改为诫勉",
        ),
    )
    await ledger.cases.revoke_sanction(
        CTX, case.id, revoked, RevokeSanction(decided_on=date(2024, 10, 12), reason="依据不足")
    )
    await ledger.cases.close_case(
        CTX, case.id, CloseCase(closed_on=date(2024, 10, 15), reason="办结")
    )
    clue = await ledger.clues.receive_clue(
        CTX,
        ReceiveClue(
            source=ClueSource.HOTLINE_12345,
            external_id="12345-2024-000871",
            summary="群众反映执法人员未出示证件",
            received_at=datetime(2024, 4, 2, 9, 30, tzinfo=UTC),
            unit_id=world.bureau,
        ),
    )
    await ledger.clues.triage_into_finding(
        CTX,
        clue.id,
        TriageClue(
            outcome=TriageOutcome.FINDING,
            finding=FindingFromClue(
                unit_id=world.bureau,
                category=Category.LAW_ENFORCEMENT,
                severity=Severity.MEDIUM,
                description="执法人员未出示执法证件",
                found_on=FOUND_ON,
                deadline=date(2024, 7, 1),
            ),
        ),
    )
    dismissed = await ledger.clues.receive_clue(
        CTX,
        ReceiveClue(
            source=ClueSource.PETITION,
            external_id="XF-2024-0032",
            summary="反映事项不属督察范围",
            received_at=datetime(2024, 4, 3, 10, 0, tzinfo=UTC),
            unit_id=None,
        ),
    )
    await ledger.clues.dismiss_clue(
        CTX, dismissed.id, TriageClue(outcome=TriageOutcome.DISMISSED, reason="不属于督察范围")
    )
    bulletin = await ledger.bulletins.issue_bulletin(
        CTX,
        IssueBulletin(
            kind=BulletinKind.BRIEF,
            title="督察情况简报第1期",
            inspection_id=inspection,
            finding_ids=[finding],
            recipient_unit_ids=[world.discipline, world.personnel],
            issued_on=date(2024, 6, 5),
            summary="通报督察发现的问题",
        ),
    )
    defined = await ledger.assessments.define_indicator_set(
        CTX,
        DefineIndicatorSet(
            year=2024,
            name="2024年法治政府建设考核",
            indicators=[
                {"code": "A1", "name": "依法决策", "weight": Decimal(60)},
                {"code": "A2", "name": "严格执法", "weight": Decimal("40")},
            ],
        ),
    )
    assessed = await ledger.assessments.assess_unit(
        CTX,
        AssessUnit(
            indicator_set_id=defined.id,
            unit_id=world.bureau,
            scores={"A1": Decimal(90), "A2": Decimal(80)},
            grade=None,
            assessed_on=date(2025, 1, 15),
        ),
    )
    await ledger.assessments.assess_unit(
        CTX,
        AssessUnit(
            indicator_set_id=defined.id,
            unit_id=world.bureau,
            scores={"A1": Decimal(90), "A2": Decimal("70.5")},
            grade=None,
            assessed_on=date(2025, 1, 20),
            reason="复核扣分",
        ),
    )
    return Loop(
        world,
        inspection,
        finding,
        case.id,
        modified,
        revoked,
        upheld.position,
        clue.id,
        dismissed.id,
        bulletin.id,
        defined.id,
        assessed.id,
        assessed.position,
    )


async def test_every_event_type_lands(ledger: Ledger, pool: asyncpg.Pool, project: Project) -> None:
    made = await loop(ledger)
    await project()
    topics = {r["topic"] for r in await pool.fetch("SELECT DISTINCT topic FROM ledger_events")}
    assert set(records.PROJECTION.handlers) <= topics
    inspection = await records_query.get_inspection(pool, made.inspection)
    assert inspection is not None
    assert (inspection["stage"], inspection["closed_on"]) == ("closed", date(2024, 6, 1))
    assert inspection["targets"] == [{"id": made.world.bureau, "name": "无锡市司法局"}]
    assert inspection["team"] == [{"id": made.world.inspector, "name": "周督察"}]
    assert [e["sha256"] for e in inspection["evidence"]] == ["ab" * 32]
    assert [f["id"] for f in inspection["findings"]] == [made.finding]
    assert inspection["version"] == 5  # planned, started, evidence, feedback, closed
    clue = await records_query.get_clue(pool, made.clue)
    assert clue is not None
    assert (clue["outcome"], clue["source"]) == ("finding", "hotline_12345")
    assert clue["finding_id"] is not None
    assert await records_query.find_clue(pool, "hotline_12345", "12345-2024-000871") == clue
    dismissed = await records_query.get_clue(pool, made.dismissed_clue)
    assert dismissed is not None
    assert (dismissed["outcome"], dismissed["triage_reason"]) == ("dismissed", "不属于督察范围")
    bulletin = await records_bulletins.get_bulletin(pool, made.bulletin)
    assert bulletin is not None
    assert [(r["unit_id"], r["name"], r["kind"]) for r in bulletin["recipients"]] == [
        (made.world.discipline, "市纪委监委", "discipline_body"),
        (made.world.personnel, "市委组织部", "personnel_department"),
    ]
    indicator_set = await records_query.get_indicator_set(pool, made.indicator_set)
    assert indicator_set is not None
    assert [i["weight"] for i in indicator_set["indicators"]] == [60, 40]
    case = await records_query.get_case(pool, made.case)
    assert case is not None
    assert (case["closed_on"], case["closed_reason"], case["version"]) == (
        date(2024, 10, 15),
        "办结",
        9,
    )


async def test_a_sanction_modified_on_appeal_keeps_every_step(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    made = await loop(ledger)
    await project()
    case = await records_query.get_case(pool, made.case)
    assert case is not None
    sanctions = {s["id"]: s for s in case["sanctions"]}
    modified = sanctions[made.modified]
    assert (modified["kind"], modified["original_kind"], modified["state"]) == (
        "admonishment_talk",
        "party_discipline",
        "modified",
    )
    assert (modified["decided_on"], modified["in_force"]) == (date(2024, 10, 10), True)
    assert [
        (s["step"], s["step_on"], s["kind"], s["previous_kind"]) for s in modified["steps"]
    ] == [
        ("imposed", date(2024, 9, 20), "party_discipline", None),
        ("appealed", date(2024, 9, 25), "party_discipline", None),
        ("modified", date(2024, 10, 10), "admonishment_talk", "party_discipline"),
    ]
    assert modified["steps"][-1]["reason"] == "复核后改为诫勉"
    revoked = sanctions[made.revoked]
    assert (revoked["state"], revoked["in_force"]) == ("revoked", False)
    assert [s["step"] for s in revoked["steps"]] == ["imposed", "appealed", "upheld", "revoked"]
    # As the ledger knew it before the modification: the original kind, under appeal.
    before = await records_query.get_case(pool, made.case, made.before_modification)
    assert before is not None
    earlier = {s["id"]: s for s in before["sanctions"]}[made.modified]
    assert (earlier["kind"], earlier["state"]) == ("party_discipline", "appealed")
    assert len(earlier["steps"]) == 2


async def test_a_reassessment_keeps_the_first(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    made = await loop(ledger)
    await project()
    (current,) = await records_query.assessments(pool, [made.world.bureau])
    assert (current["id"], current["year"], current["version"]) == (made.assessment, 2024, 2)
    assert (current["total"], current["grade"], current["reason"]) == (82.2, "good", "复核扣分")
    assert current["scores"] == {"A1": 90, "A2": 70.5}
    assert [(e["version"], e["total"], e["grade"]) for e in current["earlier"]] == [
        (1, 86.0, "good")
    ]
    (first,) = await records_query.assessments(pool, [made.world.bureau], made.first_assessment)
    assert (first["version"], first["total"], first["earlier"]) == (1, 86.0, [])
    assert await records_query.assessments(pool, [made.world.bureau], years=(2025, 2025)) == []


async def dump(pool: asyncpg.Pool) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for table in records.TABLES:
        rows = await pool.fetch(f"SELECT * FROM {table}")
        found[table] = sorted((dict(r) for r in rows), key=repr)
    return found


async def test_rebuild_equals_catch_up(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    made = await loop(ledger)
    await project()
    before = await dump(pool)
    assert all(before.values()), [t for t, rows in before.items() if not rows]
    case_before = await records_query.get_case(pool, made.case)
    await pool.execute("DELETE FROM rec_sanction_steps WHERE sanction_id = $1", made.modified)
    await pool.execute("UPDATE rec_clues SET summary = 'wrong'")
    (projection,) = [p for p in PROJECTIONS if p.name == records.NAME]
    applied = await rebuild(pool, make_mapper(), projection, TABLES[records.NAME])
    assert applied == await ledger.events.head_position()
    assert await dump(pool) == before
    assert await records_query.get_case(pool, made.case) == case_before
    assert await project() == 0


async def test_a_finding_closed_after_its_referral_shows_on_the_inspection(
    ledger: Ledger, pool: asyncpg.Pool, project: Project
) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding = await raised_finding(ledger, world, inspection)
    await ledger.findings.refer_finding(
        CTX, finding, ReferFinding(to_unit_id=world.discipline, reason="失职")
    )
    closed = await ledger.findings.close_finding(
        CTX, finding, CloseFinding(outcome=Outcome.REFERRED)
    )
    await project()
    found = await records_query.get_inspection(pool, inspection)
    assert found is not None
    assert [(f["stage"], f["outcome"]) for f in found["findings"]] == [("closed", "referred")]
    earlier = await records_query.get_inspection(pool, inspection, closed.position - 1)
    assert earlier is not None
    assert [f["stage"] for f in earlier["findings"]] == ["referred"]
