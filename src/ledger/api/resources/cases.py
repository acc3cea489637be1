"""Accountability cases (问责): open, sanction, appeal, uphold, modify, revoke, close; read
one with every step of its sanctions, and list them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from aiohttp import web
from pydantic import Field

from ledger.api.auth import reader
from ledger.api.http import query_bool, query_int, query_uuid
from ledger.api.positions import read_position
from ledger.api.reads import PAGE, READ, UUID_SCHEMA, after_day_and_id, answer_record, page_of
from ledger.api.routing import Param, RouteTable
from ledger.api.schemas import KNOWN_AT_FIELD, POSITION_FIELD, View
from ledger.application.commands import (
    AppealSanction,
    CloseCase,
    ImposeSanction,
    ModifySanction,
    OpenCase,
    RevokeSanction,
    UpholdSanction,
)
from ledger.domain.vocab import (
    SanctionKind,
    SanctionState,
)
from ledger.projections.chain import NAME as CHAIN
from ledger.projections.records import NAME as RECORDS
from ledger.projections.records import lists as records_lists
from ledger.projections.records import queries as records_query

routes = RouteTable("accountability-cases")


class SanctionStep(View):
    step: Literal["imposed", "appealed", "upheld", "modified", "revoked"]
    step_on: date = Field(description="The day of the decision or of the appeal.")
    kind: SanctionKind = Field(description="The sanction's kind after this step.")
    previous_kind: SanctionKind | None = Field(description="Before a modification.")
    reason: str | None
    basis: str | None
    actor: str
    recorded_at: datetime
    position: int


class Sanction(View):
    id: UUID
    kind: SanctionKind = Field(description="As it stands now, after appeals.")
    original_kind: SanctionKind = Field(description="As first imposed.")
    state: SanctionState
    in_force: bool = Field(description="False once revoked.")
    imposed_on: date
    decided_on: date = Field(description="The latest decision: imposed, upheld, modified, revoked.")
    basis: str | None = Field(description="The document it was imposed by.")
    steps: list[SanctionStep] = Field(description="Every step, in ledger order.")


class Case(View):
    id: UUID
    version: int
    person_id: UUID
    person_name: str | None
    finding_ids: list[UUID]
    handling_unit_id: UUID
    handling_unit_name: str | None
    opened_on: date
    reason: str | None
    basis: str | None
    closed_on: date | None
    closed_reason: str | None
    sanctions: list[Sanction]


class CaseView(Case):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD


class CasePage(View):
    known_at: datetime | None = KNOWN_AT_FIELD
    position: int = POSITION_FIELD
    items: list[Case] = Field(description="Latest opened first (opened_on, then id).")
    next_cursor: str | None = Field(description="The next page's cursor; null on the last.")


routes.command(
    "POST",
    "/v1/accountability-cases",
    "Open a case against a person, resting on findings attributed to them",
    body=OpenCase,
    status=201,
    handler=lambda ledger: ledger.cases.open_case,
)


# The answer's id stays the case's (the stream written), with the new `sanction_id` beside it.
routes.command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions",
    "Impose a sanction (处理/处分); the answer names its sanction_id",
    body=ImposeSanction,
    handler=lambda ledger: ledger.cases.impose_sanction,
)


routes.command(
    "POST",
    "/v1/accountability-cases/{id}/appeal",
    "Appeal a sanction of the case",
    body=AppealSanction,
    handler=lambda ledger: ledger.cases.appeal_sanction,
)


routes.command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/uphold",
    "Uphold an appealed sanction",
    body=UpholdSanction,
    handler=lambda ledger: ledger.cases.uphold_sanction,
)


routes.command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/modify",
    "Change the kind of a sanction",
    body=ModifySanction,
    handler=lambda ledger: ledger.cases.modify_sanction,
)


routes.command(
    "POST",
    "/v1/accountability-cases/{id}/sanctions/{sid}/revoke",
    "Revoke a sanction",
    body=RevokeSanction,
    handler=lambda ledger: ledger.cases.revoke_sanction,
)


routes.command(
    "POST",
    "/v1/accountability-cases/{id}/close",
    "Close a case (no appeal may be pending)",
    body=CloseCase,
    handler=lambda ledger: ledger.cases.close_case,
)


@routes.route(
    "GET",
    "/v1/accountability-cases/{id}",
    "An accountability case: each sanction's kind now, its original kind and every step",
    query=READ,
    response=CaseView,
)
async def get_case(request: web.Request) -> web.Response:
    return await answer_record(request, "accountability case", records_query.get_case)


@routes.route(
    "GET",
    "/v1/accountability-cases",
    "Accountability cases, latest opened first, each with its sanctions as they stand",
    query=(
        Param("person_id", "Only cases against this person.", UUID_SCHEMA),
        Param("handling_unit_id", "Only cases this unit handles.", UUID_SCHEMA),
        Param("finding_id", "Only cases resting on this finding.", UUID_SCHEMA),
        Param(
            "open",
            "Only cases not yet closed (true), or only closed ones (false).",
            {"type": "boolean"},
        ),
        *PAGE,
    ),
    response=CasePage,
)
async def list_cases(request: web.Request) -> web.Response:
    person_id = query_uuid(request, "person_id")
    handling_unit_id = query_uuid(request, "handling_unit_id")
    finding_id = query_uuid(request, "finding_id")
    is_open = query_bool(request, "open")
    limit = query_int(request, "limit", 50, 1, 500)
    after = after_day_and_id(request)
    position, known_at = await read_position(request, CHAIN, RECORDS)
    items = await records_lists.list_cases(
        await reader(request),
        limit=limit + 1,
        position=position,
        person_id=person_id,
        handling_unit_id=handling_unit_id,
        finding_id=finding_id,
        is_open=is_open,
        after=after,
    )
    return page_of(items, limit, "opened_on", known_at, position)
