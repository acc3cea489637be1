"""A correction re-checks only the rules the corrected fact bears on."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.application import CommandResult, Context, Ledger
from ledger.application.commands import (
    Assign,
    CorrectAssignment,
    EndAssignment,
    RegisterPerson,
    RegisterUnit,
)
from ledger.domain.errors import PrincipalOverlap, ReportsToError
from ledger.domain.vocab import (
    CorrectableField,
    EndReason,
    PrincipalTitle,
    Role,
    UnitKind,
    UnitLevel,
)

CTX = Context(actor="tester")


async def _office(ledger: Ledger) -> tuple[CommandResult, CommandResult, CommandResult]:
    unit = await ledger.units.register_unit(
        CTX,
        RegisterUnit(
            name="江阴市司法局",
            kind=UnitKind.DEPARTMENT,
            level=UnitLevel.COUNTY,
            parent_id=None,
            code=None,
        ),
    )
    head_person = await ledger.persons.register_person(
        CTX, RegisterPerson(name="钱局长", person_no=None)
    )
    clerk_person = await ledger.persons.register_person(
        CTX, RegisterPerson(name="孙科员", person_no=None)
    )
    head = await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=unit.id,
            person_id=head_person.id,
            role=Role.PRINCIPAL,
            title="局长",
            principal_title=PrincipalTitle.UNIT_HEAD,
            portfolio=[],
            reports_to=None,
            effective_from=date(2019, 1, 1),
        ),
    )
    clerk = await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=unit.id,
            person_id=clerk_person.id,
            role=Role.STAFF,
            title="科员",
            principal_title=None,
            portfolio=[],
            reports_to=head.id,
            effective_from=date(2019, 3, 1),
        ),
    )
    return unit, head, clerk


async def test_title_can_be_corrected_after_the_line_target_ended(ledger: Ledger) -> None:
    _, head, clerk = await _office(ledger)
    await ledger.assignments.end_assignment(
        CTX, head.id, EndAssignment(effective_to=date(2021, 1, 1), reason=EndReason.RETIRED)
    )
    corrected = await ledger.assignments.correct_assignment(
        CTX,
        clerk.id,
        CorrectAssignment(field=CorrectableField.TITLE, new="一级科员", reason="职级录入有误"),
    )
    assert corrected.version == 2


async def test_line_correction_to_an_ended_assignment_is_refused(ledger: Ledger) -> None:
    unit, head, clerk = await _office(ledger)
    await ledger.assignments.end_assignment(
        CTX, head.id, EndAssignment(effective_to=date(2021, 1, 1), reason=EndReason.RETIRED)
    )
    other = await ledger.persons.register_person(CTX, RegisterPerson(name="李新", person_no=None))
    successor = await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=unit.id,
            person_id=other.id,
            role=Role.PRINCIPAL,
            title="局长",
            principal_title=PrincipalTitle.UNIT_HEAD,
            portfolio=[],
            reports_to=None,
            effective_from=date(2021, 1, 1),
        ),
    )
    with pytest.raises(ReportsToError) as raised:
        await ledger.assignments.correct_assignment(
            CTX,
            clerk.id,
            CorrectAssignment(
                field=CorrectableField.REPORTS_TO, new=successor.id, reason="应为现任局长"
            ),
        )
    assert raised.value.field == "new"


async def test_period_correction_rechecks_principal_overlap(ledger: Ledger) -> None:
    unit, head, _ = await _office(ledger)
    await ledger.assignments.end_assignment(
        CTX, head.id, EndAssignment(effective_to=date(2021, 1, 1), reason=EndReason.TRANSFERRED)
    )
    other = await ledger.persons.register_person(CTX, RegisterPerson(name="周新", person_no=None))
    await ledger.assignments.assign(
        CTX,
        Assign(
            unit_id=unit.id,
            person_id=other.id,
            role=Role.PRINCIPAL,
            title="局长",
            principal_title=PrincipalTitle.UNIT_HEAD,
            portfolio=[],
            reports_to=None,
            effective_from=date(2021, 1, 1),
        ),
    )
    with pytest.raises(PrincipalOverlap):
        await ledger.assignments.correct_assignment(
            CTX,
            head.id,
            CorrectAssignment(
                field=CorrectableField.EFFECTIVE_TO, new=date(2021, 6, 1), reason="离任日期有误"
            ),
        )
