"""Rules across aggregates: principal overlap, reporting lines, acyclic lines and parents."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain import rules
from ledger.domain.assignment import Assignment
from ledger.domain.errors import CycleError, PrincipalOverlap, ReportsToError
from ledger.domain.periods import Period
from ledger.domain.unit import Unit
from ledger.domain.vocab import EndReason, PrincipalTitle, Role, UnitKind, UnitLevel

UNIT = UUID(int=1)
OTHER_UNIT = UUID(int=2)
BASE = date(2015, 1, 1)


def make_assignment(
    *,
    unit_id: UUID = UNIT,
    role: Role = Role.PRINCIPAL,
    title: PrincipalTitle | None = PrincipalTitle.PARTY_SECRETARY,
    start: date = BASE,
    end: date | None = None,
) -> Assignment:
    a = Assignment.assign(
        unit_id=unit_id,
        person_id=uuid4(),
        role=role,
        title="书记" if role is Role.PRINCIPAL else "干部",
        principal_title=title if role is Role.PRINCIPAL else None,
        portfolio=[],
        reports_to=None,
        effective_from=start,
        actor="a",
        source="test",
        reason=None,
        basis=None,
    )
    if end is not None:
        a.end(end, EndReason.OTHER, actor="a", source="test", reason=None, basis=None)
    return a


def make_unit(kind: UnitKind = UnitKind.GOVERNMENT, parent_id: UUID | None = None) -> Unit:
    return Unit("某县人民政府", kind, UnitLevel.COUNTY, parent_id, None, "a", "test", None, None)


# check_principal_overlap

spans = st.tuples(
    st.integers(min_value=0, max_value=60),  # start, in months after BASE
    st.one_of(st.none(), st.integers(min_value=1, max_value=40)),  # length in months
)
titles = st.sampled_from(list(PrincipalTitle))
existing = st.lists(
    st.tuples(st.sampled_from([UNIT, OTHER_UNIT]), st.sampled_from(list(Role)), titles, spans),
    max_size=6,
)


def month(n: int) -> date:
    return BASE + timedelta(days=30 * n)


def period_of(span: tuple[int, int | None]) -> Period:
    start, length = span
    return Period(month(start), None if length is None else month(start + length))


def shares_a_day(a: Period, b: Period) -> bool:
    """Reference: the two periods share at least one day (beyond every generated end)."""
    far = date(2100, 1, 1)
    return max(a.start, b.start) < min(a.end or far, b.end or far)


@given(existing, titles, spans)
def test_principal_overlap_raises_iff_a_same_title_principal_shares_a_day(
    others: list[tuple[UUID, Role, PrincipalTitle, tuple[int, int | None]]],
    title: PrincipalTitle,
    span: tuple[int, int | None],
) -> None:
    assignments = []
    for unit_id, role, other_title, other_span in others:
        p = period_of(other_span)
        assignments.append(
            make_assignment(unit_id=unit_id, role=role, title=other_title, start=p.start, end=p.end)
        )
    period = period_of(span)
    expected = any(
        a.unit_id == UNIT
        and a.role is Role.PRINCIPAL
        and a.principal_title is title
        and shares_a_day(a.period, period)
        for a in assignments
    )
    if expected:
        with pytest.raises(PrincipalOverlap) as raised:
            rules.check_principal_overlap(UNIT, title, period, assignments)
        assert raised.value.field == "effective_from"
    else:
        rules.check_principal_overlap(UNIT, title, period, assignments)


@given(existing, spans)
def test_no_principal_title_never_overlaps(
    others: list[tuple[UUID, Role, PrincipalTitle, tuple[int, int | None]]],
    span: tuple[int, int | None],
) -> None:
    assignments = [
        make_assignment(unit_id=u, role=r, title=t, start=period_of(s).start, end=period_of(s).end)
        for u, r, t, s in others
    ]
    rules.check_principal_overlap(UNIT, None, period_of(span), assignments)


def test_principal_overlap_excludes_the_assignment_itself() -> None:
    current = make_assignment()
    rules.check_principal_overlap(
        UNIT, PrincipalTitle.PARTY_SECRETARY, Period(BASE), [current], exclude=current.id
    )
    with pytest.raises(PrincipalOverlap):
        rules.check_principal_overlap(UNIT, PrincipalTitle.PARTY_SECRETARY, Period(BASE), [current])


def test_successor_may_start_on_the_day_the_predecessor_ended() -> None:
    predecessor = make_assignment(end=date(2020, 1, 1))
    rules.check_principal_overlap(
        UNIT, PrincipalTitle.PARTY_SECRETARY, Period(date(2020, 1, 1)), [predecessor]
    )
    with pytest.raises(PrincipalOverlap):
        rules.check_principal_overlap(
            UNIT, PrincipalTitle.PARTY_SECRETARY, Period(date(2019, 12, 31)), [predecessor]
        )


def test_two_principal_titles_may_hold_at_once() -> None:
    secretary = make_assignment(title=PrincipalTitle.PARTY_SECRETARY)
    rules.check_principal_overlap(UNIT, PrincipalTitle.GOVERNMENT_HEAD, Period(BASE), [secretary])


# check_reports_to


def test_reports_to_an_assignment_of_the_same_unit_in_effect_over_the_period() -> None:
    unit = make_unit()
    target = make_assignment(unit_id=unit.id, start=BASE)
    rules.check_reports_to(
        unit=unit, role=Role.LEADER, period=Period(date(2016, 1, 1)), target=target
    )
    ended_later = make_assignment(unit_id=unit.id, start=BASE, end=date(2020, 1, 1))
    rules.check_reports_to(
        unit=unit,
        role=Role.STAFF,
        period=Period(date(2016, 1, 1), date(2020, 1, 1)),
        target=ended_later,
    )


def test_reports_to_nothing_is_refused() -> None:
    with pytest.raises(ReportsToError) as raised:
        rules.check_reports_to(
            unit=make_unit(), role=Role.LEADER, period=Period(BASE), target=None, field="new"
        )
    assert raised.value.field == "new"


def test_reports_to_an_assignment_of_another_unit_is_refused() -> None:
    unit = make_unit()
    target = make_assignment(unit_id=OTHER_UNIT)
    with pytest.raises(ReportsToError) as raised:
        rules.check_reports_to(unit=unit, role=Role.LEADER, period=Period(BASE), target=target)
    assert raised.value.field == "reports_to"


def test_principal_of_a_department_may_report_to_the_parent_unit() -> None:
    parent = make_unit()
    department = make_unit(UnitKind.DEPARTMENT, parent_id=parent.id)
    target = make_assignment(unit_id=parent.id)
    rules.check_reports_to(unit=department, role=Role.PRINCIPAL, period=Period(BASE), target=target)
    with pytest.raises(ReportsToError):
        rules.check_reports_to(
            unit=department, role=Role.LEADER, period=Period(BASE), target=target
        )


def test_only_a_department_principal_reports_to_the_parent() -> None:
    parent = make_unit()
    court = make_unit(UnitKind.COURT, parent_id=parent.id)
    target = make_assignment(unit_id=parent.id)
    with pytest.raises(ReportsToError):
        rules.check_reports_to(unit=court, role=Role.PRINCIPAL, period=Period(BASE), target=target)


@pytest.mark.parametrize(
    ("target_span", "period"),
    [
        ((date(2016, 1, 1), None), Period(BASE)),  # target starts later
        ((BASE, date(2020, 1, 1)), Period(BASE)),  # target ends, the line does not
        ((BASE, date(2020, 1, 1)), Period(BASE, date(2020, 1, 2))),  # ends a day too early
    ],
)
def test_reports_to_a_target_not_in_effect_over_the_whole_period_is_refused(
    target_span: tuple[date, date | None], period: Period
) -> None:
    unit = make_unit()
    target = make_assignment(unit_id=unit.id, start=target_span[0], end=target_span[1])
    with pytest.raises(ReportsToError):
        rules.check_reports_to(unit=unit, role=Role.LEADER, period=period, target=target)


# check_reports_to_acyclic


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[UUID], dict[UUID, UUID | None]]:
    """Reporting lines without a cycle: node i reports to some node before it, or to nobody."""
    n = draw(st.integers(min_value=1, max_value=8))
    ids = [UUID(int=100 + i) for i in range(n)]
    lines: dict[UUID, UUID | None] = {}
    for i, node in enumerate(ids):
        earlier = st.sampled_from(ids[:i]) if i else st.nothing()
        lines[node] = draw(st.one_of(st.none(), earlier))
    return ids, lines


@given(forests(), st.data())
def test_new_line_raises_iff_it_leads_back_to_the_assignment(
    forest: tuple[list[UUID], dict[UUID, UUID | None]], data: st.DataObject
) -> None:
    ids, lines = forest
    assignment = data.draw(st.sampled_from(ids))
    new_target = data.draw(st.sampled_from(ids))
    reaches = False
    current: UUID | None = new_target
    while current is not None:
        if current == assignment:
            reaches = True
            break
        current = lines[current]
    if reaches:
        with pytest.raises(CycleError):
            rules.check_reports_to_acyclic(assignment, new_target, lines)
    else:
        rules.check_reports_to_acyclic(assignment, new_target, lines)


def test_reporting_to_oneself_is_a_cycle() -> None:
    me = uuid4()
    with pytest.raises(CycleError) as raised:
        rules.check_reports_to_acyclic(me, me, {me: None})
    assert raised.value.field == "new"


def test_line_to_an_unknown_assignment_ends_the_walk() -> None:
    me, outside = uuid4(), uuid4()
    rules.check_reports_to_acyclic(me, outside, {me: None})


# check_parent_acyclic


def test_unit_under_its_own_descendant_is_a_cycle() -> None:
    unit, child, grandchild = uuid4(), uuid4(), uuid4()
    with pytest.raises(CycleError) as raised:
        rules.check_parent_acyclic(unit, [grandchild, child, unit])
    assert raised.value.field == "parent_id"


def test_unit_under_an_unrelated_branch_is_fine() -> None:
    rules.check_parent_acyclic(uuid4(), [uuid4(), uuid4()])
    rules.check_parent_acyclic(uuid4(), [])


@given(st.lists(st.integers(min_value=0, max_value=20), max_size=8), st.integers(0, 20))
def test_parent_cycle_iff_the_unit_is_an_ancestor(ancestors: list[int], unit: int) -> None:
    ancestor_ids = [UUID(int=a) for a in ancestors]
    if unit in ancestors:
        with pytest.raises(CycleError):
            rules.check_parent_acyclic(UUID(int=unit), ancestor_ids)
    else:
        rules.check_parent_acyclic(UUID(int=unit), ancestor_ids)
