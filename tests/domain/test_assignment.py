"""Assignment: assign, end, change_portfolio, correct, and the rule behind each refusal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.assignment import Assignment
from ledger.domain.errors import AlreadyEnded, InvalidInput, InvariantViolation, PeriodError
from ledger.domain.periods import Period
from ledger.domain.vocab import Category, CorrectableField, EndReason, PrincipalTitle, Role

START = date(2021, 3, 1)
WHO: dict[str, Any] = {"actor": "inspector", "source": "test", "basis": None}


def assign(
    role: Role = Role.LEADER,
    principal_title: PrincipalTitle | None = None,
    portfolio: list[Category] | None = None,
    effective_from: date = START,
    reports_to: UUID | None = None,
) -> Assignment:
    return Assignment.assign(
        unit_id=uuid4(),
        person_id=uuid4(),
        role=role,
        title="副市长",
        principal_title=principal_title,
        portfolio=portfolio if portfolio is not None else [Category.LAW_ENFORCEMENT],
        reports_to=reports_to,
        effective_from=effective_from,
        actor="inspector",
        source="test",
        reason=None,
        basis=None,
    )


def end(a: Assignment, effective_to: date, why: EndReason = EndReason.TRANSFERRED) -> None:
    a.end(effective_to, why, reason="moved on", **WHO)


def correct(a: Assignment, field: CorrectableField, new: Any) -> None:
    a.correct(field, new, reason="typo in the appointment record", **WHO)


# assign


def test_assign_records_every_fact_and_is_in_effect() -> None:
    line = uuid4()
    a = assign(portfolio=[Category.MAJOR_DECISION, Category.LEGAL_PUBLICITY], reports_to=line)
    assert a.role is Role.LEADER
    assert a.principal_title is None
    assert a.portfolio == [Category.MAJOR_DECISION, Category.LEGAL_PUBLICITY]
    assert a.reports_to == line
    assert a.effective_from == START
    assert a.effective_to is None and a.end_reason is None and not a.ended
    assert a.period == Period(START, None)
    (assigned,) = a.collect_events()
    assert isinstance(assigned, Assignment.Assigned)
    assert assigned.actor == "inspector"
    assert assigned.source == "test"


def test_assign_drops_repeated_portfolio_topics_keeping_order() -> None:
    a = assign(
        portfolio=[Category.LEGALITY_REVIEW, Category.MAJOR_DECISION, Category.LEGALITY_REVIEW]
    )
    assert a.portfolio == [Category.LEGALITY_REVIEW, Category.MAJOR_DECISION]


def test_principal_with_a_principal_title() -> None:
    a = assign(Role.PRINCIPAL, PrincipalTitle.GOVERNMENT_HEAD, portfolio=[])
    assert a.principal_title is PrincipalTitle.GOVERNMENT_HEAD


def test_principal_without_principal_title_is_invalid() -> None:
    with pytest.raises(InvalidInput) as raised:
        assign(Role.PRINCIPAL, None)
    assert raised.value.field == "principal_title"


@pytest.mark.parametrize("role", [Role.LEADER, Role.STAFF])
def test_only_a_principal_has_a_principal_title(role: Role) -> None:
    with pytest.raises(InvalidInput) as raised:
        assign(role, PrincipalTitle.UNIT_HEAD)
    assert raised.value.field == "principal_title"


# end


def test_end_records_the_date_and_the_reason() -> None:
    a = assign()
    end(a, date(2023, 1, 1), EndReason.RETIRED)
    assert a.ended
    assert a.effective_to == date(2023, 1, 1)
    assert a.end_reason is EndReason.RETIRED
    assert a.period == Period(START, date(2023, 1, 1))
    ended = a.collect_events()[-1]
    assert isinstance(ended, Assignment.Ended)
    assert (ended.actor, ended.reason, ended.end_reason) == (
        "inspector",
        "moved on",
        EndReason.RETIRED,
    )


@pytest.mark.parametrize("effective_to", [START, START - timedelta(days=1), date(1999, 1, 1)])
def test_end_on_or_before_the_start_is_a_period_error(effective_to: date) -> None:
    a = assign()
    with pytest.raises(PeriodError) as raised:
        end(a, effective_to)
    assert raised.value.field == "effective_to"
    assert isinstance(raised.value, InvalidInput)
    assert not a.ended
    assert len(a.collect_events()) == 1


def test_end_the_day_after_the_start_is_allowed() -> None:
    a = assign()
    end(a, START + timedelta(days=1))
    assert a.effective_to == START + timedelta(days=1)


def test_ending_twice_is_refused() -> None:
    a = assign()
    end(a, date(2022, 1, 1))
    with pytest.raises(AlreadyEnded):
        end(a, date(2023, 1, 1))
    assert a.effective_to == date(2022, 1, 1)
    assert isinstance(AlreadyEnded("x"), InvariantViolation)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
)
def test_end_succeeds_iff_it_is_after_the_start(start: date, effective_to: date) -> None:
    a = assign(effective_from=start)
    if effective_to > start:
        end(a, effective_to)
        assert a.period == Period(start, effective_to)
    else:
        with pytest.raises(PeriodError):
            end(a, effective_to)
        assert not a.ended


# change_portfolio


def test_change_portfolio_replaces_it_from_effective_on() -> None:
    a = assign(portfolio=[Category.LAW_ENFORCEMENT])
    on = date(2022, 6, 1)
    a.change_portfolio(
        [Category.COURT_APPEARANCE, Category.COURT_APPEARANCE], on, reason=None, **WHO
    )
    assert a.portfolio == [Category.COURT_APPEARANCE]
    changed = a.collect_events()[-1]
    assert isinstance(changed, Assignment.PortfolioChanged)
    assert changed.effective_on == on
    assert changed.portfolio == [Category.COURT_APPEARANCE]


def test_portfolio_change_on_the_start_day_is_allowed() -> None:
    a = assign()
    a.change_portfolio([Category.OTHER], START, reason=None, **WHO)
    assert a.portfolio == [Category.OTHER]


def test_portfolio_change_before_the_start_is_a_period_error() -> None:
    a = assign()
    with pytest.raises(PeriodError) as raised:
        a.change_portfolio([Category.OTHER], START - timedelta(days=1), reason=None, **WHO)
    assert raised.value.field == "effective_on"
    assert a.portfolio == [Category.LAW_ENFORCEMENT]


def test_unchanged_portfolio_is_invalid() -> None:
    a = assign(portfolio=[Category.LAW_ENFORCEMENT])
    with pytest.raises(InvalidInput) as raised:
        a.change_portfolio(
            [Category.LAW_ENFORCEMENT, Category.LAW_ENFORCEMENT],
            date(2022, 1, 1),
            reason=None,
            **WHO,
        )
    assert raised.value.field == "portfolio"


def test_portfolio_of_an_ended_assignment_cannot_change() -> None:
    a = assign()
    end(a, date(2022, 1, 1))
    with pytest.raises(AlreadyEnded):
        a.change_portfolio([Category.OTHER], date(2021, 6, 1), reason=None, **WHO)


# correct


@pytest.mark.parametrize(
    ("field", "new"),
    [
        (CorrectableField.TITLE, "常务副市长"),
        (CorrectableField.REPORTS_TO, UUID(int=7)),
        (CorrectableField.EFFECTIVE_FROM, date(2020, 12, 1)),
    ],
)
def test_correction_sets_the_field_and_keeps_the_old_value_in_the_event(
    field: CorrectableField, new: Any
) -> None:
    a = assign()
    old = getattr(a, field.value)
    correct(a, field, new)
    assert getattr(a, field.value) == new
    corrected = a.collect_events()[-1]
    assert isinstance(corrected, Assignment.Corrected)
    assert (corrected.field, corrected.old, corrected.new) == (field, old, new)
    assert corrected.reason == "typo in the appointment record"


def test_correction_of_the_principal_title() -> None:
    a = assign(Role.PRINCIPAL, PrincipalTitle.GOVERNMENT_HEAD)
    correct(a, CorrectableField.PRINCIPAL_TITLE, PrincipalTitle.PARTY_SECRETARY)
    assert a.principal_title is PrincipalTitle.PARTY_SECRETARY


@pytest.mark.parametrize(
    "new", [None, PrincipalTitle.UNIT_HEAD], ids=["principal-to-none", "unchanged"]
)
def test_principal_title_correction_refused(new: PrincipalTitle | None) -> None:
    a = assign(Role.PRINCIPAL, PrincipalTitle.UNIT_HEAD)
    with pytest.raises(InvalidInput):
        correct(a, CorrectableField.PRINCIPAL_TITLE, new)
    assert a.principal_title is PrincipalTitle.UNIT_HEAD


def test_a_leader_cannot_be_given_a_principal_title_by_correction() -> None:
    a = assign(Role.LEADER)
    with pytest.raises(InvalidInput) as raised:
        correct(a, CorrectableField.PRINCIPAL_TITLE, PrincipalTitle.UNIT_HEAD)
    assert raised.value.field == "principal_title"


def test_correction_to_the_same_value_is_invalid() -> None:
    a = assign()
    with pytest.raises(InvalidInput) as raised:
        correct(a, CorrectableField.TITLE, "副市长")
    assert raised.value.field == "new"


def test_title_cannot_be_corrected_to_empty() -> None:
    a = assign()
    with pytest.raises(InvalidInput):
        correct(a, CorrectableField.TITLE, "")


def test_effective_to_of_an_assignment_in_effect_is_ended_not_corrected() -> None:
    a = assign()
    with pytest.raises(InvalidInput) as raised:
        correct(a, CorrectableField.EFFECTIVE_TO, date(2023, 1, 1))
    assert raised.value.field == "field"
    assert not a.ended


def test_effective_to_of_an_ended_assignment_can_be_corrected() -> None:
    a = assign()
    end(a, date(2023, 1, 1))
    correct(a, CorrectableField.EFFECTIVE_TO, date(2023, 2, 1))
    assert a.effective_to == date(2023, 2, 1)
    assert a.end_reason is EndReason.TRANSFERRED


def test_effective_to_cannot_be_corrected_to_nothing() -> None:
    a = assign()
    end(a, date(2023, 1, 1))
    with pytest.raises(InvalidInput):
        correct(a, CorrectableField.EFFECTIVE_TO, None)
    assert a.effective_to == date(2023, 1, 1)


def test_effective_to_cannot_be_corrected_to_on_or_before_the_start() -> None:
    a = assign()
    end(a, date(2023, 1, 1))
    with pytest.raises(PeriodError) as raised:
        correct(a, CorrectableField.EFFECTIVE_TO, START)
    assert raised.value.field == "new"


def test_effective_from_cannot_be_corrected_to_on_or_after_the_end() -> None:
    a = assign()
    end(a, date(2023, 1, 1))
    for new in (date(2023, 1, 1), date(2024, 1, 1)):
        with pytest.raises(PeriodError) as raised:
            correct(a, CorrectableField.EFFECTIVE_FROM, new)
        assert raised.value.field == "new"
    assert a.effective_from == START


def test_effective_from_of_an_open_assignment_may_move_later() -> None:
    a = assign()
    correct(a, CorrectableField.EFFECTIVE_FROM, date(2030, 1, 1))
    assert a.period == Period(date(2030, 1, 1), None)
