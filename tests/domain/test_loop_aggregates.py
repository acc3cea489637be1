"""Inspection, accountability case, clue, bulletin and assessment: their rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.accountability import AccountabilityCase
from ledger.domain.assessment import Assessment, IndicatorSet, assessment_id, grade_of
from ledger.domain.bulletin import Bulletin
from ledger.domain.clue import Clue, clue_id
from ledger.domain.errors import IllegalTransition, InvalidInput, NotFound
from ledger.domain.inspection import Inspection
from ledger.domain.vocab import (
    BulletinKind,
    Category,
    ClueSource,
    EvidenceMethod,
    Grade,
    InspectionStage,
    SanctionKind,
    SanctionState,
    TriageOutcome,
)

WHO: dict[str, Any] = {"actor": "inspector", "source": "test", "basis": None}
TODAY = date(2026, 1, 1)  # "today" of the rules: every date here is before it


def planned(target: UUID | None = None, **changes: Any) -> Inspection:
    fields: dict[str, Any] = {
        "title": "2024年度督察",
        "year": 2024,
        "organizer_unit_id": uuid4(),
        "target_unit_ids": [target or uuid4()],
        "team": [uuid4()],
        "topics": [Category.MAJOR_DECISION],
        "starts_on": date(2024, 5, 6),
        "ends_on": date(2024, 5, 20),
        "reason": None,
        **WHO,
    }
    fields.update(changes)
    return Inspection.plan(**fields)


# Inspection


def test_an_inspection_runs_planned_started_fed_back_closed() -> None:
    target = uuid4()
    i = planned(target)
    i.start(date(2024, 5, 6), reason=None, **WHO, today=TODAY)
    i.record_evidence(
        EvidenceMethod.INTERVIEW,
        "个别谈话",
        "谈话笔录1",
        "a" * 64,
        target,
        date(2024, 5, 7),
        reason=None,
        **WHO,
        today=TODAY,
    )
    i.check_accepts_findings(target, date(2024, 5, 7))
    i.feed_back(date(2024, 5, 30), "反馈督察意见", reason=None, **WHO, today=TODAY)
    i.close(date(2024, 6, 30), reason=None, **WHO, today=TODAY)
    assert i.stage is InspectionStage.CLOSED


def test_an_inspection_refuses_steps_out_of_order_and_findings_outside_it() -> None:
    target = uuid4()
    i = planned(target)
    with pytest.raises(IllegalTransition) as refused:
        i.close(date(2024, 6, 1), reason=None, **WHO, today=TODAY)
    assert (refused.value.stage, refused.value.allowed) == ("planned", ["start"])
    with pytest.raises(IllegalTransition):
        i.check_accepts_findings(target, date(2024, 5, 7))
    i.start(date(2024, 5, 6), reason=None, **WHO, today=TODAY)
    with pytest.raises(InvalidInput) as wrong_unit:
        i.check_accepts_findings(uuid4(), date(2024, 5, 7))
    assert wrong_unit.value.field == "unit_id"
    for outside in (date(2024, 5, 5), date(2024, 5, 21)):  # the window is 5-6 to 5-20
        with pytest.raises(InvalidInput) as out_of_window:
            i.check_accepts_findings(target, outside)
        assert out_of_window.value.field == "found_on"
        assert "2024-05-06 to 2024-05-20" in out_of_window.value.message
    i.check_accepts_findings(target, date(2024, 5, 20))
    with pytest.raises(InvalidInput) as early:
        i.feed_back(date(2024, 5, 1), "x", reason=None, **WHO, today=TODAY)
    assert early.value.field == "fed_back_on"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": date(2024, 5, 1)}, "ends_on"),
        ({"year": 2023}, "starts_on"),
    ],
)
def test_an_inspection_plan_refuses_a_bad_window(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        planned(**changes)
    assert refused.value.field == field


def test_an_inspection_body_does_not_inspect_itself() -> None:
    office = uuid4()
    with pytest.raises(InvalidInput):
        planned(organizer_unit_id=office, target_unit_ids=[office])


# Accountability case


def opened() -> AccountabilityCase:
    return AccountabilityCase.open(
        person_id=uuid4(),
        finding_ids=[uuid4()],
        handling_unit_id=uuid4(),
        opened_on=date(2024, 9, 1),
        reason=None,
        **WHO,
        today=TODAY,
    )


def test_a_sanction_modified_on_appeal_keeps_its_original_kind() -> None:
    case = opened()
    sid = uuid4()
    case.impose(
        sid, SanctionKind.PARTY_DISCIPLINE, date(2024, 9, 20), reason=None, **WHO, today=TODAY
    )
    case.appeal(sid, date(2024, 9, 25), reason="申诉", **WHO, today=TODAY)
    with pytest.raises(IllegalTransition):
        case.close(date(2024, 10, 1), reason=None, **WHO, today=TODAY)
    case.modify(
        sid, SanctionKind.ADMONISHMENT_TALK, date(2024, 10, 10), reason="复核", **WHO, today=TODAY
    )
    s = case.sanctions[sid]
    assert (s.kind, s.original_kind, s.state) == (
        SanctionKind.ADMONISHMENT_TALK,
        SanctionKind.PARTY_DISCIPLINE,
        SanctionState.MODIFIED,
    )
    case.close(date(2024, 10, 15), reason=None, **WHO, today=TODAY)
    with pytest.raises(IllegalTransition):
        case.impose(
            uuid4(),
            SanctionKind.ADMONISHMENT_TALK,
            date(2024, 11, 1),
            reason=None,
            **WHO,
            today=TODAY,
        )


def test_a_revoked_sanction_takes_no_further_step_and_unknown_ones_are_not_found() -> None:
    case = opened()
    sid = uuid4()
    case.impose(
        sid, SanctionKind.WRITTEN_SELF_CRITICISM, date(2024, 9, 2), reason=None, **WHO, today=TODAY
    )
    case.revoke(sid, date(2024, 9, 30), reason="撤销", **WHO, today=TODAY)
    with pytest.raises(IllegalTransition) as refused:
        case.appeal(sid, date(2024, 10, 1), reason="x", **WHO, today=TODAY)
    assert refused.value.allowed == []
    with pytest.raises(NotFound) as unknown:
        case.revoke(uuid4(), date(2024, 10, 1), reason="x", **WHO, today=TODAY)
    assert unknown.value.field == "sanction_id"


def test_a_case_rests_on_a_finding_and_decisions_follow_its_opening() -> None:
    with pytest.raises(InvalidInput):
        AccountabilityCase.open(
            person_id=uuid4(),
            finding_ids=[],
            handling_unit_id=uuid4(),
            opened_on=date(2024, 9, 1),
            reason=None,
            **WHO,
            today=TODAY,
        )
    case = opened()
    with pytest.raises(InvalidInput) as refused:
        case.impose(
            uuid4(),
            SanctionKind.ADMONISHMENT_TALK,
            date(2024, 8, 1),
            reason=None,
            **WHO,
            today=TODAY,
        )
    assert refused.value.field == "decided_on"


# Clue and bulletin


@given(st.sampled_from(list(ClueSource)), st.text(min_size=1, max_size=40))
def test_a_clue_id_is_a_function_of_source_and_external_id(
    source: ClueSource, external_id: str
) -> None:
    clue = Clue.receive(
        origin=source,
        external_id=external_id,
        summary="线索",
        received_at=datetime(2024, 4, 2, tzinfo=UTC),
        unit_id=None,
        reason=None,
        **WHO,
    )
    assert clue.id == clue_id(source, external_id)
    others = [s for s in ClueSource if s is not source]
    assert clue_id(others[0], external_id) != clue.id


def test_a_clue_is_triaged_once_and_dismissal_needs_a_reason() -> None:
    clue = Clue.receive(
        origin=ClueSource.PETITION,
        external_id="XF-1",
        summary="信访",
        received_at=datetime(2024, 4, 2, tzinfo=UTC),
        unit_id=None,
        reason=None,
        **WHO,
    )
    with pytest.raises(InvalidInput):
        clue.triage(TriageOutcome.DISMISSED, None, reason=None, **WHO)
    clue.triage(TriageOutcome.DISMISSED, None, reason="不属于督察范围", **WHO)
    with pytest.raises(IllegalTransition):
        clue.triage(TriageOutcome.FINDING, uuid4(), reason=None, **WHO)


def test_a_naive_received_at_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        Clue.receive(
            origin=ClueSource.OTHER,
            external_id="x",
            summary="s",
            received_at=datetime(2024, 4, 2),
            unit_id=None,
            reason=None,
            **WHO,
        )
    assert refused.value.field == "received_at"


def test_a_bulletin_names_a_recipient() -> None:
    with pytest.raises(InvalidInput):
        Bulletin.issue(
            kind=BulletinKind.BRIEF,
            title="督察简报",
            inspection_id=uuid4(),
            finding_ids=[],
            recipient_unit_ids=[],
            issued_on=date(2024, 6, 1),
            summary=None,
            reason=None,
            **WHO,
        )


# Assessment


INDICATORS = [
    {"code": "A1", "name": "依法全面履行政府职能", "weight": 30},
    {"code": "A2", "name": "重大行政决策", "weight": 30},
    {"code": "A3", "name": "行政执法", "weight": 40},
]


def indicator_set() -> IndicatorSet:
    return IndicatorSet.define(year=2024, name="考核", indicators=INDICATORS, reason=None, **WHO)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3))
def test_the_total_is_the_weighted_mean_and_the_grade_follows_it(points: list[int]) -> None:
    scores = {code: Decimal(p) for code, p in zip(("A1", "A2", "A3"), points, strict=True)}
    total = indicator_set().score(scores)
    expected = (Decimal(30) * points[0] + 30 * points[1] + 40 * points[2]) / 100
    assert total == expected.quantize(Decimal("0.01"))
    assert 0 <= total <= 100
    assert grade_of(total) is (
        Grade.EXCELLENT
        if total >= 90
        else Grade.GOOD
        if total >= 80
        else Grade.PASS
        if total >= 60
        else Grade.FAIL
    )


@pytest.mark.parametrize(
    "scores",
    [
        {"A1": Decimal(90), "A2": Decimal(90)},
        {"A1": Decimal(90), "A2": Decimal(90), "A3": Decimal(90), "B": Decimal(1)},
        {"A1": Decimal(90), "A2": Decimal(90), "A3": Decimal(101)},
    ],
)
def test_scores_name_each_indicator_once_within_range(scores: dict[str, Decimal]) -> None:
    with pytest.raises(InvalidInput) as refused:
        indicator_set().score(scores)
    assert refused.value.field == "scores"


@pytest.mark.parametrize(
    "indicators",
    [
        INDICATORS[:2],
        [*INDICATORS, {"code": "A1", "name": "重复", "weight": 0}],
    ],
)
def test_an_indicator_set_has_unique_codes_and_weights_summing_to_100(
    indicators: list[dict[str, Any]],
) -> None:
    with pytest.raises(InvalidInput):
        IndicatorSet.define(year=2024, name="x", indicators=indicators, reason=None, **WHO)


def test_a_reassessment_needs_a_reason_and_a_change() -> None:
    set_id, unit_id = uuid4(), uuid4()
    scores = {"A1": Decimal(80), "A2": Decimal(80), "A3": Decimal(80)}
    a = Assessment(
        indicator_set_id=set_id,
        unit_id=unit_id,
        year=2024,
        scores=scores,
        total=Decimal(80),
        grade=Grade.GOOD,
        assessed_on=date(2025, 1, 10),
        reason=None,
        **WHO,
    )
    assert a.id == assessment_id(set_id, unit_id)
    with pytest.raises(InvalidInput):
        a.reassess(
            scores, Decimal(80), Grade.GOOD, date(2025, 1, 12), reason=None, **WHO, today=TODAY
        )
    with pytest.raises(InvalidInput):
        a.reassess(
            scores, Decimal(80), Grade.GOOD, date(2025, 1, 12), reason="复核", **WHO, today=TODAY
        )
    a.reassess(
        scores, Decimal(80), Grade.PASS, date(2025, 1, 12), reason="复核降等", **WHO, today=TODAY
    )
    assert (a.grade, a.version) == (Grade.PASS, 2)
