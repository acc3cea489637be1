"""Every event of Unit, Person and Assignment through the mapper and back, and replay."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.assignment import Assignment
from ledger.domain.person import Person
from ledger.domain.unit import Unit
from ledger.domain.vocab import (
    Category,
    CorrectableField,
    EndReason,
    PrincipalTitle,
    Role,
    UnitKind,
    UnitLevel,
)
from ledger.infra.codec import make_mapper

MAPPER = make_mapper()
WHO: dict[str, Any] = {"actor": "省委依法治省办", "source": "api", "basis": "苏办厅字〔2019〕33号"}


def round_trip(aggregate: Aggregate) -> tuple[list[Any], list[StoredEvent]]:
    """The aggregate's new events, and each through the mapper to stored form and back."""
    originals = aggregate.collect_events()
    stored = [MAPPER.to_stored_event(e) for e in originals]
    for original, row in zip(originals, stored, strict=True):
        assert row.originator_id == aggregate.id
        assert row.originator_version == original.originator_version
        assert isinstance(row.state, bytes)
        decoded = MAPPER.to_domain_event(row)
        assert type(decoded) is type(original)
        assert decoded == original
        assert vars(decoded) == vars(original)
    return originals, stored


def replay(stored: list[StoredEvent]) -> Any:
    aggregate = None
    for row in stored:
        aggregate = MAPPER.to_domain_event(row).mutate(aggregate)
    return aggregate


def assert_rebuilt(aggregate: Aggregate, stored: list[StoredEvent]) -> None:
    rebuilt = replay(stored)
    assert rebuilt == aggregate
    assert rebuilt.version == aggregate.version == len(stored)


def make_assignment(**overrides: Any) -> Assignment:
    facts: dict[str, Any] = {
        "unit_id": uuid4(),
        "person_id": uuid4(),
        "role": Role.LEADER,
        "title": "副县长",
        "principal_title": None,
        "portfolio": [Category.LAW_ENFORCEMENT, Category.BUSINESS_ENVIRONMENT],
        "reports_to": uuid4(),
        "effective_from": date(2021, 3, 1),
        "reason": None,
        **WHO,
    }
    facts.update(overrides)
    return Assignment.assign(**facts)


def test_unit_events_round_trip_and_replay() -> None:
    parent, target = uuid4(), uuid4()
    unit = Unit(
        "南京市司法局",
        UnitKind.DEPARTMENT,
        UnitLevel.MUNICIPAL,
        parent,
        "320100-SFJ",
        reason="新设",
        **WHO,
    )
    unit.rename("南京市司法局（新）", date(2022, 1, 1), reason="机构改革", **WHO)
    unit.move(uuid4(), None, reason=None, **WHO)
    unit.dissolve(target, date(2024, 1, 1), reason="合并", **WHO)
    events, stored = round_trip(unit)
    assert [type(e) for e in events] == [Unit.Registered, Unit.Renamed, Unit.Moved, Unit.Dissolved]
    registered = MAPPER.to_domain_event(stored[0])
    assert registered.kind is UnitKind.DEPARTMENT
    assert registered.level is UnitLevel.MUNICIPAL
    assert registered.parent_id == parent and isinstance(registered.parent_id, UUID)
    assert MAPPER.to_domain_event(stored[1]).effective_on == date(2022, 1, 1)
    assert MAPPER.to_domain_event(stored[2]).effective_on is None
    assert MAPPER.to_domain_event(stored[3]).merged_into == target
    assert_rebuilt(unit, stored)
    assert replay(stored).dissolved and replay(stored).merged_into == target


def test_top_level_unit_without_code_round_trips() -> None:
    unit = Unit(
        "江苏省人民政府", UnitKind.GOVERNMENT, UnitLevel.PROVINCIAL, None, None, reason=None, **WHO
    )
    unit.dissolve(None, None, reason=None, **WHO)
    _, stored = round_trip(unit)
    assert_rebuilt(unit, stored)
    assert replay(stored).parent_id is None


def test_person_events_round_trip_and_replay() -> None:
    person = Person("王明", "hash-of-P-001", reason=None, **WHO)
    person.correct_details("王明明", None, reason="身份证", **WHO)
    person.correct_details(None, "hash-of-P-002", reason="编号", **WHO)
    events, stored = round_trip(person)
    assert [type(e) for e in events] == [
        Person.Registered,
        Person.DetailsCorrected,
        Person.DetailsCorrected,
    ]
    assert_rebuilt(person, stored)
    assert (replay(stored).name, replay(stored).person_no_hash) == ("王明明", "hash-of-P-002")


def test_assignment_events_round_trip_and_replay() -> None:
    a = make_assignment()
    a.change_portfolio([Category.COURT_APPEARANCE], date(2022, 5, 1), reason=None, **WHO)
    a.end(date(2023, 1, 1), EndReason.TRANSFERRED, reason="调任", **WHO)
    events, stored = round_trip(a)
    assert [type(e) for e in events] == [
        Assignment.Assigned,
        Assignment.PortfolioChanged,
        Assignment.Ended,
    ]
    assigned = MAPPER.to_domain_event(stored[0])
    assert assigned.role is Role.LEADER
    assert assigned.principal_title is None
    assert assigned.portfolio == [Category.LAW_ENFORCEMENT, Category.BUSINESS_ENVIRONMENT]
    assert all(type(c) is Category for c in assigned.portfolio)
    assert type(assigned.effective_from) is date
    ended = MAPPER.to_domain_event(stored[2])
    assert ended.end_reason is EndReason.TRANSFERRED
    assert type(ended.effective_to) is date
    assert_rebuilt(a, stored)


def test_principal_with_empty_portfolio_round_trips() -> None:
    a = make_assignment(
        role=Role.PRINCIPAL,
        principal_title=PrincipalTitle.PARTY_SECRETARY,
        portfolio=[],
        reports_to=None,
    )
    _, stored = round_trip(a)
    assigned = MAPPER.to_domain_event(stored[0])
    assert assigned.principal_title is PrincipalTitle.PARTY_SECRETARY
    assert assigned.portfolio == [] and assigned.reports_to is None
    assert_rebuilt(a, stored)


@pytest.mark.parametrize(
    ("field", "overrides", "new"),
    [
        (CorrectableField.TITLE, {}, "常务副县长"),
        (
            CorrectableField.PRINCIPAL_TITLE,
            {"role": Role.PRINCIPAL, "principal_title": PrincipalTitle.GOVERNMENT_HEAD},
            PrincipalTitle.UNIT_HEAD,
        ),
        (CorrectableField.REPORTS_TO, {}, UUID(int=42)),
        (CorrectableField.REPORTS_TO, {}, None),
        (CorrectableField.REPORTS_TO, {"reports_to": None}, UUID(int=43)),
        (CorrectableField.EFFECTIVE_FROM, {}, date(2020, 11, 30)),
        (CorrectableField.EFFECTIVE_TO, {}, date(2023, 6, 30)),
    ],
    ids=lambda v: getattr(v, "value", None) if isinstance(v, CorrectableField) else None,
)
def test_corrected_event_round_trips_old_and_new(
    field: CorrectableField, overrides: dict[str, Any], new: Any
) -> None:
    a = make_assignment(**overrides)
    if field is CorrectableField.EFFECTIVE_TO:
        a.end(date(2023, 1, 1), EndReason.OTHER, reason=None, **WHO)
    old = getattr(a, field.value)
    a.correct(field, new, reason="更正", **WHO)
    _, stored = round_trip(a)
    corrected = MAPPER.to_domain_event(stored[-1])
    assert isinstance(corrected, Assignment.Corrected)
    assert corrected.field is field
    assert corrected.old == old and type(corrected.old) is type(old)
    assert corrected.new == new and type(corrected.new) is type(new)
    assert_rebuilt(a, stored)
    assert getattr(replay(stored), field.value) == new


def test_stored_state_is_json_with_named_transcodings() -> None:
    a = make_assignment()
    stored = MAPPER.to_stored_event(a.collect_events()[0])
    state = json.loads(stored.state)
    assert state["effective_from"] == {"_type_": "date_iso", "_data_": "2021-03-01"}
    assert state["role"] == {"_type_": "Role", "_data_": "leader"}
    assert state["portfolio"][0] == {"_type_": "Category", "_data_": "law_enforcement"}
    assert state["title"] == "副县长"  # UTF-8, not \u escapes
    assert "副县长".encode() in stored.state


def test_topics_are_the_persisted_contract() -> None:
    unit = Unit("x", UnitKind.OTHER, UnitLevel.COUNTY, None, None, reason=None, **WHO)
    person = Person("x", None, reason=None, **WHO)
    a = make_assignment()
    topics = [
        MAPPER.to_stored_event(e).topic for x in (unit, person, a) for e in x.collect_events()
    ]
    assert topics == [
        "ledger.domain.unit:Unit.Registered",
        "ledger.domain.person:Person.Registered",
        "ledger.domain.assignment:Assignment.Assigned",
    ]


@given(
    name=st.text(min_size=1, max_size=40),
    title=st.text(min_size=1, max_size=40),
    portfolio=st.lists(st.sampled_from(list(Category)), max_size=12),
    start=st.dates(min_value=date(1949, 10, 1), max_value=date(2100, 1, 1)),
    kind=st.sampled_from(list(UnitKind)),
    level=st.sampled_from(list(UnitLevel)),
)
def test_any_names_dates_and_portfolios_round_trip(
    name: str,
    title: str,
    portfolio: list[Category],
    start: date,
    kind: UnitKind,
    level: UnitLevel,
) -> None:
    unit = Unit(name, kind, level, None, name, reason=name, **WHO)
    _, stored = round_trip(unit)
    assert_rebuilt(unit, stored)
    a = make_assignment(title=title, portfolio=portfolio, effective_from=start)
    _, stored = round_trip(a)
    assert_rebuilt(a, stored)
