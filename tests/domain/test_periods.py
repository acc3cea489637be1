"""Properties of valid-time periods: half-open [start, end), end None = still in effect."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.periods import Period

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = draw(days)
    if draw(st.booleans()):
        return Period(start, None)
    length = draw(st.integers(min_value=1, max_value=4000))
    return Period(start, start + timedelta(days=length))


def naive_overlaps(a: Period, b: Period) -> bool:
    """Reference model: some day lies in both periods (checked over a bounded horizon)."""
    horizon = date(2060, 1, 1)
    a_end = a.end or horizon
    b_end = b.end or horizon
    return max(a.start, b.start) < min(a_end, b_end)


@given(periods(), periods())
def test_overlaps_is_symmetric(a: Period, b: Period) -> None:
    assert a.overlaps(b) == b.overlaps(a)


@given(periods(), periods())
def test_overlaps_means_a_shared_day(a: Period, b: Period) -> None:
    assert a.overlaps(b) == naive_overlaps(a, b)


@given(periods())
def test_a_period_overlaps_itself(p: Period) -> None:
    assert p.overlaps(p)
    assert p.covers(p)


@given(periods(), st.integers(min_value=-50, max_value=5000))
def test_contains_exactly_the_days_in_range(p: Period, offset: int) -> None:
    day = p.start + timedelta(days=offset)
    expected = p.start <= day and (p.end is None or day < p.end)
    assert p.contains(day) == expected


@given(periods())
def test_contains_its_start_but_not_its_end(p: Period) -> None:
    assert p.contains(p.start)
    assert not p.contains(p.start - timedelta(days=1))
    if p.end is not None:
        assert not p.contains(p.end)
        assert p.contains(p.end - timedelta(days=1))


@given(periods(), periods())
def test_covers_implies_overlaps(a: Period, b: Period) -> None:
    # every period is non-empty (its constructor refuses end <= start)
    if a.covers(b):
        assert a.overlaps(b)


@given(periods(), periods(), st.integers(min_value=0, max_value=5000))
def test_covers_means_every_day_of_the_other_is_inside(a: Period, b: Period, offset: int) -> None:
    day = b.start + timedelta(days=offset)
    if a.covers(b) and b.contains(day):
        assert a.contains(day)


@given(periods())
def test_only_an_open_period_covers_an_open_one(p: Period) -> None:
    open_later = Period(p.start + timedelta(days=1), None)
    assert Period(p.start, None).covers(open_later)
    if p.end is not None:
        assert not p.covers(open_later)


@given(days, st.integers(min_value=1, max_value=3000), st.integers(min_value=1, max_value=3000))
def test_adjacent_half_open_periods_do_not_overlap(a: date, first: int, second: int) -> None:
    b = a + timedelta(days=first)
    c = b + timedelta(days=second)
    earlier, later = Period(a, b), Period(b, c)
    assert not earlier.overlaps(later)
    assert not later.overlaps(earlier)
    assert not earlier.overlaps(Period(b, None))
    # one day more and they share the day b
    assert Period(a, b + timedelta(days=1)).overlaps(later)


@given(days, st.integers(min_value=-3, max_value=0))
def test_a_period_must_end_after_it_starts(start: date, offset: int) -> None:
    with pytest.raises(ValueError):
        Period(start, start + timedelta(days=offset))
