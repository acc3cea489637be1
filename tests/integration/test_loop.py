"""The closed loop through the command service, on the real event store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledger.application import Ledger
from ledger.domain.accountability import AccountabilityCase
from ledger.domain.errors import IllegalTransition, InvariantViolation, NotAttributable
from ledger.domain.finding import Finding
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
)
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
    await ledger.end_assignment(
        CTX, world.deputy_post, effective_to=date(2024, 6, 1), end_reason=EndReason.TRANSFERRED
    )
    finding = await ledger.store.get(Finding, finding_id)
    assert world.deputy in finding.attributions


async def test_attribution_needs_an_assignment_in_the_unit_on_found_on(ledger: Ledger) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    await ledger.attribute(
        CTX, finding_id, person_id=world.clerk, liability=Liability.DIRECT, reason="经办人"
    )
    with pytest.raises(NotAttributable):
        await ledger.attribute(
            CTX, finding_id, person_id=world.inspector, liability=Liability.DIRECT, reason="x"
        )
    with pytest.raises(InvariantViolation):
        await ledger.withdraw_attribution(CTX, finding_id, person_id=world.head, reason="x")
    await ledger.withdraw_attribution(CTX, finding_id, person_id=world.clerk, reason="认定有误")
    finding = await ledger.store.get(Finding, finding_id)
    assert world.clerk not in finding.attributions


async def test_the_loop_closes_rectified_only_after_verification(ledger: Ledger) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    with pytest.raises(IllegalTransition) as refused:
        await ledger.close_finding(CTX, finding_id, outcome=Outcome.RECTIFIED)
    assert refused.value.stage == "raised"
    await ledger.plan_rectification(
        CTX,
        finding_id,
        measures="补全执法记录，开展专项培训",
        owner_person_id=world.deputy,
        deadline=None,
        planned_on=date(2024, 5, 20),
    )
    await ledger.report_progress(
        CTX,
        finding_id,
        reported_on=date(2024, 6, 30),
        summary="已完成培训",
        evidence=[{"ref": "司法局〔2024〕12号", "sha256": None}],
        complete=True,
    )
    await ledger.reject_rectification(
        CTX, finding_id, reason="记录仍不全", rejected_on=date(2024, 7, 2)
    )
    await ledger.report_progress(
        CTX,
        finding_id,
        reported_on=date(2024, 7, 20),
        summary="记录已补全",
        evidence=[],
        complete=True,
    )
    await ledger.verify_rectification(CTX, finding_id, verified_on=date(2024, 7, 25), note=None)
    await ledger.close_finding(
        CTX, finding_id, outcome=Outcome.RECTIFIED, closed_on=date(2024, 7, 26)
    )
    finding = await ledger.store.get(Finding, finding_id)
    assert (finding.stage, finding.outcome) == (FindingStage.CLOSED, Outcome.RECTIFIED)


async def test_referral_case_sanction_and_appeal(ledger: Ledger) -> None:
    world = await build_world(ledger)
    inspection = await started_inspection(ledger, world)
    finding_id = await raised_finding(ledger, world, inspection)
    await ledger.extend_deadline(
        CTX,
        finding_id,
        new_deadline=date(2024, 10, 31),
        approver_person_id=world.inspector,
        reason="涉及多部门",
    )
    await ledger.refer_finding(CTX, finding_id, to_unit_id=world.discipline, reason="失职")
    with pytest.raises(InvariantViolation):
        await ledger.open_case(
            CTX, person_id=world.clerk, finding_ids=[finding_id], handling_unit_id=world.discipline
        )
    case = await ledger.open_case(
        CTX,
        person_id=world.deputy,
        finding_ids=[finding_id],
        handling_unit_id=world.discipline,
        opened_on=date(2024, 9, 1),
    )
    imposed = await ledger.impose_sanction(
        CTX, case.id, kind=SanctionKind.PARTY_DISCIPLINE, decided_on=date(2024, 9, 20)
    )
    sanction_id = imposed.detail["sanction_id"]
    from uuid import UUID

    await ledger.appeal_sanction(
        CTX, case.id, sanction_id=UUID(sanction_id), appealed_on=date(2024, 9, 25), reason="申诉"
    )
    with pytest.raises(IllegalTransition):
        await ledger.close_case(CTX, case.id, closed_on=date(2024, 10, 1))
    await ledger.modify_sanction(
        CTX,
        case.id,
        sanction_id=UUID(sanction_id),
        kind=SanctionKind.ADMONISHMENT_TALK,
        decided_on=date(2024, 10, 10),
        reason="复核后改为诫勉",
    )
    await ledger.close_case(CTX, case.id, closed_on=date(2024, 10, 15))
    await ledger.close_finding(CTX, finding_id, outcome=Outcome.REFERRED)
    loaded = await ledger.store.get(AccountabilityCase, case.id)
    sanction = loaded.sanctions[UUID(sanction_id)]
    assert (sanction.kind, sanction.state, sanction.original_kind) == (
        SanctionKind.ADMONISHMENT_TALK,
        SanctionState.MODIFIED,
        SanctionKind.PARTY_DISCIPLINE,
    )


async def test_a_clue_is_one_clue_and_triage_raises_its_finding(ledger: Ledger) -> None:
    world = await build_world(ledger)
    first = await ledger.receive_clue(
        CTX,
        origin=ClueSource.HOTLINE_12345,
        external_id="12345-2024-000871",
        summary="群众反映执法人员未出示证件",
        received_at=datetime(2024, 4, 2, 9, 30, tzinfo=UTC),
        unit_id=world.bureau,
    )
    again = await ledger.receive_clue(
        CTX,
        origin=ClueSource.HOTLINE_12345,
        external_id="12345-2024-000871",
        summary="重复推送",
        received_at=datetime(2024, 4, 2, 9, 31, tzinfo=UTC),
        unit_id=None,
    )
    assert (again.id, again.position) == (first.id, first.position)
    assert again.detail == {"already_received": True}
    raised = await ledger.triage_into_finding(
        CTX,
        first.id,
        unit_id=world.bureau,
        category=Category.LAW_ENFORCEMENT,
        severity=Severity.MEDIUM,
        description="执法人员未出示执法证件",
        found_on=FOUND_ON,
        deadline=date(2024, 7, 1),
    )
    finding = await ledger.store.get(Finding, raised.id)
    assert finding.clue_id == first.id
    with pytest.raises(IllegalTransition):
        await ledger.dismiss_clue(CTX, first.id, reason="重复")


async def test_assessment_total_grade_and_reassessment(ledger: Ledger) -> None:
    world = await build_world(ledger)
    indicators = [
        {"code": "A1", "name": "依法决策", "weight": 60},
        {"code": "A2", "name": "严格执法", "weight": 40},
    ]
    defined = await ledger.define_indicator_set(
        CTX, year=2024, name="2024年法治政府建设考核", indicators=indicators
    )
    first = await ledger.assess_unit(
        CTX,
        indicator_set_id=defined.id,
        unit_id=world.bureau,
        scores={"A1": Decimal(90), "A2": Decimal(80)},
        grade=None,
        assessed_on=date(2025, 1, 15),
    )
    again = await ledger.assess_unit(
        CTX,
        indicator_set_id=defined.id,
        unit_id=world.bureau,
        scores={"A1": Decimal(90), "A2": Decimal(70)},
        grade=None,
        assessed_on=date(2025, 1, 20),
        reason="复核扣分",
    )
    assert (again.id, again.version) == (first.id, 2)
    from ledger.domain.assessment import Assessment
    from ledger.domain.vocab import Grade

    assessment = await ledger.store.get(Assessment, again.id)
    assert (assessment.total, assessment.grade) == (Decimal("82.00"), Grade.GOOD)
