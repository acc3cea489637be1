"""The closed loop through the command service, on the real event store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from ledger.application import Ledger
from ledger.application.commands import (
    AppealSanction,
    AssessUnit,
    Attribute,
    CloseCase,
    CloseFinding,
    DefineIndicatorSet,
    EndAssignment,
    ExtendDeadline,
    FindingFromClue,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    PlanRectification,
    ReceiveClue,
    ReferFinding,
    RejectRectification,
    ReportProgress,
    TriageClue,
    VerifyRectification,
    WithdrawAttribution,
)
from ledger.application.errors import ClueRedelivered
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.errors import IllegalTransition, InvariantViolation, NotAttributable, NotFound
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.unit import Unit
from ledger.domain.vocab import (
    Category,
    ClueSource,
    EndReason,
    FindingStage,
    Liability,
    Outcome,
    SanctionKind,
    SanctionState,
    Severity,
    TriageOutcome,
)
from ledger.infra.eventstore import Condition, ConditionFailed
from tests.world import CTX, FOUND_ON, build_world, raised_finding, started_inspection


async def test_a_finding_is_attributed_to_the_principal_and_the_portfolio_leader(
    ledger: Ledger,
) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    finding = await ledger.store.get(Finding, finding_id)
    held = {a.person_id: a.liability for a in finding.attributions.values()}
    assert held == {world.head: Liability.PRINCIPAL, world.deputy: Liability.LEADERSHIP}
    # A category no portfolio covers: the principal alone.
    other = await raised_finding(ledger, world, inspection, Category.LEGAL_PUBLICITY)
    finding = await ledger.store.get(Finding, other)
    assert [a.person_id for a in finding.attributions.values()] == [world.head]


async def test_a_later_change_of_assignment_never_changes_who_was_responsible(
    ledger: Ledger,
) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    await ledger.assignments.end_assignment(
        CTX,
        world.deputy_post,
        EndAssignment(effective_to=date(2024, 6, 1), reason=EndReason.TRANSFERRED),
    )
    finding = await ledger.store.get(Finding, finding_id)
    assert world.deputy in finding.attributions


async def test_attribution_needs_an_assignment_in_the_unit_on_found_on(ledger: Ledger) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    await ledger.findings.attribute(
        CTX,
        finding_id,
        Attribute(person_id=world.clerk, liability=Liability.DIRECT, reason="经办人"),
    )
    with pytest.raises(NotAttributable):
        await ledger.findings.attribute(
            CTX,
            finding_id,
            Attribute(person_id=world.inspector, liability=Liability.DIRECT, reason="x"),
        )
    with pytest.raises(InvariantViolation):
        await ledger.findings.withdraw_attribution(
            CTX, finding_id, world.head, WithdrawAttribution(reason="x")
        )
    await ledger.findings.withdraw_attribution(
        CTX, finding_id, world.clerk, WithdrawAttribution(reason="认定有误")
    )
    finding = await ledger.store.get(Finding, finding_id)
    assert world.clerk not in finding.attributions


async def test_the_loop_closes_rectified_only_after_verification(ledger: Ledger) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    with pytest.raises(IllegalTransition) as refused:
        await ledger.findings.close_finding(
            CTX, finding_id, CloseFinding(outcome=Outcome.RECTIFIED)
        )
    assert refused.value.stage == "raised"
    await ledger.findings.plan_rectification(
        CTX,
        finding_id,
        PlanRectification(
            measures="补全执法记录，开展专项培训",
            owner_person_id=world.deputy,
            deadline=None,
            planned_on=date(2024, 5, 20),
        ),
    )
    await ledger.findings.report_progress(
        CTX,
        finding_id,
        ReportProgress(
            reported_on=date(2024, 6, 30),
            summary="已完成培训",
            evidence=[{"ref": "司法局〔2024〕12号", "sha256": None}],
            complete=True,
        ),
    )
    await ledger.findings.reject_rectification(
        CTX, finding_id, RejectRectification(reason="记录仍不全", rejected_on=date(2024, 7, 2))
    )
    await ledger.findings.report_progress(
        CTX,
        finding_id,
        ReportProgress(
            reported_on=date(2024, 7, 20), summary="记录已补全", evidence=[], complete=True
        ),
    )
    await ledger.findings.verify_rectification(
        CTX, finding_id, VerifyRectification(verified_on=date(2024, 7, 25), note=None)
    )
    await ledger.findings.close_finding(
        CTX, finding_id, CloseFinding(outcome=Outcome.RECTIFIED, closed_on=date(2024, 7, 26))
    )
    finding = await ledger.store.get(Finding, finding_id)
    assert (finding.stage, finding.outcome) == (FindingStage.CLOSED, Outcome.RECTIFIED)


async def test_referral_case_sanction_and_appeal(ledger: Ledger) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    await ledger.findings.extend_deadline(
        CTX,
        finding_id,
        ExtendDeadline(
            new_deadline=date(2024, 10, 31), approver_person_id=world.inspector, reason="涉及多部门"
        ),
    )
    await ledger.findings.refer_finding(
        CTX, finding_id, ReferFinding(to_unit_id=world.discipline, reason="失职")
    )
    with pytest.raises(InvariantViolation):
        await ledger.cases.open_case(
            CTX,
            OpenCase(
                person_id=world.clerk, finding_ids=[finding_id], handling_unit_id=world.discipline
            ),
        )
    case = await ledger.cases.open_case(
        CTX,
        OpenCase(
            person_id=world.deputy,
            finding_ids=[finding_id],
            handling_unit_id=world.discipline,
            opened_on=date(2024, 9, 1),
        ),
    )
    imposed = await ledger.cases.impose_sanction(
        CTX,
        case.id,
        ImposeSanction(kind=SanctionKind.PARTY_DISCIPLINE, decided_on=date(2024, 9, 20)),
    )
    sanction_id = imposed.detail["sanction_id"]
    from uuid import UUID

    await ledger.cases.appeal_sanction(
        CTX,
        case.id,
        AppealSanction(sanction_id=UUID(sanction_id), appealed_on=date(2024, 9, 25), reason="申诉"),
    )
    with pytest.raises(IllegalTransition):
        await ledger.cases.close_case(CTX, case.id, CloseCase(closed_on=date(2024, 10, 1)))
    await ledger.cases.modify_sanction(
        CTX,
        case.id,
        UUID(sanction_id),
        ModifySanction(
            kind=SanctionKind.ADMONISHMENT_TALK,
            decided_on=date(2024, 10, 10),
            reason="复核后改为诫勉",
        ),
    )
    await ledger.cases.close_case(CTX, case.id, CloseCase(closed_on=date(2024, 10, 15)))
    await ledger.findings.close_finding(CTX, finding_id, CloseFinding(outcome=Outcome.REFERRED))
    loaded = await ledger.store.get(AccountabilityCase, case.id)
    sanction = loaded.sanctions[UUID(sanction_id)]
    assert (sanction.kind, sanction.state, sanction.original_kind) == (
        SanctionKind.ADMONISHMENT_TALK,
        SanctionState.MODIFIED,
        SanctionKind.PARTY_DISCIPLINE,
    )


async def test_a_clue_is_one_clue_and_triage_raises_its_finding(ledger: Ledger) -> None:
    world = await build_world(ledger)
    first = await ledger.clues.receive_clue(
        CTX,
        ReceiveClue(
            source=ClueSource.HOTLINE_12345,
            external_id="12345-2024-000871",
            summary="群众反映执法人员未出示证件",
            received_at=datetime(2024, 4, 2, 9, 30, tzinfo=UTC),
            unit_id=world.bureau,
        ),
    )
    delivery = ReceiveClue(
        source=ClueSource.HOTLINE_12345,
        external_id="12345-2024-000871",
        summary="群众反映执法人员未出示证件",
        received_at=datetime(2024, 4, 2, 9, 30, tzinfo=UTC),
        unit_id=world.bureau,
    )
    again = await ledger.clues.receive_clue(CTX, delivery)
    assert (again.id, again.position) == (first.id, first.position)
    assert again.detail == {"already_received": True}
    with pytest.raises(ClueRedelivered) as conflict:
        await ledger.clues.receive_clue(
            CTX,
            delivery.model_copy(
                update={"received_at": datetime(2024, 4, 2, 9, 31, tzinfo=UTC), "unit_id": None}
            ),
        )
    assert conflict.value.differing == ["received_at", "unit_id"]
    assert conflict.value.stored["unit_id"] == world.bureau
    raised = await ledger.clues.triage_into_finding(
        CTX,
        first.id,
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
    finding = await ledger.store.get(Finding, raised.id)
    assert finding.clue_id == first.id
    with pytest.raises(IllegalTransition):
        await ledger.clues.dismiss_clue(
            CTX, first.id, TriageClue(outcome=TriageOutcome.DISMISSED, reason="重复")
        )


async def test_assessment_total_grade_and_reassessment(ledger: Ledger) -> None:
    world = await build_world(ledger)
    indicators = [
        {"code": "A1", "name": "依法决策", "weight": 60},
        {"code": "A2", "name": "严格执法", "weight": 40},
    ]
    defined = await ledger.assessments.define_indicator_set(
        CTX, DefineIndicatorSet(year=2024, name="2024年法治政府建设考核", indicators=indicators)
    )
    first = await ledger.assessments.assess_unit(
        CTX,
        AssessUnit(
            indicator_set_id=defined.id,
            unit_id=world.bureau,
            scores={"A1": Decimal(90), "A2": Decimal(80)},
            grade=None,
            assessed_on=date(2025, 1, 15),
        ),
    )
    again = await ledger.assessments.assess_unit(
        CTX,
        AssessUnit(
            indicator_set_id=defined.id,
            unit_id=world.bureau,
            scores={"A1": Decimal(90), "A2": Decimal(70)},
            grade=None,
            assessed_on=date(2025, 1, 20),
            reason="复核扣分",
        ),
    )
    assert (again.id, again.version) == (first.id, 2)
    from ledger.domain.assessment import Assessment
    from ledger.domain.vocab import Grade

    assessment = await ledger.store.get(Assessment, again.id)
    assert (assessment.total, assessment.grade) == (Decimal("82.00"), Grade.GOOD)


async def test_a_command_reads_its_aggregates_and_a_chain_in_one_snapshot(ledger: Ledger) -> None:
    """``AggregateStore.read``: the named aggregates, those the tag finds, and the head of
    the same snapshot, so a guard on the tag catches any change to the chain after it."""
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    missing = UUID(int=7)
    reads = await ledger.store.read([world.bureau, inspection, missing], [f"unit:{world.bureau}"])
    assert reads.get(Unit, world.bureau, field="unit_id").id == world.bureau
    assert reads.get(Inspection, inspection).id == inspection
    with pytest.raises(NotFound) as refused:
        reads.get(Unit, missing, field="unit_id")
    assert refused.value.field == "unit_id"
    with pytest.raises(NotFound):
        reads.get(Unit, inspection)  # another kind of record: not found as a unit
    posts = {a.id for a in reads.assignments()}
    assert posts == {world.head_post, world.deputy_post, world.clerk_post}
    assert reads.head == await ledger.store.events.head_position()
    # A change to the unit's chain after the read fails an append guarded at its head.
    await ledger.assignments.end_assignment(
        CTX,
        world.clerk_post,
        EndAssignment(effective_to=date(2024, 6, 1), reason=EndReason.TRANSFERRED),
    )
    finding = Finding.raise_(
        unit_id=world.bureau,
        inspection_id=inspection,
        clue_id=None,
        category=Category.LAW_ENFORCEMENT,
        severity=Severity.LOW,
        description="guarded",
        found_on=FOUND_ON,
        deadline=date(2024, 12, 31),
        actor="test",
        source="test",
        reason=None,
        basis=None,
        today=date(2026, 11, 27),
    )
    rows = ledger.store.new_events([finding])
    with pytest.raises(ConditionFailed):
        await ledger.store.events.append(
            rows, condition=Condition([f"unit:{world.bureau}"], reads.head)
        )
