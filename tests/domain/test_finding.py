"""Finding: the loop's stages, its dates, its attributions, and the rule behind each refusal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.errors import IllegalTransition, InvalidInput, InvariantViolation
from ledger.domain.finding import Finding
from ledger.domain.loop import NEXT_STEPS
from ledger.domain.vocab import Category, FindingField, FindingStage, Liability, Outcome, Severity

FOUND = date(2024, 5, 10)
DEADLINE = date(2024, 8, 31)
WHO: dict[str, Any] = {"actor": "inspector", "source": "test", "basis": None}
TODAY = date(2026, 1, 1)  # "today" of the rules: every date here is before it
Stage = FindingStage


def raised(deadline: date = DEADLINE) -> Finding:
    return Finding.raise_(
        unit_id=uuid4(),
        inspection_id=uuid4(),
        clue_id=None,
        category=Category.LAW_ENFORCEMENT,
        severity=Severity.HIGH,
        description="执法记录不全",
        found_on=FOUND,
        deadline=deadline,
        reason=None,
        **WHO,
        today=TODAY,
    )


def plan(f: Finding, on: date = date(2024, 5, 20), due: date | None = None) -> None:
    f.plan_rectification("补全记录", None, None, due, on, reason=None, **WHO, today=TODAY)


def progress(f: Finding, on: date, complete: bool = True) -> None:
    f.report_progress(on, "已整改", [{"ref": "doc-1"}], complete, reason=None, **WHO, today=TODAY)


def verified(f: Finding, on: date = date(2024, 7, 1)) -> None:
    plan(f)
    progress(f, on)
    f.verify(on, None, reason=None, **WHO, today=TODAY)


def test_a_finding_comes_from_exactly_one_of_an_inspection_or_a_clue() -> None:
    for inspection, clue in ((None, None), (uuid4(), uuid4())):
        with pytest.raises(InvalidInput) as refused:
            Finding.raise_(
                unit_id=uuid4(),
                inspection_id=inspection,
                clue_id=clue,
                category=Category.OTHER,
                severity=Severity.LOW,
                description="x",
                found_on=FOUND,
                deadline=DEADLINE,
                reason=None,
                **WHO,
                today=TODAY,
            )
        assert refused.value.field == "inspection_id"


@pytest.mark.parametrize("deadline", [FOUND, FOUND - timedelta(days=1)])
def test_the_deadline_must_be_after_found_on(deadline: date) -> None:
    with pytest.raises(InvalidInput) as refused:
        raised(deadline)
    assert refused.value.field == "deadline"


def test_the_happy_loop_closes_rectified() -> None:
    f = raised()
    plan(f)
    assert f.stage is Stage.RECTIFYING
    progress(f, date(2024, 6, 1), complete=False)
    assert f.stage is Stage.RECTIFYING
    progress(f, date(2024, 6, 30))
    assert f.stage is Stage.AWAITING_VERIFICATION
    f.reject(date(2024, 7, 1), reason="仍不完整", **WHO, today=TODAY)
    assert f.stage is Stage.RECTIFYING
    progress(f, date(2024, 7, 10))
    f.verify(date(2024, 7, 12), "复查通过", reason=None, **WHO, today=TODAY)
    assert f.stage is Stage.VERIFIED
    f.close(Outcome.RECTIFIED, date(2024, 7, 13), reason=None, **WHO, today=TODAY)
    assert (f.stage, f.outcome, f.closed_on) == (Stage.CLOSED, Outcome.RECTIFIED, date(2024, 7, 13))


def test_rectified_needs_a_verification_and_the_answer_names_the_next_steps() -> None:
    f = raised()
    plan(f)
    progress(f, date(2024, 6, 30))
    with pytest.raises(IllegalTransition) as refused:
        f.close(Outcome.RECTIFIED, date(2024, 7, 1), reason=None, **WHO, today=TODAY)
    assert refused.value.stage == "awaiting_verification"
    assert refused.value.allowed == NEXT_STEPS[Stage.AWAITING_VERIFICATION]
    assert "verify" in refused.value.allowed


def test_referred_needs_a_referral_and_dismissed_needs_a_reason() -> None:
    f = raised()
    with pytest.raises(IllegalTransition):
        f.close(Outcome.REFERRED, date(2024, 6, 1), reason=None, **WHO, today=TODAY)
    with pytest.raises(InvalidInput) as refused:
        f.close(Outcome.DISMISSED, date(2024, 6, 1), reason=None, **WHO, today=TODAY)
    assert refused.value.field == "reason"
    f.refer(uuid4(), date(2024, 6, 1), reason="失职", **WHO, today=TODAY)
    with pytest.raises(IllegalTransition):
        plan(f)
    f.close(Outcome.REFERRED, date(2024, 9, 1), reason=None, **WHO, today=TODAY)
    assert f.outcome is Outcome.REFERRED


def test_an_extension_keeps_the_original_deadline_and_must_be_later() -> None:
    f = raised()
    with pytest.raises(InvalidInput) as refused:
        f.extend_deadline(DEADLINE, uuid4(), date(2024, 8, 1), reason="r", **WHO, today=TODAY)
    assert refused.value.field == "new_deadline"
    f.extend_deadline(
        date(2024, 10, 31), uuid4(), date(2024, 8, 1), reason="涉及多部门", **WHO, today=TODAY
    )
    assert (f.original_deadline, f.deadline) == (DEADLINE, date(2024, 10, 31))


def test_steps_cannot_be_dated_before_what_they_follow() -> None:
    f = raised()
    with pytest.raises(InvalidInput) as refused:
        plan(f, on=FOUND - timedelta(days=1))
    assert refused.value.field == "planned_on"
    plan(f)
    progress(f, date(2024, 6, 30))
    with pytest.raises(InvalidInput) as refused:
        f.verify(date(2024, 6, 29), None, reason=None, **WHO, today=TODAY)
    assert refused.value.field == "verified_on"


def test_a_plan_deadline_beyond_the_findings_needs_an_extension() -> None:
    f = raised()
    with pytest.raises(InvalidInput) as refused:
        plan(f, due=DEADLINE + timedelta(days=1))
    assert refused.value.field == "deadline"
    plan(f, due=DEADLINE)
    assert f.stage is Stage.RECTIFYING


def test_attributions_principal_stays_others_may_be_withdrawn() -> None:
    f = raised()
    principal, clerk = uuid4(), uuid4()
    f.attribute(principal, uuid4(), Liability.PRINCIPAL, automatic=True, reason=None, **WHO)
    f.attribute(clerk, uuid4(), Liability.DIRECT, reason="经办", **WHO)
    with pytest.raises(InvariantViolation):
        f.attribute(clerk, uuid4(), Liability.LEADERSHIP, reason="again", **WHO)
    with pytest.raises(InvariantViolation):
        f.withdraw_attribution(principal, reason="x", **WHO)
    f.withdraw_attribution(clerk, reason="认定有误", **WHO)
    assert list(f.attributions) == [principal]
    assert f.persons == [principal, clerk]  # the withdrawn stays concerned


def test_a_closed_finding_takes_no_more_attributions() -> None:
    f = raised()
    f.close(Outcome.DISMISSED, date(2024, 6, 1), reason="不属实", **WHO, today=TODAY)
    with pytest.raises(IllegalTransition):
        f.attribute(uuid4(), uuid4(), Liability.DIRECT, reason="x", **WHO)


@given(
    extensions=st.lists(st.integers(min_value=1, max_value=60), max_size=3),
    as_of=st.integers(min_value=-30, max_value=400),
    closed=st.booleans(),
)
def test_overdue_exactly_when_past_the_current_deadline_and_not_closed(
    extensions: list[int], as_of: int, closed: bool
) -> None:
    f = raised()
    for days in extensions:
        f.extend_deadline(
            f.deadline + timedelta(days=days), uuid4(), FOUND, reason="延期", **WHO, today=TODAY
        )
    if closed:
        f.close(Outcome.DISMISSED, FOUND, reason="不属实", **WHO, today=TODAY)
    day = DEADLINE + timedelta(days=as_of)
    overdue = f.days_overdue(day)
    assert (overdue > 0) == (not closed and day > f.deadline)
    if overdue:
        assert overdue == (day - f.deadline).days


STEPS = ["plan", "progress", "done", "verify", "reject", "extend", "refer", "close"]


@given(st.lists(st.sampled_from(STEPS), max_size=12))
def test_any_sequence_of_steps_keeps_the_loop_honest(steps: list[str]) -> None:
    """Whatever is tried, in any order: rectified only after verification, and a refused
    step changes nothing."""
    f = raised()
    day = FOUND
    verified_seen = False
    for step in steps:
        day += timedelta(days=3)
        before = (f.stage, f.version)
        try:
            if step == "plan":
                plan(f, on=day)
            elif step in ("progress", "done"):
                progress(f, day, complete=step == "done")
            elif step == "verify":
                f.verify(day, None, reason=None, **WHO, today=TODAY)
                verified_seen = True
            elif step == "reject":
                f.reject(day, reason="不合格", **WHO, today=TODAY)
            elif step == "extend":
                f.extend_deadline(
                    f.deadline + timedelta(days=30), uuid4(), day, reason="r", **WHO, today=TODAY
                )
            elif step == "refer":
                f.refer(uuid4(), day, reason="r", **WHO, today=TODAY)
            else:
                outcome = {
                    Stage.VERIFIED: Outcome.RECTIFIED,
                    Stage.REFERRED: Outcome.REFERRED,
                }.get(f.stage, Outcome.DISMISSED)
                f.close(outcome, day, reason="r", **WHO, today=TODAY)
        except (IllegalTransition, InvalidInput):
            assert (f.stage, f.version) == before
        if f.outcome is Outcome.RECTIFIED:
            assert verified_seen


def test_a_correction_changes_the_record_and_says_why() -> None:
    f = raised()
    f.correct(FindingField.SEVERITY, Severity.CRITICAL, reason="复核后定为特别严重", **WHO)
    f.correct(FindingField.DESCRIPTION, "执法记录缺失三个月", reason="笔误", **WHO)
    assert (f.severity, f.description) == (Severity.CRITICAL, "执法记录缺失三个月")
    with pytest.raises(InvalidInput) as same:
        f.correct(FindingField.SEVERITY, Severity.CRITICAL, reason="again", **WHO)
    assert same.value.field == "new"
    with pytest.raises(InvalidInput) as unexplained:
        f.correct(FindingField.SEVERITY, Severity.LOW, reason=None, **WHO)
    assert unexplained.value.field == "reason"
