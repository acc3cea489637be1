"""A small world for tests of the loop: a city, a department with its chain, the
inspection office, the discipline body and the personnel department."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ledger.application import Context, Ledger
from ledger.application.commands import (
    Assign,
    PlanInspection,
    RaiseFinding,
    RegisterPerson,
    RegisterUnit,
    StartInspection,
)
from ledger.domain.vocab import Category, PrincipalTitle, Role, UnitKind, UnitLevel

CTX = Context(actor="tester")
FOUND_ON = date(2024, 5, 10)


@dataclass
class World:
    city: UUID
    bureau: UUID  # 市司法局, inspected
    office: UUID  # 市委依法治市办, the inspection body
    discipline: UUID  # 市纪委监委
    personnel: UUID  # 市委组织部
    secretary: UUID  # persons
    head: UUID
    deputy: UUID  # leader, portfolio law_enforcement
    clerk: UUID  # staff under the deputy
    inspector: UUID  # heads the office
    head_post: UUID  # assignments
    deputy_post: UUID
    clerk_post: UUID


async def build_world(ledger: Ledger) -> World:
    async def unit(name: str, kind: UnitKind, parent: UUID | None) -> UUID:
        result = await ledger.units.register_unit(
            CTX,
            RegisterUnit(
                name=name, kind=kind, level=UnitLevel.MUNICIPAL, parent_id=parent, code=None
            ),
        )
        return result.id

    async def person(name: str) -> UUID:
        return (
            await ledger.persons.register_person(CTX, RegisterPerson(name=name, person_no=None))
        ).id

    async def post(
        unit_id: UUID,
        person_id: UUID,
        role: Role,
        title: str,
        principal_title: PrincipalTitle | None = None,
        portfolio: list[Category] | None = None,
        reports_to: UUID | None = None,
    ) -> UUID:
        result = await ledger.assignments.assign(
            CTX,
            Assign(
                unit_id=unit_id,
                person_id=person_id,
                role=role,
                title=title,
                principal_title=principal_title,
                portfolio=portfolio or [],
                reports_to=reports_to,
                effective_from=date(2021, 1, 1),
            ),
        )
        return result.id

    city = await unit("无锡市委", UnitKind.PARTY_COMMITTEE, None)
    bureau = await unit("无锡市司法局", UnitKind.DEPARTMENT, city)
    office = await unit("市委依法治市办", UnitKind.INSPECTION_BODY, city)
    discipline = await unit("市纪委监委", UnitKind.DISCIPLINE_BODY, city)
    personnel = await unit("市委组织部", UnitKind.PERSONNEL_DEPARTMENT, city)
    secretary, head, deputy, clerk, inspector = [
        await person(n) for n in ("杜书记", "钱局长", "孙副局长", "李科员", "周督察")
    ]
    await post(city, secretary, Role.PRINCIPAL, "市委书记", PrincipalTitle.PARTY_SECRETARY)
    head_post = await post(bureau, head, Role.PRINCIPAL, "局长", PrincipalTitle.UNIT_HEAD)
    deputy_post = await post(
        bureau, deputy, Role.LEADER, "副局长", None, [Category.LAW_ENFORCEMENT], head_post
    )
    clerk_post = await post(bureau, clerk, Role.STAFF, "科员", None, None, deputy_post)
    # The inspector heads the office: the organizing body whose post approves extensions.
    await post(office, inspector, Role.PRINCIPAL, "主任", PrincipalTitle.UNIT_HEAD)
    return World(
        city,
        bureau,
        office,
        discipline,
        personnel,
        secretary,
        head,
        deputy,
        clerk,
        inspector,
        head_post,
        deputy_post,
        clerk_post,
    )


async def started_inspection(ledger: Ledger, world: World) -> UUID:
    planned = await ledger.inspections.plan_inspection(
        CTX,
        PlanInspection(
            title="2024年度法治政府建设督察",
            year=2024,
            organizer_unit_id=world.office,
            target_unit_ids=[world.bureau],
            team=[world.inspector],
            topics=[Category.LAW_ENFORCEMENT, Category.MAJOR_DECISION],
            starts_on=date(2024, 5, 6),
            ends_on=date(2024, 5, 20),
        ),
    )
    await ledger.inspections.start_inspection(
        CTX, planned.id, StartInspection(started_on=date(2024, 5, 6))
    )
    return planned.id


async def raised_finding(
    ledger: Ledger,
    world: World,
    inspection_id: UUID,
    category: Category = Category.LAW_ENFORCEMENT,
    deadline: date = date(2024, 8, 31),
) -> UUID:
    from ledger.domain.vocab import Severity

    result = await ledger.findings.raise_finding(
        CTX,
        RaiseFinding(
            unit_id=world.bureau,
            inspection_id=inspection_id,
            clue_id=None,
            category=category,
            severity=Severity.HIGH,
            description="行政执法“三项制度”落实不到位，执法记录不全",
            found_on=FOUND_ON,
            deadline=deadline,
        ),
    )
    return result.id
