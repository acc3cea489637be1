"""Authority the procedure implies: referral targets, extension approvers, plan owners and
the handling unit of a case, as pure rules over loaded units and assignments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

import pytest

from ledger.domain import authority
from ledger.domain.assignment import Assignment
from ledger.domain.errors import InvariantViolation, NoAuthority
from ledger.domain.unit import Unit
from ledger.domain.vocab import EndReason, Role, UnitKind, UnitLevel

DAY = date(2024, 8, 20)


def unit(kind: UnitKind, parent: Unit | None = None) -> Unit:
    parent_id = parent.id if parent is not None else None
    return Unit("单位", kind, UnitLevel.MUNICIPAL, parent_id, None, "t", "test", None, None)


def post(
    at: Unit, person: UUID, start: date = date(2021, 1, 1), end: date | None = None
) -> Assignment:
    a = Assignment.assign(
        unit_id=at.id,
        person_id=person,
        role=Role.STAFF,
        title="干部",
        principal_title=None,
        portfolio=[],
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


def lineage(*units: Unit) -> list[UUID]:
    """Nearest first: the unit, then its parent, …"""
    return [u.id for u in units]


# A province over a city; the city's departments, bodies and a district below it.
PROVINCE = unit(UnitKind.PARTY_COMMITTEE)
CITY = unit(UnitKind.PARTY_COMMITTEE, PROVINCE)
BUREAU = unit(UnitKind.DEPARTMENT, CITY)
OFFICE = unit(UnitKind.INSPECTION_BODY, CITY)
DISCIPLINE = unit(UnitKind.DISCIPLINE_BODY, CITY)
PERSONNEL = unit(UnitKind.PERSONNEL_DEPARTMENT, CITY)
DISTRICT = unit(UnitKind.PARTY_COMMITTEE, CITY)
DISTRICT_OFFICE = unit(UnitKind.INSPECTION_BODY, DISTRICT)
DISTRICT_DISCIPLINE = unit(UnitKind.DISCIPLINE_BODY, DISTRICT)
PROVINCE_OFFICE = unit(UnitKind.INSPECTION_BODY, PROVINCE)
PROVINCE_DISCIPLINE = unit(UnitKind.DISCIPLINE_BODY, PROVINCE)
TOP_DISCIPLINE = unit(UnitKind.DISCIPLINE_BODY)
OTHER = unit(UnitKind.PARTY_COMMITTEE)
OTHER_OFFICE = unit(UnitKind.INSPECTION_BODY, OTHER)
OTHER_DISCIPLINE = unit(UnitKind.DISCIPLINE_BODY, OTHER)
BUREAU_LINE = lineage(BUREAU, CITY, PROVINCE)
DISTRICT_LINE = lineage(DISTRICT, CITY, PROVINCE)


def test_no_authority_is_an_invariant_violation() -> None:
    assert issubclass(NoAuthority, InvariantViolation)  # 409, not 403 (the caller's reach)


# Referral (移送)


@pytest.mark.parametrize("kind", [UnitKind.DISCIPLINE_BODY, UnitKind.PERSONNEL_DEPARTMENT])
def test_a_finding_is_referred_to_a_body_that_holds_people_to_account(kind: UnitKind) -> None:
    authority.check_referral_target(unit(kind, CITY))


@pytest.mark.parametrize(
    "kind", [k for k in UnitKind if k not in authority.ACCOUNTABLE], ids=lambda k: k.value
)
def test_a_referral_to_any_other_kind_is_refused(kind: UnitKind) -> None:
    with pytest.raises(NoAuthority) as refused:
        authority.check_referral_target(unit(kind, CITY))
    assert refused.value.field == "to_unit_id"
    assert kind.value in refused.value.message


# Jurisdiction: the body's parent and every unit below it


def test_a_body_covers_its_parents_tree() -> None:
    assert authority.covers(DISCIPLINE, BUREAU_LINE)
    assert authority.covers(DISCIPLINE, DISTRICT_LINE)
    assert authority.covers(DISCIPLINE, lineage(CITY, PROVINCE))
    assert authority.covers(PROVINCE_DISCIPLINE, BUREAU_LINE)
    assert authority.covers(TOP_DISCIPLINE, BUREAU_LINE)  # no parent: every unit
    assert not authority.covers(DISTRICT_DISCIPLINE, BUREAU_LINE)  # a body below
    assert not authority.covers(OTHER_DISCIPLINE, BUREAU_LINE)  # another tree
    assert not authority.covers(DISCIPLINE, lineage(PROVINCE))  # above the body's parent


# Extension approvers


def approve(approver: UUID, posts: list[Assignment], organizer: UUID | None) -> Assignment:
    units = {u.id: u for u in (OFFICE, BUREAU, DISTRICT_OFFICE, PROVINCE_OFFICE, OTHER_OFFICE)}
    return authority.check_extension_approver(
        approver,
        DAY,
        [(a, units[a.unit_id]) for a in posts],
        organizer_unit_id=organizer,
        lineage=BUREAU_LINE,
    )


def test_an_inspections_extension_is_approved_from_its_organizing_body() -> None:
    approver = uuid4()
    held = post(OFFICE, approver)
    assert approve(approver, [post(BUREAU, approver), held], OFFICE.id) is held


@pytest.mark.parametrize(
    "posts",
    [
        lambda p: [],
        lambda p: [post(BUREAU, p)],  # the inspected unit
        lambda p: [post(PROVINCE_OFFICE, p)],  # an inspection body, but not the organizer
        lambda p: [post(OFFICE, p, end=DAY)],  # ended the day of the approval
        lambda p: [post(OFFICE, p, start=date(2024, 8, 21))],  # not yet in post
        lambda p: [post(OFFICE, uuid4())],  # someone else's post
    ],
    ids=["no-post", "inspected-unit", "other-body", "ended", "not-yet", "someone-else"],
)
def test_an_inspections_extension_without_a_post_in_the_organizer_is_refused(
    posts: Callable[[UUID], list[Assignment]],
) -> None:
    approver = uuid4()
    with pytest.raises(NoAuthority) as refused:
        approve(approver, posts(approver), OFFICE.id)
    assert refused.value.field == "approver_person_id"
    assert str(OFFICE.id) in refused.value.message


@pytest.mark.parametrize("body", [OFFICE, PROVINCE_OFFICE], ids=["city", "province"])
def test_a_clues_extension_is_approved_from_an_inspection_body_over_the_unit(body: Unit) -> None:
    approver = uuid4()
    held = post(body, approver)
    assert approve(approver, [held], None) is held


@pytest.mark.parametrize(
    "body", [BUREAU, DISTRICT_OFFICE, OTHER_OFFICE], ids=["inspected", "below", "other-tree"]
)
def test_a_clues_extension_from_elsewhere_is_refused(body: Unit) -> None:
    approver = uuid4()
    with pytest.raises(NoAuthority) as refused:
        approve(approver, [post(body, approver)], None)
    assert refused.value.field == "approver_person_id"


# Rectification plan owners


def test_the_owner_of_a_plan_holds_a_post_in_the_findings_unit_that_day() -> None:
    owner = uuid4()
    held = post(BUREAU, owner, end=date(2024, 6, 1))
    chain = [post(BUREAU, uuid4()), post(OFFICE, owner), held]
    assert authority.check_plan_owner(BUREAU.id, owner, chain, date(2024, 5, 31)) is held
    for day in (date(2024, 6, 1), date(2020, 12, 31)):
        with pytest.raises(NoAuthority) as refused:
            authority.check_plan_owner(BUREAU.id, owner, chain, day)
        assert refused.value.field == "owner_person_id"


# The handling unit of an accountability case


@pytest.mark.parametrize(
    "handler",
    [DISCIPLINE, PERSONNEL, PROVINCE_DISCIPLINE, TOP_DISCIPLINE],
    ids=["discipline", "personnel", "above", "top"],
)
def test_a_case_is_handled_by_an_accountable_body_over_the_persons_unit(handler: Unit) -> None:
    authority.check_case_handler(handler, uuid4(), [BUREAU_LINE])


def test_any_unit_the_person_held_a_post_in_will_do() -> None:
    # Posted in another city once, in the district now: the district's body handles it.
    authority.check_case_handler(
        DISTRICT_DISCIPLINE, uuid4(), [lineage(OTHER), lineage(DISTRICT_OFFICE, DISTRICT)]
    )


@pytest.mark.parametrize(
    ("handler", "why"),
    [
        (OFFICE, "to account"),
        (unit(UnitKind.COURT, CITY), "to account"),
        (DISTRICT_DISCIPLINE, "jurisdiction"),
        (OTHER_DISCIPLINE, "jurisdiction"),
    ],
    ids=["inspection-body", "court", "below", "other-tree"],
)
def test_other_handlers_are_refused(handler: Unit, why: str) -> None:
    with pytest.raises(NoAuthority) as refused:
        authority.check_case_handler(handler, uuid4(), [BUREAU_LINE])
    assert refused.value.field == "handling_unit_id"
    assert why in refused.value.message


def test_a_person_with_no_post_anywhere_has_no_handler() -> None:
    with pytest.raises(NoAuthority):
        authority.check_case_handler(TOP_DISCIPLINE, uuid4(), [])
