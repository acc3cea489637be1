"""Dates that cannot be true: no act dated after today, no step dated before the step it
follows; each refusal names the field at fault and the date it ran into."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.domain.accountability import AccountabilityCase, check_case_rests_on
from ledger.domain.assessment import Assessment
from ledger.domain.dates import check_not_after_today, check_not_before
from ledger.domain.errors import InvalidInput
from ledger.domain.finding import Finding
from ledger.domain.inspection import Inspection
from ledger.domain.vocab import (
    Category,
    EvidenceMethod,
    Grade,
    Liability,
    Outcome,
    SanctionKind,
    Severity,
)

TODAY = date(2024, 7, 15)
TOMORROW = TODAY + timedelta(days=1)
FOUND = date(2024, 5, 10)
WHO: dict[str, Any] = {"actor": "inspector", "source": "test", "basis": None}
ON: dict[str, Any] = {**WHO, "today": TODAY}


def finding(found_on: date = FOUND, today: date = TODAY) -> Finding:
    return Finding.raise_(
        unit_id=uuid4(),
        inspection_id=uuid4(),
        clue_id=None,
        category=Category.LAW_ENFORCEMENT,
        severity=Severity.HIGH,
        description="执法记录不全",
        found_on=found_on,
        deadline=date(2024, 12, 31),
        reason=None,
        **WHO,
        today=today,
    )


def planned(f: Finding, on: date = date(2024, 5, 20)) -> Finding:
    f.plan_rectification("补全记录", None, None, None, on, reason=None, **ON)
    return f


def reported(f: Finding, on: date = date(2024, 6, 1), complete: bool = True) -> Finding:
    f.report_progress(on, "已整改", [], complete, reason=None, **ON)
    return f


def refused(act: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        act()
    return caught.value


def test_today_itself_is_allowed_tomorrow_is_not() -> None:
    check_not_after_today(TODAY, TODAY, "verified_on")
    error = refused(lambda: check_not_after_today(TOMORROW, TODAY, "verified_on"))
    assert error.field == "verified_on"
    assert "2024-07-16" in error.message and "2024-07-15" in error.message


def test_the_latest_step_followed_is_the_one_named() -> None:
    earlier = {"found_on": date(2024, 5, 1), "planned_on": date(2024, 6, 1), "x": None}
    error = refused(lambda: check_not_before(date(2024, 5, 15), "reported_on", earlier))
    assert error.field == "reported_on"
    assert error.message == "reported_on (2024-05-15) must not be before planned_on (2024-06-01)"


def test_a_finding_found_after_today_is_refused() -> None:
    assert refused(lambda: finding(found_on=TOMORROW)).field == "found_on"
    assert finding(found_on=TODAY).found_on == TODAY


@pytest.mark.parametrize(
    ("step", "field"),
    [
        (lambda f: planned(f, TOMORROW), "planned_on"),
        (lambda f: reported(planned(f), TOMORROW), "reported_on"),
        (lambda f: reported(planned(f)).verify(TOMORROW, None, reason=None, **ON), "verified_on"),
        (lambda f: reported(planned(f)).reject(TOMORROW, reason="不合格", **ON), "rejected_on"),
        (
            lambda f: f.extend_deadline(date(2025, 3, 1), uuid4(), TOMORROW, reason="r", **ON),
            "extended_on",
        ),
        (lambda f: f.refer(uuid4(), TOMORROW, reason="失职", **ON), "referred_on"),
        (lambda f: f.close(Outcome.DISMISSED, TOMORROW, reason="不属实", **ON), "closed_on"),
    ],
)
def test_no_step_of_the_loop_is_dated_after_today(
    step: Callable[[Finding], object], field: str
) -> None:
    f = finding()
    version = f.version
    error = refused(lambda: step(f))
    assert error.field == field
    assert "after today (2024-07-15)" in error.message
    assert f.version <= version + 2  # only the setup steps, not the refused one


def test_a_report_dated_before_found_on_names_found_on() -> None:
    f = finding()
    f.plan_rectification("补全记录", None, None, None, FOUND, reason=None, **ON)
    error = refused(lambda: reported(f, FOUND - timedelta(days=1)))
    assert error.field == "reported_on"
    assert "before found_on (2024-05-10)" in error.message


def test_a_report_follows_the_plan_and_the_report_before_it() -> None:
    f = planned(finding(), date(2024, 5, 20))
    error = refused(lambda: reported(f, date(2024, 5, 19)))
    assert "before planned_on (2024-05-20)" in error.message
    reported(f, date(2024, 6, 1), complete=False)
    error = refused(lambda: reported(f, date(2024, 5, 31)))
    assert error.message == (
        "reported_on (2024-05-31) must not be before the last progress report's"
        " reported_on (2024-06-01)"
    )


def test_a_verification_follows_the_report_and_a_closure_its_verification() -> None:
    f = reported(planned(finding()), date(2024, 6, 10))
    error = refused(lambda: f.verify(date(2024, 6, 9), None, reason=None, **ON))
    assert (error.field, "reported_on (2024-06-10)" in error.message) == ("verified_on", True)
    f.verify(date(2024, 6, 20), None, reason=None, **ON)
    error = refused(lambda: f.close(Outcome.RECTIFIED, date(2024, 6, 19), reason=None, **ON))
    assert error.message == "closed_on (2024-06-19) must not be before verified_on (2024-06-20)"


def test_a_referred_finding_closes_on_or_after_its_referral() -> None:
    f = finding()
    f.refer(uuid4(), date(2024, 6, 5), reason="失职", **ON)
    error = refused(lambda: f.close(Outcome.REFERRED, date(2024, 6, 4), reason=None, **ON))
    assert error.message == "closed_on (2024-06-04) must not be before referred_on (2024-06-05)"
    f.close(Outcome.REFERRED, date(2024, 6, 5), reason=None, **ON)


def inspection() -> Inspection:
    return Inspection.plan(
        title="2024年度督察",
        year=2024,
        organizer_unit_id=uuid4(),
        target_unit_ids=[uuid4()],
        team=[uuid4()],
        topics=[Category.MAJOR_DECISION],
        starts_on=date(2024, 5, 6),
        ends_on=date(2024, 5, 20),
        reason=None,
        **WHO,
    )


def test_an_inspection_takes_no_step_dated_after_today() -> None:
    i = inspection()
    assert refused(lambda: i.start(TOMORROW, reason=None, **ON)).field == "started_on"
    i.start(date(2024, 5, 6), reason=None, **ON)
    evidence = refused(
        lambda: i.record_evidence(
            EvidenceMethod.INTERVIEW, "谈话", None, None, None, TOMORROW, reason=None, **ON
        )
    )
    assert evidence.field == "collected_on"
    assert refused(lambda: i.feed_back(TOMORROW, "反馈", reason=None, **ON)).field == (
        "fed_back_on"
    )
    early = refused(lambda: i.feed_back(date(2024, 5, 5), "反馈", reason=None, **ON))
    assert early.message == "fed_back_on (2024-05-05) must not be before started_on (2024-05-06)"
    i.feed_back(date(2024, 5, 30), "反馈", reason=None, **ON)
    assert refused(lambda: i.close(TOMORROW, reason=None, **ON)).field == "closed_on"


def case() -> AccountabilityCase:
    return AccountabilityCase.open(
        person_id=uuid4(),
        finding_ids=[uuid4()],
        handling_unit_id=uuid4(),
        opened_on=date(2024, 6, 1),
        reason=None,
        **ON,
    )


def test_a_case_and_its_sanctions_are_not_dated_after_today() -> None:
    error = refused(
        lambda: AccountabilityCase.open(
            person_id=uuid4(),
            finding_ids=[uuid4()],
            handling_unit_id=uuid4(),
            opened_on=TOMORROW,
            reason=None,
            **ON,
        )
    )
    assert error.field == "opened_on"
    c = case()
    kind = SanctionKind.ADMONISHMENT_TALK
    assert refused(lambda: c.impose(uuid4(), kind, TOMORROW, reason=None, **ON)).field == (
        "decided_on"
    )
    sid = uuid4()
    c.impose(sid, kind, date(2024, 6, 10), reason=None, **ON)
    assert refused(lambda: c.appeal(sid, TOMORROW, reason="不服", **ON)).field == "appealed_on"
    assert refused(lambda: c.close(TOMORROW, reason=None, **ON)).field == "closed_on"


def test_decisions_on_a_sanction_follow_the_decision_and_the_appeal() -> None:
    c = case()
    sid = uuid4()
    c.impose(sid, SanctionKind.ADMONISHMENT_TALK, date(2024, 6, 10), reason=None, **ON)
    early = refused(lambda: c.appeal(sid, date(2024, 6, 9), reason="不服", **ON))
    assert "before the sanction's decided_on (2024-06-10)" in early.message
    c.appeal(sid, date(2024, 6, 20), reason="不服", **ON)
    uphold = refused(lambda: c.uphold(sid, date(2024, 6, 15), reason=None, **ON))
    assert uphold.message == "decided_on (2024-06-15) must not be before appealed_on (2024-06-20)"
    revoke = refused(lambda: c.revoke(sid, date(2024, 6, 19), reason="撤销", **ON))
    assert revoke.field == "decided_on" and "appealed_on" in revoke.message
    c.uphold(sid, date(2024, 6, 25), reason=None, **ON)
    closing = refused(lambda: c.close(date(2024, 6, 5), reason=None, **ON))
    assert "before the last sanction's decided_on (2024-06-10)" in closing.message


def test_an_assessment_is_not_dated_after_today_nor_a_reassessment_before_it() -> None:
    scores = {"A1": Decimal(80)}
    fields: dict[str, Any] = {
        "indicator_set_id": uuid4(),
        "unit_id": uuid4(),
        "year": 2024,
        "scores": scores,
        "total": Decimal(80),
        "grade": Grade.GOOD,
        "reason": None,
        **WHO,
    }
    error = refused(lambda: Assessment.assess(**fields, assessed_on=TOMORROW, today=TODAY))
    assert error.field == "assessed_on"
    a = Assessment.assess(**fields, assessed_on=date(2024, 7, 1), today=TODAY)
    grade = Grade.PASS
    for day in (TOMORROW, date(2024, 6, 30)):
        error = refused(
            lambda day=day: a.reassess(scores, Decimal(80), grade, day, reason="复核", **ON)
        )
        assert error.field == "assessed_on"
    a.reassess(scores, Decimal(80), grade, date(2024, 7, 1), reason="复核", **ON)


def test_a_case_is_not_opened_before_a_finding_it_rests_on_was_found() -> None:
    f = finding()
    person = uuid4()
    f.attribute(person, uuid4(), Liability.DIRECT, reason="经办", **WHO)
    error = refused(lambda: check_case_rests_on(f, person, "finding_ids.0", date(2024, 5, 9)))
    assert error.field == "opened_on"
    assert "before the found_on (2024-05-10)" in error.message
    check_case_rests_on(f, person, "finding_ids.0", FOUND)
