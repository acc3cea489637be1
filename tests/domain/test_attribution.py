"""Automatic attribution from the chain on found_on, and who may be attributed."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.assignment import Assignment
from ledger.domain.attribution import check_attributable, responsible_on
from ledger.domain.errors import NotAttributable
from ledger.domain.vocab import Category, EndReason, Liability, PrincipalTitle, Role

UNIT = uuid4()
LAW = Category.LAW_ENFORCEMENT


def post(
    role: Role,
    start: date,
    end: date | None = None,
    portfolio: list[Category] | None = None,
    unit: UUID = UNIT,
    person: UUID | None = None,
) -> Assignment:
    a = Assignment.assign(
        unit_id=unit,
        person_id=person or uuid4(),
        role=role,
        title="职务",
        principal_title=PrincipalTitle.UNIT_HEAD if role is Role.PRINCIPAL else None,
        portfolio=portfolio or [],
        reports_to=None,
        effective_from=start,
        actor="t",
        source="test",
        reason=None,
        basis=None,
    )
    if end is not None:
        a.end(end, EndReason.TRANSFERRED, actor="t", source="test", reason=None, basis=None)
    return a


def test_the_principal_then_and_the_leader_whose_portfolio_covered_it_then() -> None:
    old_head = post(Role.PRINCIPAL, date(2020, 1, 1), date(2023, 1, 1))
    new_head = post(Role.PRINCIPAL, date(2023, 1, 1))
    deputy = post(Role.LEADER, date(2020, 1, 1), portfolio=[LAW])
    deputy.change_portfolio(
        [Category.LEGAL_PUBLICITY],
        date(2024, 1, 1),
        actor="t",
        source="test",
        reason=None,
        basis=None,
    )
    other_unit = post(Role.PRINCIPAL, date(2020, 1, 1), unit=uuid4())
    staff = post(Role.STAFF, date(2020, 1, 1), portfolio=[LAW])
    everyone = [old_head, new_head, deputy, other_unit, staff]

    in_2022 = responsible_on(UNIT, everyone, date(2022, 6, 1), LAW)
    assert [(a.id, liability) for a, liability in in_2022] == [
        (old_head.id, Liability.PRINCIPAL),
        (deputy.id, Liability.LEADERSHIP),
    ]
    # The deputy's portfolio moved on in 2024; the handover day belongs to the successor.
    in_2024 = responsible_on(UNIT, everyone, date(2024, 6, 1), LAW)
    assert [a.id for a, _ in in_2024] == [new_head.id]
    assert [a.id for a, _ in responsible_on(UNIT, everyone, date(2023, 1, 1), LAW)] == [
        new_head.id,
        deputy.id,
    ]


def test_one_attribution_per_person_the_principal_one_first() -> None:
    person = uuid4()
    head = post(Role.PRINCIPAL, date(2020, 1, 1), person=person)
    also_leader = post(Role.LEADER, date(2020, 1, 1), portfolio=[LAW], person=person)
    found = responsible_on(UNIT, [also_leader, head], date(2021, 1, 1), LAW)
    assert [(a.id, liability) for a, liability in found] == [(head.id, Liability.PRINCIPAL)]


def test_attribution_needs_an_assignment_there_then_fitting_the_liability() -> None:
    clerk = post(Role.STAFF, date(2020, 1, 1), date(2022, 1, 1))
    with pytest.raises(NotAttributable) as refused:
        check_attributable(UNIT, clerk.person_id, Liability.DIRECT, [clerk], date(2022, 1, 1))
    assert refused.value.field == "person_id"
    assert check_attributable(UNIT, clerk.person_id, Liability.DIRECT, [clerk], date(2021, 1, 1))
    with pytest.raises(NotAttributable) as wrong_kind:
        check_attributable(UNIT, clerk.person_id, Liability.PRINCIPAL, [clerk], date(2021, 1, 1))
    assert wrong_kind.value.field == "liability"


@given(
    starts=st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=5),
    lengths=st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=400)), min_size=5),
    day=st.integers(min_value=-10, max_value=900),
)
def test_exactly_the_principals_in_effect_that_day_are_attributed(
    starts: list[int], lengths: list[int | None], day: int
) -> None:
    base = date(2020, 1, 1)
    heads = [
        post(
            Role.PRINCIPAL,
            base + timedelta(days=s),
            None if n is None else base + timedelta(days=s + n),
        )
        for s, n in zip(starts, lengths, strict=False)
    ]
    when = base + timedelta(days=day)
    found = {a.id for a, _ in responsible_on(UNIT, heads, when, LAW)}
    assert found == {h.id for h in heads if h.period.contains(when)}
